"""Quantization-aware fine-tuning of weights on Keras 3, with no wrapper layers.

tensorflow-model-optimization's quantize_model needs the legacy tf_keras. Here a callback
does the straight-through estimator for weights: before each batch the float kernels are
saved and replaced by their int8 round trip (per-channel max|w| / 127, exactly what the
converter will do); the optimizer then takes its step from gradients computed *at the
quantized weights*, and after the batch that step is added back onto the saved float
weights. The model learns weights that lose little when rounded; the converter then turns
it into a real full-int8 model the usual way (to_int8 with representative data).

What it does not do, and the chapter says so: activations are not rounded during training
(their ranges still come from calibration), and kernels followed by batch norm are rounded
before the norm is folded in, so for those layers training sees a different rounding than
the converter applies. Use it on models without batch norm, or fold first.
"""

from __future__ import annotations

from collections.abc import Iterable

import keras
import numpy as np

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.optimisation import quantize as q

QAT_LAYERS = ("Dense", "Conv1D", "Conv2D", "DepthwiseConv2D")


def fake_quantize_kernel(kernel: np.ndarray, per_channel: bool = True) -> np.ndarray:
    """The kernel after an int8 round trip: what the converter will store, as floats."""
    params = q.weight_params(kernel, per_channel)
    return q.dequantize(q.quantize(kernel, params), params).astype(np.float32)


class WeightQuantizationAware(keras.callbacks.Callback):
    """model.fit(..., callbacks=[WeightQuantizationAware()]): train through int8 weights.

    per_channel_dense matches convert.to_int8's option of the same name: Dense kernels are
    rounded per tensor unless it is set, convolution kernels always per channel."""

    def __init__(self, layers: Iterable[str] | None = None, per_channel_dense: bool = False):
        super().__init__()
        self.layer_names = list(layers) if layers is not None else None
        self.per_channel_dense = per_channel_dense
        self._float: dict[str, np.ndarray] = {}
        self._rounded: dict[str, np.ndarray] = {}
        self._layers: list = []

    def on_train_begin(self, logs=None):
        candidates = {layer.name: layer for layer in self.model.layers
                      if type(layer).__name__ in QAT_LAYERS}
        names = self.layer_names if self.layer_names is not None else list(candidates)
        unknown = [n for n in names if n not in candidates]
        if unknown:
            raise TinyMLError(f"No Dense/Conv layer named {unknown}; candidates are "
                              f"{list(candidates)}.")
        self._layers = [candidates[n] for n in names]
        folded = [layer.name for i, layer in enumerate(self.model.layers[:-1])
                  if layer in self._layers
                  and type(self.model.layers[i + 1]).__name__ == "BatchNormalization"]
        if folded:
            raise TinyMLError(
                f"Layers {folded} are followed by batch norm, which the converter folds into "
                "the kernel before rounding it, so rounding the unfolded kernel here would "
                "train for the wrong grid. Leave them out with layers=[...].")

    def _per_channel(self, layer) -> bool:
        return type(layer).__name__ != "Dense" or self.per_channel_dense

    def on_train_batch_begin(self, batch, logs=None):
        for layer in self._layers:
            kernel = np.asarray(layer.kernel.numpy())
            rounded = fake_quantize_kernel(kernel, self._per_channel(layer))
            self._float[layer.name], self._rounded[layer.name] = kernel, rounded
            layer.kernel.assign(rounded)

    def on_train_batch_end(self, batch, logs=None):
        for layer in self._layers:
            step = np.asarray(layer.kernel.numpy()) - self._rounded[layer.name]
            layer.kernel.assign(self._float[layer.name] + step)

    def on_train_end(self, logs=None):
        self._float.clear()
        self._rounded.clear()
