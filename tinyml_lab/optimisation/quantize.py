"""Affine quantization as the TFLite converter does it, in numbers a learner can check by hand.

A real tensor X is stored as integers: X ~ scale * (X_int - zero_point). The converter picks
- activations: asymmetric int8 in [-128, 127]; the calibrated range [min, max] is first widened
  to contain 0 (so zero is exact: padding and ReLU need it), scale = (max - min) / 255, and the
  zero point is the integer that maps 0.0, nudged from whichever end of the range gives the
  smaller rounding error;
- weights: symmetric int8 in [-127, 127] (zero point 0), one scale per output channel for
  convolutions (per-tensor for Dense layers unless asked), scale = max|w| / 127;
- biases: int32 with zero point 0 and scale = input scale x weight scale, so the bias adds
  straight onto the int32 accumulator of the integer dot product.
Batch norm is folded into the convolution before any of this. `compare_with_converter` runs
the recipe on a Keras model and sets it beside what the converter wrote into the .tflite file.

Weights are float32, and the converter folds and scales them in float32 and quantizes them as
w * (1 / scale) in float32: a weight whose w / scale is 47.4999996 in float64 can be exactly
47.5 that way, and rounds up. So float32 inputs are computed that way here too (anything else
in float64, as w / scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import TFLiteModel, read_model, tensor_values

INT8 = (-128, 127)
INT8_SYMMETRIC = (-127, 127)  # weights: -128 is never used, so -w is always representable
INT32 = (-(2**31), 2**31 - 1)


@dataclass(frozen=True)
class QuantParams:
    """Scale(s) and zero point(s) of one tensor; axis is the channel axis when per-channel."""

    scale: np.ndarray
    zero_point: np.ndarray
    qmin: int
    qmax: int
    axis: int | None = None

    @property
    def per_channel(self) -> bool:
        return self.axis is not None

    def _broadcast(self, values: np.ndarray, array: np.ndarray) -> np.ndarray:
        if self.axis is None:
            return array.reshape(())
        shape = [1] * values.ndim
        shape[self.axis] = -1
        return array.reshape(shape)


def _float(values) -> np.ndarray:
    """float32 stays float32 (weights, as the converter computes them); the rest is float64."""
    values = np.asarray(values)
    return values if values.dtype == np.float32 else values.astype(np.float64)


def _round_half_away(values: np.ndarray) -> np.ndarray:
    """Round to nearest, ties away from zero (C's round(); numpy's round goes to even)."""
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


def params_from_range(rmin: float, rmax: float, qrange: tuple[int, int] = INT8) -> QuantParams:
    """Asymmetric (activation) parameters for real values in [rmin, rmax], as TFLite nudges them."""
    rmin, rmax = float(rmin), float(rmax)
    if not (np.isfinite(rmin) and np.isfinite(rmax)):
        raise TinyMLError(f"The range [{rmin}, {rmax}] is not finite: check the calibration data "
                          "for NaN or infinite values.")
    if rmin > rmax:
        raise TinyMLError(f"The range minimum {rmin} is above its maximum {rmax}: pass (min, max).")
    qmin, qmax = qrange
    rmin, rmax = min(rmin, 0.0), max(rmax, 0.0)  # zero must be exactly representable
    if rmin == rmax:  # an all-zero tensor: any scale works; TFLite uses 1.0
        return QuantParams(np.array(1.0), np.array(0), qmin, qmax)
    scale = (rmax - rmin) / (qmax - qmin)
    from_min, from_max = qmin - rmin / scale, qmax - rmax / scale
    error_min = abs(qmin) + abs(rmin / scale)
    error_max = abs(qmax) + abs(rmax / scale)
    zero = from_min if error_min < error_max else from_max
    zero_point = int(np.clip(_round_half_away(np.array(zero)), qmin, qmax))
    return QuantParams(np.array(scale), np.array(zero_point), qmin, qmax)


def activation_params(values: np.ndarray) -> QuantParams:
    """int8 parameters for an activation tensor from the values seen in calibration."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise TinyMLError("No values to calibrate from: pass at least one sample.")
    return params_from_range(values.min(), values.max())


def symmetric_params(values: np.ndarray, axis: int | None = None,
                     qrange: tuple[int, int] = INT8_SYMMETRIC) -> QuantParams:
    """Symmetric (weight) parameters: zero point 0, scale = max|w| / qmax, per `axis` or whole."""
    values = _float(values)
    if values.size == 0:
        raise TinyMLError("Cannot quantize an empty weight tensor.")
    if axis is None:
        peak = np.abs(values).max()
    else:
        axis = axis % values.ndim
        others = tuple(i for i in range(values.ndim) if i != axis)
        peak = np.abs(values).max(axis=others)
    qmin, qmax = qrange
    one = values.dtype.type(1)
    # an all-zero channel keeps scale 1
    scale = np.where(peak > 0, peak / values.dtype.type(qmax), one).astype(values.dtype)
    return QuantParams(np.asarray(scale), np.zeros(np.shape(scale), dtype=np.int64), qmin, qmax,
                       axis)


def weight_params(kernel: np.ndarray, per_channel: bool = True) -> QuantParams:
    """int8 parameters for a Keras kernel; its output channels are the last axis."""
    return symmetric_params(kernel, axis=-1 if per_channel else None)


def bias_params(input_scale: float, weight: QuantParams) -> QuantParams:
    """int32 bias parameters: scale = input scale x weight scale (per channel), zero point 0
    (a float32 product when the weight scales are float32, as the converter stores them)."""
    weight_scale = _float(weight.scale)
    scale = weight_scale.dtype.type(input_scale) * weight_scale
    axis = 0 if weight.per_channel else None
    return QuantParams(scale, np.zeros(np.shape(scale), dtype=np.int64), *INT32, axis)


def quantize(values: np.ndarray, params: QuantParams) -> np.ndarray:
    """Real values -> integers: round(x / scale) + zero_point, clipped to the integer range."""
    values, scale = _float(values), _float(params.scale)
    if values.dtype != scale.dtype:
        values, scale = values.astype(np.float64), scale.astype(np.float64)
    scale = params._broadcast(values, scale)
    zero = params._broadcast(values, np.asarray(params.zero_point, dtype=np.int64))
    if values.dtype == np.float32:  # as the converter: multiply by the float32 reciprocal
        q = _round_half_away(values * (np.float32(1) / scale)) + zero
    else:
        q = _round_half_away(values / scale) + zero
    dtype = np.int8 if params.qmin >= -128 and params.qmax <= 127 else np.int32
    return np.clip(q, params.qmin, params.qmax).astype(dtype)


def dequantize(q: np.ndarray, params: QuantParams) -> np.ndarray:
    """Integers -> the real values they stand for: scale * (q - zero_point)."""
    q = np.asarray(q, dtype=np.int64)
    scale = params._broadcast(q, np.asarray(params.scale, dtype=np.float64))
    zero = params._broadcast(q, np.asarray(params.zero_point, dtype=np.int64))
    return scale * (q - zero)


@dataclass(frozen=True)
class QuantError:
    """How far dequantize(quantize(x)) is from x."""

    mse: float
    max_abs: float
    sqnr_db: float  # signal-to-quantization-noise ratio: 10 log10(mean x^2 / mse)

    def __str__(self) -> str:
        return f"MSE {self.mse:.3g}, max |error| {self.max_abs:.3g}, SQNR {self.sqnr_db:.1f} dB"


def quantization_error(values: np.ndarray, params: QuantParams) -> QuantError:
    values = np.asarray(values, dtype=np.float64)
    error = dequantize(quantize(values, params), params) - values
    mse = float(np.mean(error**2))
    power = float(np.mean(values**2))
    sqnr = float("inf") if mse == 0 else 10 * np.log10(power / mse) if power > 0 else float("-inf")
    return QuantError(mse, float(np.abs(error).max()), sqnr)


def fold_batch_norm(kernel: np.ndarray, bias: np.ndarray | None, gamma: np.ndarray,
                    beta: np.ndarray, mean: np.ndarray, variance: np.ndarray,
                    epsilon: float) -> tuple[np.ndarray, np.ndarray]:
    """The kernel and bias of one layer that computes conv -> batch norm in a single step,
    evaluated as TensorFlow evaluates batch norm: inv = rsqrt(variance + eps) * gamma, with
    TensorFlow's own rsqrt (it can differ from 1 / sqrt by one float32 step, enough to move
    a weight across a rounding boundary)."""
    import keras

    kernel = _float(kernel)
    t = kernel.dtype.type
    rsqrt = np.asarray(keras.ops.convert_to_numpy(
        keras.ops.rsqrt(np.asarray(variance, t) + t(epsilon))), dtype=t)
    factor = rsqrt * np.asarray(gamma, t)
    shift = np.asarray(beta, t) - np.asarray(mean, t) * factor
    folded_bias = shift if bias is None else np.asarray(bias, t) * factor + shift
    return kernel * factor, folded_bias


# ------------------------------------------------------------ the recipe on a Keras model

_WEIGHT_LAYERS = {"Dense": "FULLY_CONNECTED", "Conv2D": "CONV_2D"}
_FOLDED = {"BatchNormalization", "ReLU", "Activation", "Dropout"}
# ops TFLite runs with the input's scale and zero point on their output
_SAME_SCALE = {"MaxPooling2D", "AveragePooling2D", "Flatten", "Reshape"}


@dataclass(frozen=True)
class LayerQuantization:
    """What the recipe computes for one weight layer (batch norm folded, activation fused)."""

    layer: str
    op: str
    kernel: np.ndarray  # float, batch norm folded in, Keras layout
    bias: np.ndarray
    input: QuantParams
    weight: QuantParams
    bias_q: QuantParams
    output: QuantParams
    output_name: str  # the Keras layer whose output the op's output tensor holds


def _chain_layers(model) -> list:
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    for layer in layers:
        if hasattr(layer, "layers"):
            raise TinyMLError(
                f"Layer {layer.name!r} is a nested model: the quantization recipe walks plain "
                "layer chains (Sequential models). Flatten the model into one Sequential."
            )
    return layers


def layer_recipe(model, samples: np.ndarray, per_channel_dense: bool = False
                 ) -> list[LayerQuantization]:
    """Quantization parameters of every Dense/Conv2D layer of a Sequential model, computed
    from its float weights and the ranges its activations reach on `samples`, the way the
    converter computes them (use the samples the converter calibrated with)."""
    import keras

    layers = _chain_layers(model)
    samples = np.asarray(samples, dtype=np.float32)
    inputs = model.inputs
    probes = [layer.output for layer in layers]
    outputs = keras.Model(inputs, probes).predict(samples, verbose=0, batch_size=256)
    if len(probes) == 1:  # Keras returns a bare array, not a list, for one output
        outputs = [outputs]
    values = dict(zip([layer.name for layer in layers], outputs))
    result = []
    current = activation_params(samples)  # quantization of the tensor flowing in
    i = 0
    while i < len(layers):
        layer = layers[i]
        kind = type(layer).__name__
        if kind not in _WEIGHT_LAYERS:
            if kind not in _FOLDED and kind not in _SAME_SCALE:
                current = activation_params(values[layer.name])
            i += 1
            continue
        weights = layer.get_weights()
        kernel, bias = weights[0], (weights[1] if len(weights) > 1 else None)
        end = i
        group_act = getattr(layer, "activation", None)
        while end + 1 < len(layers) and type(layers[end + 1]).__name__ in _FOLDED:
            nxt = layers[end + 1]
            if type(nxt).__name__ == "BatchNormalization":
                gamma, beta, mean, var = nxt.get_weights()
                kernel, bias = fold_batch_norm(kernel, bias, gamma, beta, mean, var, nxt.epsilon)
            end += 1
        if bias is None:
            bias = np.zeros(kernel.shape[-1])
        per_channel = kind != "Dense" or per_channel_dense
        weight = weight_params(kernel, per_channel)
        out_layer = layers[end]
        act = getattr(group_act, "__name__", "linear")
        if act == "softmax":  # the softmax becomes its own op; the op before it outputs logits
            pre = np.asarray(_logits(layer, values, layers, i, samples))
            output = activation_params(pre)
            out_name = layer.name + " (logits)"
        else:
            output = activation_params(values[out_layer.name])
            out_name = out_layer.name
        result.append(LayerQuantization(
            layer.name, _WEIGHT_LAYERS[kind], _float(kernel), _float(bias), current, weight,
            bias_params(float(current.scale), weight),
            output, out_name))
        current = output
        i = end + 1
    return result


def _logits(layer, values, layers, index, samples):
    """The pre-softmax values of a Dense layer with a softmax activation."""
    previous = values[layers[index - 1].name] if index > 0 else samples
    kernel, *rest = layer.get_weights()
    x = np.asarray(previous, np.float64).reshape(len(previous), -1)
    return x @ kernel + (rest[0] if rest else 0.0)


@dataclass(frozen=True)
class ConverterComparison:
    """One number of the recipe beside the one in the .tflite file."""

    layer: str
    quantity: str
    ours: object
    converter: object
    equal: bool


def compare_with_converter(model, tflite_model: TFLiteModel | bytes, samples: np.ndarray,
                           per_channel_dense: bool = False, rtol: float = 1e-5
                           ) -> list[ConverterComparison]:
    """Our scales, zero points and integer weights/biases beside the converter's, op by op.
    Scales match to float32 precision (the file stores float32); integers match exactly."""
    tflite_model = read_model(tflite_model) if not isinstance(tflite_model, TFLiteModel) \
        else tflite_model
    recipe = layer_recipe(model, samples, per_channel_dense)
    ops = [op for op in tflite_model.operators if op.name in ("FULLY_CONNECTED", "CONV_2D")]
    if len(ops) != len(recipe):
        raise TinyMLError(
            f"The model has {len(recipe)} Dense/Conv2D layers but the .tflite file has "
            f"{len(ops)} FULLY_CONNECTED/CONV_2D ops: was it converted from this model?"
        )
    rows = []
    for lq, op in zip(recipe, ops):
        if lq.op != op.name:
            raise TinyMLError(f"Layer {lq.layer!r} ({lq.op}) lines up with a {op.name} op: was "
                              "the .tflite file converted from this model?")
        t_in, t_w, t_out = (tflite_model.tensors[op.inputs[0]], tflite_model.tensors[op.inputs[1]],
                            tflite_model.tensors[op.outputs[0]])
        for what, ours, tensor in (("input", lq.input, t_in), ("output", lq.output, t_out)):
            rows.append(_row(lq.layer, f"{what} scale", float(ours.scale), tensor.scales[0],
                             np.isclose(float(ours.scale), tensor.scales[0], rtol=rtol, atol=0)))
            rows.append(_row(lq.layer, f"{what} zero point", int(ours.zero_point),
                             tensor.zero_points[0], int(ours.zero_point) == tensor.zero_points[0]))
        w_scales = np.atleast_1d(lq.weight.scale)
        rows.append(_row(lq.layer, "weight scales", w_scales, np.array(t_w.scales),
                         w_scales.shape == np.shape(t_w.scales)
                         and bool(np.allclose(w_scales, t_w.scales, rtol=rtol, atol=0))))
        # TFLite stores kernels output-channel first; Keras keeps output channels last
        ours_w = np.moveaxis(quantize(lq.kernel, lq.weight), -1, 0)
        theirs_w = tensor_values(tflite_model, t_w.index)
        rows.append(_row(lq.layer, "int8 weights", ours_w, theirs_w,
                         ours_w.shape == theirs_w.shape and bool(np.array_equal(ours_w, theirs_w))))
        ours_b = quantize(lq.bias, lq.bias_q)
        if len(op.inputs) > 2 and op.inputs[2] >= 0:
            t_b = tflite_model.tensors[op.inputs[2]]
            theirs_b = tensor_values(tflite_model, t_b.index)
            rows.append(_row(lq.layer, "bias scales", np.atleast_1d(lq.bias_q.scale),
                             np.array(t_b.scales), bool(np.allclose(
                                 np.atleast_1d(lq.bias_q.scale), t_b.scales, rtol=rtol, atol=0))))
        else:  # the converter drops an all-zero bias
            theirs_b = np.zeros_like(ours_b)
        rows.append(_row(lq.layer, "int32 bias", ours_b, theirs_b,
                         bool(np.array_equal(ours_b, theirs_b))))
    return rows


def _row(layer, quantity, ours, converter, equal) -> ConverterComparison:
    return ConverterComparison(layer, quantity, ours, converter, bool(equal))


def comparison_table(rows: list[ConverterComparison]) -> str:
    """The comparison as text: scalars shown, arrays summarised."""
    from tinyml_lab.core.report import format_table

    def show(value):
        if isinstance(value, np.ndarray):
            return f"{value.dtype} array {list(value.shape)}" if value.size > 3 else \
                ", ".join(f"{v:.6g}" for v in value.ravel())
        return f"{value:.6g}" if isinstance(value, float) else value

    return format_table(["layer", "quantity", "ours", "converter", "equal"],
                        [[r.layer, r.quantity, show(r.ours), show(r.converter), r.equal]
                         for r in rows])
