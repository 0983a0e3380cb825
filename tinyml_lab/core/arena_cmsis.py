"""What TFLM's CMSIS-NN kernels allocate on a Cortex-M4 with DSP (no MVE), for the arena.

Two versions, because they differ:
- `cmsis_nn_scratch`: the scratch buffers of current CMSIS-NN and tflite-micro (read from
  CMSIS-NN, July 2026, and tflite-micro, August 2026), for a GCC build;
- `chirale_scratch` and `chirale_prepare_steps`: the kernels of Chirale_TensorFlowLite
  2.0.0, the library the course's sketches link (TFLM of July 2024), step by step as its
  Prepare runs them. The estimator's cortex-m-cmsis-nn target uses these, and the board
  tests check them against that library built for the Cortex-M4.
Scratch buffers add to the head of the arena on the board but not in the host runtime.
"""

from __future__ import annotations

from tinyml_lab.core.tflite_file import Operator, TFLiteModel

SAME = 0  # tflite Padding enum


def _padding(op: Operator, size: int, kernel: int, stride: int, dilation: int, out: int) -> int:
    """TFLM's ComputePaddingHeightWidth for one dimension (0 for VALID)."""
    if op.options.get("padding", SAME) != SAME:
        return 0
    effective = (kernel - 1) * dilation + 1
    return max(((out - 1) * stride + effective - size) // 2, 0)


def _geometry(model: TFLiteModel, op: Operator):
    inp = model.tensors[op.inputs[0]].shape
    filt = model.tensors[op.inputs[1]].shape
    out = model.tensors[op.outputs[0]].shape
    o = op.options
    sh, sw = o.get("strideH", 1), o.get("strideW", 1)
    dh, dw = o.get("dilationHFactor", 1), o.get("dilationWFactor", 1)
    pad_h = _padding(op, inp[1], filt[1], sh, dh, out[1])
    pad_w = _padding(op, inp[2], filt[2], sw, dw, out[2])
    return inp, filt, out, (pad_h, pad_w), (dh, dw)


def _align4(n: int) -> int:
    return n + (-n % 4)


def cmsis_nn_scratch(model: TFLiteModel, op: Operator) -> tuple[int, ...]:
    """Scratch request sizes (bytes, in request order) of one op's CMSIS-NN kernel."""
    if op.name == "CONV_2D":
        inp, filt, _, pad, dil = _geometry(model, op)
        in_c, kh, kw, filt_c = inp[3], filt[1], filt[2], filt[3]
        one_by_one = pad == (0, 0) and (kh, kw) == (1, 1) and dil == (1, 1) and in_c == filt_c
        if one_by_one:
            return ()  # 1x1: the DSP fast path needs no buffer under GCC
        return (2 * _align4(kw * kh * in_c) * 2,)  # im2col columns as int16 (also 1xN)
    if op.name == "DEPTHWISE_CONV_2D":
        inp, filt, out, pad, dil = _geometry(model, op)
        in_c, kh, kw = inp[3], filt[1], filt[2]
        if in_c != out[3] or inp[0] != 1 or dil != (1, 1):
            return ()  # depth multiplier > 1: the generic kernel, no buffer
        if (kh, kw) == (3, 3) and pad[0] <= 1 and pad[1] <= 1:
            return ()  # dedicated 3x3 kernel
        return (in_c * kw * kh * 2,)
    if op.name == "FULLY_CONNECTED":
        out = model.tensors[op.outputs[0]].shape
        accum_depth = model.tensors[op.inputs[1]].shape[-1]
        per_channel = model.tensors[op.inputs[1]].is_per_channel
        if len(out) > 2 and accum_depth % 4 == 0 and not per_channel:
            return (out[-1] * 4 * 2,)  # per-channel multipliers built for the 1x1 conv path
        return ()  # arm_fully_connected_s8_get_buffer_size is 0 on DSP
    if op.name == "AVERAGE_POOL_2D":
        out = model.tensors[op.outputs[0]].shape
        return (out[3] * 4,)  # one int32 accumulator per channel
    return ()


# ------------------------------------------------------------------ the pinned library

# What the kernels of Chirale_TensorFlowLite 2.0.0 (the library the sketches link: a TFLM
# snapshot of July 2024 with its CMSIS-NN) do in Prepare, read from its src/ and checked
# allocation by allocation against the library built for the Cortex-M4 (the board runner's
# trace job, tinyml_lab.core.board.emulator.trace_allocations). It differs from the rules
# above: the 1x1 conv fast path needs stride 1, no im2col alignment; the depthwise kernel
# asks for its buffer whenever input and output channels match, 3x3 included; fully
# connected never takes per-channel multipliers (its per-channel weights are not supported
# by that snapshot) but does for rank > 2 outputs; MEAN asks for one buffer only.

TEMP, PERSISTENT = "temp", "persistent"


def _present(op: Operator, k: int) -> bool:
    return len(op.inputs) > k and op.inputs[k] >= 0


def chirale_scratch(model: TFLiteModel, op: Operator) -> tuple[int, ...]:
    """Scratch request sizes (bytes, in request order) of one op in the pinned library,
    for a Cortex-M4 with DSP and GCC (arm_*_get_buffer_size of its CMSIS-NN)."""
    name = op.name
    if name == "CONV_2D":
        inp, filt, _, pad, dil = _geometry(model, op)
        stride = (op.options.get("strideH", 1), op.options.get("strideW", 1))
        kh, kw = filt[1], filt[2]
        if pad == (0, 0) and stride == (1, 1) and (kh, kw) == (1, 1) and dil == (1, 1):
            return ()  # arm_convolve_1x1_s8_fast_get_buffer_size: 0
        return (2 * inp[3] * kw * kh * 2,)  # arm_convolve_s8 (and 1xN): two int16 columns
    if name == "DEPTHWISE_CONV_2D":
        inp, filt, out, _, dil = _geometry(model, op)
        if inp[3] == out[3] and inp[0] == 1 and dil == (1, 1):
            return (inp[3] * filt[1] * filt[2] * 2,)  # arm_depthwise_conv_s8_opt, int16
        return ()
    if name == "AVERAGE_POOL_2D" and model.tensors[op.inputs[0]].dtype == "int8":
        return (model.tensors[op.outputs[0]].shape[3] * 4,)  # int32 per channel
    if name == "MEAN" and model.tensors[op.inputs[0]].dtype in ("int8", "int16"):
        out = model.tensors[op.outputs[0]].shape
        count = 1
        for d in out:
            count *= d
        return (4 * count,)  # int32 accumulators, one per output element
    return ()  # FULLY_CONNECTED (arm_fully_connected_s8 needs none), pooling max, ...


def chirale_prepare_steps(model: TFLiteModel, op: Operator) -> tuple[tuple[str, int], ...]:
    """One op's Prepare, in order: ("temp", tensor index) for each temporary TfLiteTensor
    the kernel allocates (the same tensor may come twice) and ("persistent", bytes) for each
    buffer it keeps. The order matters: a temporary tensor must fit below the tail as it
    stands when it is allocated."""
    name = op.name
    i = [t for t in op.inputs]
    o = op.outputs[0] if op.outputs else -1
    t = lambda k: (TEMP, k)
    p = lambda n: (PERSISTENT, n)
    bias = (t(i[2]),) if _present(op, 2) else ()
    if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        filt = model.tensors[i[1]].shape
        channels = filt[0] if name == "CONV_2D" else filt[3]
        arrays = (p(4 * channels), p(4 * channels))  # per-channel multipliers and shifts
        if model.tensors[i[0]].dtype not in ("int8", "int16"):
            arrays = ()
        # the kernel's own Prepare, then CalculateOpData{Conv,DepthwiseConv}
        return (t(i[0]), t(i[1]), t(o)) + arrays + (t(i[0]), t(i[1])) + bias + (t(o),)
    if name == "FULLY_CONNECTED":
        steps = (t(i[0]), t(i[1])) + bias + (t(o),)
        out = model.tensors[o].shape
        accum_depth = model.tensors[i[1]].shape[-1]
        if model.tensors[i[0]].dtype == "int8" and len(out) > 2 and accum_depth % 4 == 0:
            steps += (p(4 * out[-1]), p(4 * out[-1]))  # for the 1x1-conv path
        return steps
    if name == "AVERAGE_POOL_2D":  # PoolingPrepare, then AveragePrepare
        return (t(i[0]), t(o), t(i[0]), t(o))
    if name == "MEAN":  # PrepareMeanOrSumHelper, then PrepareSimple
        again = (t(o),) if model.tensors[i[0]].dtype == "int8" else ()
        return (t(i[0]), t(o), t(i[1]), t(i[0]), t(i[1])) + again
    if name == "CONCATENATION":
        inputs = tuple(t(k) for k in i)
        steps = (t(i[0]), t(o)) + inputs + (t(o),)
        if model.tensors[o].dtype == "int8":  # input scales and zero points
            steps += (p(4 * len(i)), p(4 * len(i))) + inputs
        return steps
    if name in ("SHAPE", "PACK"):
        return ()
    if name == "RELU6":
        return (t(i[0]),)
    if name == "TANH":  # TanhPrepare reads the input, then CalculateArithmeticOpData
        return (t(i[0]), t(i[0]), t(o))
    if name in ("RESHAPE", "SOFTMAX", "MAX_POOL_2D", "LOGISTIC", "RELU", "QUANTIZE",
                "DEQUANTIZE"):
        return (t(i[0]), t(o))
    # ADD, MUL, PAD, EXPAND_DIMS, STRIDED_SLICE: every input, then the output
    return tuple(t(k) for k in i if k >= 0) + (t(o),)
