"""How an int8 layer computes with integers only, as TFLM's kernels do (chapter 05).

A fully connected layer y = act(W x + b), quantized, becomes:

1. an **int32 accumulator**: acc[o] = sum_i (x_q[i] - x_zero) * w_q[o, i]  (weights are
   symmetric, zero point 0);
2. plus the **int32 bias**, stored with scale x_scale * w_scale so it adds straight on;
3. **requantization**: the accumulator's real value is acc * x_scale * w_scale, and the
   output's int8 step is y_scale, so acc is multiplied by M = x_scale * w_scale / y_scale.
   M is a real number below 1, and a microcontroller has no floats to spare: TFLite writes it
   as an int32 `multiplier` in [2^30, 2^31) and a power-of-two `shift`,
   M = multiplier / 2^31 * 2^shift, and multiplies with a rounding, doubling, high-half
   product followed by a rounding right shift;
4. plus the output zero point, then **clamped** to the activation's range (a fused ReLU
   clamps at the zero point).

The functions below follow TFLite's reference integer kernels step for step (double
rounding, as TFLM and CMSIS-NN build by default), so a model made of FULLY_CONNECTED ops
gives TFLM's int8 outputs bit for bit (the notebook and tests/test_integer_inference.py
check it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import TFLiteModel, read_model, tensor_values

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
# TFLite's ActivationFunctionType values for the fused activations of a FULLY_CONNECTED op
_RELU, _RELU_N1_TO_1, _RELU6 = 1, 2, 3


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier: (multiplier, shift) with real = multiplier / 2^31 * 2^shift
    and multiplier in [2^30, 2^31) (0, 0 for real 0)."""
    real = float(real)
    if real < 0 or not math.isfinite(real):
        raise TinyMLError(f"A requantization multiplier is a finite real >= 0, not {real}.")
    if real == 0:
        return 0, 0
    fraction, shift = math.frexp(real)  # real = fraction * 2^shift, fraction in [0.5, 1)
    multiplier = math.floor(fraction * 2**31 + 0.5)  # TfLiteRound: halves away from 0
    if multiplier == 2**31:  # the fraction rounded up to 1.0
        multiplier //= 2
        shift += 1
    if shift < -31:  # too small to matter: TFLite flushes it to zero
        return 0, 0
    return multiplier, shift


def saturating_rounding_doubling_high_mul(a, b) -> np.ndarray:
    """The high 32 bits of 2 * a * b, rounded to nearest (gemmlowp's SQRDMULH)."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    product = a * b
    nudge = np.where(product >= 0, 1 << 30, 1 - (1 << 30))
    total = product + nudge
    high = np.where(total >= 0, total // (1 << 31), -((-total) // (1 << 31)))  # C division
    overflow = (a == INT32_MIN) & (b == INT32_MIN)
    return np.where(overflow, INT32_MAX, high).astype(np.int64)


def rounding_divide_by_power_of_two(x, exponent: int) -> np.ndarray:
    """x / 2^exponent rounded to nearest, halves away from zero (gemmlowp's RoundingDivideByPOT)."""
    x = np.asarray(x, dtype=np.int64)
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> exponent) + (remainder > threshold)


def multiply_by_quantized_multiplier(x, multiplier: int, shift: int) -> np.ndarray:
    """acc * M in integers: shift left for M >= 1, high-half product, rounding right shift."""
    left, right = max(shift, 0), max(-shift, 0)
    scaled = np.asarray(x, dtype=np.int64) * (1 << left)
    return rounding_divide_by_power_of_two(
        saturating_rounding_doubling_high_mul(scaled, multiplier), right)


@dataclass(frozen=True)
class FullyConnectedInt8:
    """Everything one int8 FULLY_CONNECTED op of a .tflite file computes with."""

    weights: np.ndarray  # int8 (outputs, inputs)
    bias: np.ndarray  # int32 (outputs,), scale input_scale * weight_scale
    input_scale: float
    input_zero_point: int
    weight_scale: float
    output_scale: float
    output_zero_point: int
    activation_min: int
    activation_max: int

    @property
    def real_multiplier(self) -> float:
        """M = input scale x weight scale / output scale (float32 product, as TFLite takes it)."""
        product = float(np.float32(self.input_scale) * np.float32(self.weight_scale))
        return product / float(np.float32(self.output_scale))

    @property
    def multiplier_and_shift(self) -> tuple[int, int]:
        return quantize_multiplier(self.real_multiplier)

    def accumulate(self, x_q: np.ndarray) -> np.ndarray:
        """Steps 1 and 2: the int32 accumulators (int64 here, to see any overflow) + bias."""
        x = np.asarray(x_q, dtype=np.int64).reshape(-1, self.weights.shape[1])
        return (x - self.input_zero_point) @ self.weights.astype(np.int64).T + self.bias

    def __call__(self, x_q: np.ndarray) -> np.ndarray:
        """int8 inputs (n, inputs) -> int8 outputs (n, outputs), as TFLM computes them."""
        multiplier, shift = self.multiplier_and_shift
        out = multiply_by_quantized_multiplier(self.accumulate(x_q), multiplier, shift)
        out = out + self.output_zero_point
        return np.clip(out, self.activation_min, self.activation_max).astype(np.int8)


def _activation_range(function: int, scale: float, zero_point: int) -> tuple[int, int]:
    """TFLite's CalculateActivationRangeQuantized for int8."""
    def q(real: float) -> int:
        return zero_point + math.floor(real / scale + 0.5)

    low, high = -128, 127
    if function == _RELU:
        return max(low, q(0.0)), high
    if function == _RELU6:
        return max(low, q(0.0)), min(high, q(6.0))
    if function == _RELU_N1_TO_1:
        return max(low, q(-1.0)), min(high, q(1.0))
    if function != 0:
        raise TinyMLError(f"Fused activation {function} is not one this explainer knows.")
    return low, high


def fully_connected_layers(model: TFLiteModel | bytes) -> list[FullyConnectedInt8]:
    """The int8 FULLY_CONNECTED ops of a model, in execution order; refuses a model with any
    other op (this explainer covers dense layers only) or per-channel dense weights."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    layers = []
    for op in model.operators:
        if op.name != "FULLY_CONNECTED":
            raise TinyMLError(f"Op {op.index} is {op.name}: integer_inference explains models "
                              "made of FULLY_CONNECTED ops only (e.g. hello_sine).")
        x, w, y = (model.tensors[i] for i in (op.inputs[0], op.inputs[1], op.outputs[0]))
        if w.is_per_channel or x.dtype != "int8" or w.dtype != "int8":
            raise TinyMLError(f"Op {op.index} is not an int8 layer with one weight scale.")
        bias = (tensor_values(model, op.inputs[2]).astype(np.int64)
                if len(op.inputs) > 2 and op.inputs[2] >= 0
                else np.zeros(w.shape[0], np.int64))
        low, high = _activation_range(op.options.get("fusedActivationFunction", 0),
                                      y.scales[0], y.zero_points[0])
        layers.append(FullyConnectedInt8(
            tensor_values(model, op.inputs[1]).astype(np.int8), bias, x.scales[0],
            x.zero_points[0], w.scales[0], y.scales[0], y.zero_points[0], low, high))
    return layers


def run_integer_only(model: TFLiteModel | bytes, x_q: np.ndarray) -> np.ndarray:
    """A chain of int8 FULLY_CONNECTED ops run with integers only: int8 in, int8 out."""
    out = np.asarray(x_q)
    for layer in fully_connected_layers(model):
        out = layer(out)
    return out
