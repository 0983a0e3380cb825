"""What a Keras model will cost on the board, predicted from its layers alone.

MicroNets (Banbury et al., MLSys 2021) found that a model's SRAM on a microcontroller is
the buffer for its intermediate tensors plus a few persistent buffers, and its flash is its
weights and biases plus their quantization parameters, all computable from the
architecture. This module is that closed form, written for TFLM's int8 models: no
conversion, no runtime, so a search can rule out a candidate before training it. Chapter 08
measures how close it comes to the exact figures (the converted file, the arena estimator
that equals the board build) and where it misses.

What it assumes, so a learner can check each line:
- Batch normalisation folds into the convolution before it, ReLU / ReLU6 fuse into the op
  before them, Dropout disappears: each remaining layer is one TFLite op (a Dense layer
  with a softmax is two: FULLY_CONNECTED and SOFTMAX).
- Every convolution and Dense layer gets an int32 bias (the converter adds one when batch
  norm folds or the layer has a bias); convolutions have one int8 scale and zero point per
  output channel on their weights and biases, Dense layers one per tensor (what
  `tinyml_lab.core.convert.to_int8` produces); every activation has one.
- SRAM: the activations are a chain, so the largest working set is the biggest op's inputs
  plus output (16-byte aligned, as TFLM's planner places them); kernels' scratch buffers
  are left out. The persistent part uses the struct sizes of the Nano 33 BLE build
  (tinyml_lab.core.arena's cortex-m-cmsis-nn target).
Models with branches (residual adds, concatenations) are predicted as if each op's inputs
were the only tensors alive: an underestimate, which the exact tools do not make.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinyml_lab.core.arena import ALIGN, get_target
from tinyml_lab.core.errors import TinyMLError

SCALE_AND_ZERO_POINT_BYTES = 4 + 8  # float32 scale, int64 zero point in the flatbuffer
PER_CHANNEL_KERNEL_BYTES = 8  # int32 output multiplier and shift per channel (CMSIS-NN)

# Keras layers that become no op of their own in a converted int8 model.
_FUSED = {"InputLayer", "BatchNormalization", "ReLU", "Dropout", "SpatialDropout1D",
          "SpatialDropout2D", "GaussianNoise", "Identity"}
_FUSED_ACTIVATIONS = {"linear", "relu", "relu6"}


class ArchitectureError(TinyMLError):
    """A layer the closed form does not model: convert the model and use the exact tools."""


@dataclass(frozen=True)
class OpCost:
    """One TFLite op the layer becomes, with what the closed form counts for it."""

    layer: str
    op: str
    input_bytes: int        # int8 activations read (each 16-aligned)
    output_bytes: int       # int8 activation written (16-aligned)
    macs: int
    weights: int            # int8 weight elements
    biases: int             # int32 bias elements
    quantized_channels: int  # scale/zero-point pairs on the weight and bias tensors
    kernel_channels: int    # per-channel multipliers the kernel keeps (CMSIS-NN)
    constants: int          # constant tensors (weights, bias, axis, shape)
    constant_bytes: int     # their bytes
    input_elements: int = 0   # int8 activations read, unaligned
    output_elements: int = 0  # int8 activation written, unaligned

    @property
    def working_set_bytes(self) -> int:
        return self.input_bytes + self.output_bytes


@dataclass(frozen=True)
class ArchitectureCost:
    """Flash, SRAM and MACs of a model's int8 TFLM deployment, from its layers."""

    name: str
    ops: tuple[OpCost, ...]
    input_bytes: int
    inputs: int
    outputs: int

    @property
    def macs(self) -> int:
        return sum(op.macs for op in self.ops)

    @property
    def weight_bytes(self) -> int:
        return sum(op.weights for op in self.ops)

    @property
    def bias_bytes(self) -> int:
        return 4 * sum(op.biases for op in self.ops)

    @property
    def tensors(self) -> int:
        return self.inputs + len(self.ops) + sum(op.constants for op in self.ops)

    @property
    def quantization_bytes(self) -> int:
        """Scales and zero points: per channel on convolutions, one per activation."""
        activations = self.inputs + len(self.ops)
        pairs = sum(op.quantized_channels for op in self.ops) + activations
        return SCALE_AND_ZERO_POINT_BYTES * pairs

    @property
    def payload_bytes(self) -> int:
        """What MicroNets counts as a model's flash: weights, biases, quantization."""
        return sum(op.constant_bytes for op in self.ops) + self.quantization_bytes

    @property
    def activation_bytes(self) -> int:
        """The largest working set: one op's int8 inputs and output."""
        return max([self.input_bytes] + [op.working_set_bytes for op in self.ops])

    def working_sets(self) -> list[tuple[int, int]]:
        """(input elements, output elements) of int8 activations, op by op."""
        return [(op.input_elements, op.output_elements) for op in self.ops]

    @property
    def peak_op(self) -> OpCost | None:
        return max(self.ops, key=lambda op: op.working_set_bytes, default=None)

    @property
    def persistent_bytes(self) -> int:
        """TFLM's persistent buffers on the Nano 33 BLE build: its allocators, a small
        struct per tensor and per op, each kernel's parameters and data, the CMSIS-NN
        per-channel multipliers, and full tensor structs for the inputs and outputs."""
        t = get_target("cortex-m-cmsis-nn")
        fixed = (t.arena_allocator + t.planner + t.micro_allocator + t.builtin_data_allocator
                 + t.subgraph_allocations)
        io = (self.inputs + self.outputs) * (t.tflite_tensor[0] + t.affine_quantization + 20)
        per_op = sum(t.node_and_registration + t.builtin_params.get(op.op, (0, 1))[0]
                     + _round_up(t.op_data.get(op.op, 0)) for op in self.ops)
        channels = sum(_round_up(PER_CHANNEL_KERNEL_BYTES * op.kernel_channels)
                       for op in self.ops if op.kernel_channels)
        return fixed + io + t.eval_tensor * self.tensors + per_op + channels

    @property
    def sram_bytes(self) -> int:
        """The arena predicted: activations plus persistent buffers."""
        return self.activation_bytes + self.persistent_bytes

    def as_dict(self) -> dict:
        return {"macs": self.macs, "weight_bytes": self.weight_bytes,
                "bias_bytes": self.bias_bytes, "quantization_bytes": self.quantization_bytes,
                "payload_bytes": self.payload_bytes, "tensors": self.tensors,
                "ops": len(self.ops), "activation_bytes": self.activation_bytes,
                "persistent_bytes": self.persistent_bytes, "sram_bytes": self.sram_bytes}


def _round_up(n: int) -> int:
    return -(-int(n) // ALIGN) * ALIGN


def _elements(shape) -> int:
    return int(np.prod([d for d in shape if d is not None], dtype=np.int64))


def _shapes(tensors) -> list[tuple]:
    items = tensors if isinstance(tensors, (list, tuple)) else [tensors]
    return [tuple(t.shape) for t in items]


def _activation_name(layer) -> str | None:
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None) if activation is not None else None


def _op_cost(layer, in_shapes, out_shape) -> list[OpCost]:
    """The op(s) one Keras layer becomes; [] for layers that fuse or vanish."""
    kind = type(layer).__name__
    if kind in _FUSED:
        return []
    in_bytes = sum(_round_up(_elements(s)) for s in in_shapes)
    in_elems = sum(_elements(s) for s in in_shapes)
    out_elems = _elements(out_shape)
    out_bytes = _round_up(out_elems)
    name = layer.name

    def op(op_name, macs=0, weights=0, biases=0, quantized=0, kernel=0, constants=0,
           const_bytes=0, read=in_bytes):
        return OpCost(name, op_name, read, out_bytes, int(macs), int(weights), int(biases),
                      int(quantized), int(kernel), constants, int(const_bytes), in_elems,
                      out_elems)

    if kind == "Activation":
        act = _activation_name(layer)
        if act in _FUSED_ACTIVATIONS:
            return []
        return [op({"softmax": "SOFTMAX", "sigmoid": "LOGISTIC", "tanh": "TANH"}.get(
            act, act.upper() if act else "ACTIVATION"))]
    if kind == "Softmax":
        return [op("SOFTMAX")]
    if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense"):
        act = _activation_name(layer)
        if act not in _FUSED_ACTIVATIONS | {"softmax", None}:
            raise ArchitectureError(f"Layer {name!r} ({kind}) uses activation {act!r}; the "
                                    "closed form models relu, relu6, softmax or none.")
        cin = in_shapes[0][-1]
        cout = out_shape[-1]
        if kind == "Conv2D":
            kh, kw = layer.kernel_size
            n = kh * kw * cin * cout
            ops = [op("CONV_2D", out_elems * kh * kw * cin, n, cout, 2 * cout, cout, 2,
                      n + 4 * cout)]
        elif kind == "DepthwiseConv2D":
            kh, kw = layer.kernel_size
            n = kh * kw * cout
            ops = [op("DEPTHWISE_CONV_2D", out_elems * kh * kw, n, cout, 2 * cout, cout, 2,
                      n + 4 * cout)]
        elif kind == "SeparableConv2D":
            kh, kw = layer.kernel_size
            mid_elems = out_elems // cout * cin * layer.depth_multiplier
            mid = cin * layer.depth_multiplier
            ops = [OpCost(name, "DEPTHWISE_CONV_2D", in_bytes, _round_up(mid_elems),
                          mid_elems * kh * kw, kh * kw * mid, mid, 2 * mid, mid, 2,
                          kh * kw * mid + 4 * mid, in_elems, mid_elems),
                   OpCost(name, "CONV_2D", _round_up(mid_elems), out_bytes, out_elems * mid,
                          mid * cout, cout, 2 * cout, cout, 2, mid * cout + 4 * cout,
                          mid_elems, out_elems)]
        else:  # Dense: per-tensor weights and bias
            n = cin * cout
            ops = [op("FULLY_CONNECTED", out_elems * cin, n, cout, 2, 0, 2, n + 4 * cout)]
        if act == "softmax":
            last = ops[-1]
            ops.append(OpCost(name, "SOFTMAX", last.output_bytes, last.output_bytes,
                              0, 0, 0, 0, 0, 0, 0, last.output_elements, last.output_elements))
        return ops
    if kind == "GlobalAveragePooling2D":
        return [op("MEAN", constants=1, const_bytes=8)]  # the int32 axes (1, 2)
    if kind in ("AveragePooling2D", "MaxPooling2D"):
        return [op("AVERAGE_POOL_2D" if kind.startswith("Average") else "MAX_POOL_2D")]
    if kind in ("Flatten", "Reshape"):
        return [op("RESHAPE", constants=1, const_bytes=4 * len(out_shape))]
    if kind == "ZeroPadding2D":
        return [op("PAD", constants=1, const_bytes=4 * 2 * len(out_shape))]
    if kind == "Add":
        return [op("ADD")]
    if kind == "Concatenate":
        return [op("CONCATENATION")]
    raise ArchitectureError(
        f"Layer {name!r} ({kind}) is not in the closed form's list (convolutions, dense, "
        "pooling, reshape, padding, add, concatenate, softmax and the layers that fuse): "
        "convert the model and size it exactly with tinyml_lab.core.arena.estimate_arena.")


def predict_cost(model) -> ArchitectureCost:
    """Flash, SRAM and MACs of a Keras model's int8 TFLM deployment, from its layers."""
    if not getattr(model, "built", True) or not getattr(model, "inputs", None):
        raise ArchitectureError("Build the model first (call it on an input or give it an "
                                "Input layer): the closed form needs its tensor shapes.")
    ops: list[OpCost] = []
    for layer in model.layers:
        if type(layer).__name__ in ("Functional", "Sequential"):
            raise ArchitectureError(f"Layer {layer.name!r} is a nested model: flatten it "
                                    "into one functional model first.")
        in_shapes = _shapes(layer.input)
        out_shape = _shapes(layer.output)[0]
        ops.extend(_op_cost(layer, in_shapes, out_shape))
    inputs = _shapes(model.inputs)
    return ArchitectureCost(
        name=model.name, ops=tuple(ops),
        input_bytes=sum(_round_up(_elements(s)) for s in inputs),
        inputs=len(inputs), outputs=len(model.outputs))


def file_payload_bytes(tflite_model) -> int:
    """The same payload read from a converted file: constant buffers plus every tensor's
    scales and zero points. What is left of the file is the flatbuffer's structure
    (tables, shapes, names, the signature and metadata)."""
    constants = sum(t.nbytes for t in tflite_model.tensors if t.is_constant)
    pairs = sum(len(t.scales) for t in tflite_model.tensors)
    return constants + SCALE_AND_ZERO_POINT_BYTES * pairs
