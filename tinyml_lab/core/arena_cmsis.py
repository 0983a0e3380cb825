"""Scratch buffers that TFLM's CMSIS-NN kernels request on a Cortex-M4 with DSP (no MVE).

These add to the head of the arena on the board but not in the host runtime. The rules
are the `arm_*_get_buffer_size` functions of CMSIS-NN for the DSP build and the kernels'
Prepare in tflite-micro's kernels/cmsis_nn (read from CMSIS-NN, July 2026, and
tflite-micro, August 2026), for a GCC build (no Arm Compiler 1x1 fast path buffer).
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
