"""Keras model -> TFLite: float32, dynamic-range, and full-integer int8 for microcontrollers.

Before converting, every layer is checked against what TFLite-Micro can run, so a learner
hears "layer 'gru' (GRU) cannot run on a microcontroller" instead of "Didn't find op for
builtin opcode" from the board. After converting, every op of the result is checked again
against TFLM's op table, naming the layer it came from.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable

import numpy as np

from tinyml_lab.core.errors import TinyMLError, UnsupportedOpError
from tinyml_lab.core.ops import RESOLVER_METHODS, unsupported_op_message
from tinyml_lab.core.tflite_file import TFLiteModel, read_model

# Layers that lower to ops TFLM has (after BatchNorm folding and Dropout removal).
TFLM_FRIENDLY_LAYERS = {
    "InputLayer", "Dense", "Conv1D", "Conv2D", "DepthwiseConv1D", "DepthwiseConv2D",
    "SeparableConv1D", "SeparableConv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D",
    "AveragePooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "Flatten", "Reshape", "Dropout",
    "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "BatchNormalization", "ReLU",
    "Softmax", "LeakyReLU", "PReLU", "ELU", "Activation", "Add", "Subtract", "Multiply",
    "Concatenate", "ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D",
    "UpSampling2D", "Rescaling", "Permute", "Identity", "Sequential", "Functional",
}
# Layers whose conversion needs ops or control flow TFLM does not have.
TFLM_HOSTILE_LAYERS = {
    "GRU": "GRU lowers to a while loop and ops TFLM lacks; use Conv1D or a Dense stack",
    "SimpleRNN": "SimpleRNN lowers to a while loop; use Conv1D or a Dense stack",
    "Bidirectional": "bidirectional RNNs lower to ops TFLM lacks",
    "Lambda": "a Lambda layer can hold any TensorFlow op; write it with built-in layers",
    "MultiHeadAttention": "attention lowers to ops TFLM lacks (e.g. BATCH_MATMUL variants)",
    "StringLookup": "string ops do not exist on a microcontroller",
    "TextVectorization": "string ops do not exist on a microcontroller",
}
TFLM_ACTIVATIONS = {
    "linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "hard_sigmoid", "hard_swish",
    "elu", "leaky_relu", "swish", "silu", "exponential",
}


def _layers(model) -> list:
    """Every layer, nested models flattened, in definition order."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if hasattr(layer, "layers"):
            found.extend(_layers(layer))
    return found


def check_layers_for_tflm(model) -> list[str]:
    """Raise UnsupportedOpError for the first layer TFLM cannot run; return notes on layers
    that are not known either way (the op check after conversion settles those)."""
    notes = []
    for layer in _layers(model):
        kind = type(layer).__name__
        if kind in TFLM_HOSTILE_LAYERS:
            raise UnsupportedOpError(
                f"Layer {layer.name!r} ({kind}) cannot run in TensorFlow Lite for "
                f"Microcontrollers: {TFLM_HOSTILE_LAYERS[kind]}."
            )
        activation = getattr(layer, "activation", None)
        act_name = getattr(activation, "__name__", None)
        if act_name and act_name not in TFLM_ACTIVATIONS:
            raise UnsupportedOpError(
                f"Layer {layer.name!r} ({kind}) uses activation {act_name!r}, which TFLM has "
                f"no kernel for. Use one of: {', '.join(sorted(TFLM_ACTIVATIONS))}."
            )
        if kind not in TFLM_FRIENDLY_LAYERS:
            notes.append(f"layer {layer.name!r} ({kind}) is not in the known-good list")
    return notes


def _converter(model):
    import tensorflow as tf

    return tf.lite.TFLiteConverter.from_keras_model(model)


def _run(converter) -> bytes:
    # Keras' export prints its traced signatures; the learner needs none of that.
    with contextlib.redirect_stdout(io.StringIO()):
        return converter.convert()


def to_float(model) -> bytes:
    """Plain float32 TFLite: the reference the quantized models are measured against."""
    return _run(_converter(model))


def to_dynamic_range(model) -> bytes:
    """int8 weights, float activations: 4x smaller, but a hybrid model TFLM cannot run."""
    import tensorflow as tf

    converter = _converter(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return _run(converter)


def to_float16(model) -> bytes:
    """float16 weights, float32 compute: half the size of float32, but the weights are
    dequantized at run time by an op TFLM cannot run on float16."""
    import tensorflow as tf

    converter = _converter(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    return _run(converter)


def representative_samples(data: np.ndarray, count: int = 200, seed: int = 0) -> np.ndarray:
    """An evenly random subset of the training inputs for calibrating activation ranges.
    NaN or infinite inputs are refused: they would give the converter no range to
    quantize with (it then quietly returns a float model)."""
    try:
        data = np.asarray(data, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"The representative data must be an array of numbers shaped like "
                        f"the model's inputs ({exc}).") from None
    if data.ndim == 0 or len(data) == 0:
        raise TinyMLError("The representative dataset is empty: pass some training inputs.")
    bad = ~np.isfinite(data.reshape(len(data), -1)).all(axis=1)
    if bad.any():
        raise TinyMLError(
            f"{int(bad.sum())} of the {len(data)} representative samples hold NaN or infinite "
            f"values (the first is sample {int(np.argmax(bad))}): quantization needs the real "
            "range of the inputs. Drop or repair those samples (np.isfinite finds them).")
    pick = np.random.default_rng(seed).permutation(len(data))[: min(count, len(data))]
    return data[np.sort(pick)]


def to_int8(
    model,
    representative_data: np.ndarray | Iterable,
    count: int = 200,
    per_channel_dense: bool = False,
    per_channel: bool = True,
) -> bytes:
    """Full-integer int8 TFLite with int8 input and output, calibrated on real inputs.

    Dense layers get per-tensor weights unless asked: per-tensor is what every TFLM
    snapshot (including the one in Chirale_TensorFlowLite) runs, and it is smaller.
    per_channel=False gives every weight tensor, convolutions too, a single scale (to show
    what per-channel scales buy).
    """
    import tensorflow as tf

    if not hasattr(model, "layers") or not hasattr(model, "input_shape"):
        raise TypeError(f"to_int8 converts a Keras model, got {type(model).__name__}.")
    check_layers_for_tflm(model)
    samples = representative_samples(representative_data, count)
    if samples.shape[1:] != tuple(model.input_shape[1:]):
        raise TinyMLError(
            f"Representative data has sample shape {samples.shape[1:]}, but the model expects "
            f"{tuple(model.input_shape[1:])}: pass inputs shaped like the training data."
        )

    def calibration():
        for sample in samples:
            yield [sample[None, ...]]

    converter = _converter(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    converter._experimental_disable_per_channel_quantization_for_dense_layers = (
        not per_channel_dense
    )
    if not per_channel:
        converter._experimental_disable_per_channel = True
    data = _run(converter)
    converted = read_model(data)
    check_ops_for_tflm(converted, model)
    if not converted.is_full_int8:
        from tinyml_lab.core.tflm import require_int8

        require_int8(converted)  # the converter fell back to float somewhere: say where
    return data


def check_ops_for_tflm(tflite_model: TFLiteModel, keras_model=None) -> None:
    """Raise UnsupportedOpError naming the op (and the Keras layer) that TFLM lacks."""
    names = [layer.name for layer in _layers(keras_model)] if keras_model is not None else []
    for op in tflite_model.operators:
        if op.name in RESOLVER_METHODS:
            continue
        out_names = " ".join(tflite_model.tensors[i].name for i in op.outputs)
        parts = set(out_names.replace(";", "/").replace(":", "/").split("/"))
        layer = next(
            (n for n in names if n in parts or any(p.startswith(n + "_") for p in parts)), None
        )
        where = f"layer {layer!r}" if layer else f"tensor {out_names!r}"
        raise UnsupportedOpError(unsupported_op_message(op.name, where))
