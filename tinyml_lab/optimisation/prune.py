"""Pruning written for Keras 3: magnitude pruning with a schedule, and channel pruning that
rebuilds a smaller model.

tensorflow-model-optimization wraps layers in classes that only exist for the legacy tf_keras
(model-optimization #1119, #1141). Nothing here wraps anything: magnitude pruning is a
callback that keeps one 0/1 mask per weight tensor and multiplies it back in after every
training step, so the model stays a plain Keras model the converter reads as it is.

- Unstructured (magnitude) pruning zeroes individual weights. TFLite and TFLM store weights
  dense, so the .tflite file does not shrink; only a compressor (or a sparse format the
  runtime does not have) sees the zeros.
- Structured (channel) pruning removes whole filters, ranked by the L1 norm of their weights,
  and rebuilds the network with fewer channels: the int8 file, the multiply-accumulates and
  the activations in the tensor arena all get smaller. Fine-tuning recovers the accuracy.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import keras
import numpy as np

from tinyml_lab.core.errors import TinyMLError

# Layers whose `kernel` magnitude pruning zeroes.
PRUNABLE_LAYERS = ("Dense", "Conv1D", "Conv2D", "DepthwiseConv1D", "DepthwiseConv2D")


# ------------------------------------------------------------------ the sparsity schedule

@dataclass(frozen=True)
class PolynomialDecay:
    """Sparsity that rises from `initial_sparsity` at `begin_step` to `final_sparsity` at
    `end_step` along 1 - (1 - t)^power: fast at first, when many small weights are cheap to
    lose, slow at the end, so the network can adapt. Masks are recomputed every `frequency`
    steps and at `end_step`; after it the sparsity stays at its final value."""

    final_sparsity: float
    begin_step: int
    end_step: int
    initial_sparsity: float = 0.0
    power: float = 3.0
    frequency: int = 10

    def __post_init__(self):
        for name in ("initial_sparsity", "final_sparsity"):
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise TinyMLError(f"{name} must be in [0, 1), got {value}: 1.0 would remove "
                                  "every weight.")
        if self.initial_sparsity > self.final_sparsity:
            raise TinyMLError(
                f"initial_sparsity {self.initial_sparsity} is above final_sparsity "
                f"{self.final_sparsity}: sparsity only grows during pruning.")
        if not 0 <= self.begin_step < self.end_step:
            raise TinyMLError(
                f"Need 0 <= begin_step < end_step, got {self.begin_step} and {self.end_step}: "
                "the schedule needs at least one step to ramp up.")
        if self.frequency < 1 or self.power <= 0:
            raise TinyMLError(f"frequency must be >= 1 and power > 0, got {self.frequency} and "
                              f"{self.power}.")

    def __call__(self, step: int) -> float:
        """The target sparsity at a training step."""
        if step <= self.begin_step:
            return self.initial_sparsity
        t = min(1.0, (step - self.begin_step) / (self.end_step - self.begin_step))
        span = self.final_sparsity - self.initial_sparsity
        return self.final_sparsity - span * (1.0 - t) ** self.power

    def updates_at(self, step: int) -> bool:
        """Whether the masks are recomputed before this step."""
        if step < self.begin_step or step > self.end_step:
            return False
        return step == self.end_step or (step - self.begin_step) % self.frequency == 0

    @classmethod
    def over_training(cls, final_sparsity: float, steps: int, ramp_fraction: float = 0.7,
                      **kwargs) -> PolynomialDecay:
        """A schedule that ramps during the first `ramp_fraction` of `steps` training steps and
        leaves the rest for recovering at the final sparsity."""
        if steps < 2:
            raise TinyMLError(f"Pruning needs at least 2 training steps, got {steps}.")
        end = max(1, min(steps - 1, int(round(ramp_fraction * steps))))
        return cls(final_sparsity, 0, end, **kwargs)


# ------------------------------------------------------------------ magnitude pruning

def magnitude_mask(weights: np.ndarray, sparsity: float) -> np.ndarray:
    """A 0/1 mask (float32, weights' shape) that zeroes exactly round(sparsity * size) of the
    smallest-magnitude weights (ties broken by position, so the count is always exact)."""
    weights = np.asarray(weights)
    if not 0.0 <= sparsity <= 1.0:
        raise TinyMLError(f"Sparsity must be in [0, 1], got {sparsity}.")
    count = int(round(sparsity * weights.size))
    order = np.argsort(np.abs(weights).ravel(), kind="stable")
    mask = np.ones(weights.size, dtype=np.float32)
    mask[order[:count]] = 0.0
    return mask.reshape(weights.shape)


def prunable_layers(model, names: Iterable[str] | None = None) -> list:
    """The layers magnitude pruning works on: all with a kernel, or the named ones."""
    found = [layer for layer in model.layers if type(layer).__name__ in PRUNABLE_LAYERS]
    if names is None:
        return found
    names = list(names)
    by_name = {layer.name: layer for layer in found}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise TinyMLError(
            f"No prunable layer named {', '.join(map(repr, unknown))}; the model's prunable "
            f"layers are {', '.join(repr(n) for n in by_name) or 'none'}.")
    return [by_name[n] for n in names]


class MagnitudePruning(keras.callbacks.Callback):
    """Keras 3 callback: prune the smallest weights along a schedule while the model trains.

    model.fit(x, y, epochs=..., callbacks=[MagnitudePruning(schedule)])
    Masks are recomputed when the schedule says so and multiplied into the kernels after
    every batch (the optimizer would otherwise grow pruned weights back). The step counter
    carries over between fit() calls. `per_layer` gives some layers their own final sparsity.
    """

    def __init__(self, schedule: PolynomialDecay, layers: Iterable[str] | None = None,
                 per_layer: dict[str, float] | None = None):
        super().__init__()
        self.schedule = schedule
        self.layer_names = list(layers) if layers is not None else None
        self.per_layer = dict(per_layer or {})
        self.step = 0
        self.masks: dict[str, np.ndarray] = {}
        self._layers: list = []

    def schedule_for(self, name: str) -> PolynomialDecay:
        if name not in self.per_layer:
            return self.schedule
        final = self.per_layer[name]
        return replace(self.schedule, final_sparsity=final,
                       initial_sparsity=min(self.schedule.initial_sparsity, final))

    def on_train_begin(self, logs=None):
        self._layers = prunable_layers(self.model, self.layer_names)
        unknown = set(self.per_layer) - {layer.name for layer in self._layers}
        if unknown:
            raise TinyMLError(f"per_layer names layers that are not pruned: {sorted(unknown)}.")
        for layer in self._layers:
            self.masks.setdefault(layer.name, np.ones(layer.kernel.shape, dtype=np.float32))

    def on_train_batch_begin(self, batch, logs=None):
        for layer in self._layers:
            schedule = self.schedule_for(layer.name)
            if schedule.updates_at(self.step):
                kernel = np.asarray(layer.kernel.numpy()) * self.masks[layer.name]
                self.masks[layer.name] = magnitude_mask(kernel, schedule(self.step))
                layer.kernel.assign(kernel * self.masks[layer.name])

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        self.apply_masks()

    def apply_masks(self):
        for layer in self._layers:
            layer.kernel.assign(np.asarray(layer.kernel.numpy()) * self.masks[layer.name])

    @property
    def finished(self) -> bool:
        """True once every layer's schedule has reached its final sparsity."""
        return self.step > max(self.schedule_for(layer.name).end_step for layer in self._layers) \
            if self._layers else False


def strip_pruning(model, pruning: MagnitudePruning):
    """A plain Keras model with the pruned weights, ready for conversion: a fresh copy
    (no optimizer, no callback) whose kernels carry exactly the final masks."""
    if not pruning.finished:
        end = max(pruning.schedule_for(n).end_step for n in pruning.masks) if pruning.masks \
            else pruning.schedule.end_step
        raise TinyMLError(
            f"The pruning schedule ends at step {end} but training stopped after {pruning.step} "
            "steps, so the final sparsity was never reached: train for more steps or lower "
            "end_step (PolynomialDecay.over_training sizes it for you).")
    stripped = type(model).from_config(model.get_config())  # uncompiled: no optimizer state
    stripped.set_weights(model.get_weights())
    for layer in stripped.layers:
        if layer.name in pruning.masks:
            layer.kernel.assign(np.asarray(layer.kernel.numpy()) * pruning.masks[layer.name])
    return stripped


def sparsity(model, layers: Iterable[str] | None = None) -> dict[str, float]:
    """Fraction of exactly-zero kernel weights in each prunable layer."""
    return {layer.name: float(np.mean(np.asarray(layer.kernel.numpy()) == 0))
            for layer in prunable_layers(model, layers)}


def compressed_size(data: bytes) -> int:
    """Bytes after zlib (level 9): what zeros save in storage, though TFLM stores weights dense
    and needs the uncompressed array in flash."""
    return len(zlib.compress(bytes(data), 9))


# ------------------------------------------------------------------ structured pruning

_CHANNEL_WISE = {
    "ReLU", "Activation", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "LeakyReLU",
    "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
    "GlobalMaxPooling2D", "ZeroPadding1D", "ZeroPadding2D", "Softmax", "GaussianNoise",
}
_FILTER_LAYERS = {"Dense": "units", "Conv1D": "filters", "Conv2D": "filters"}


@dataclass(frozen=True)
class ChannelPlan:
    """Which output channels of one layer survive structured pruning."""

    layer: str
    kept: tuple[int, ...]
    total: int

    @property
    def removed(self) -> int:
        return self.total - len(self.kept)


def filter_importance(kernel: np.ndarray) -> np.ndarray:
    """L1 norm of each output channel's weights (Keras keeps output channels last)."""
    kernel = np.asarray(kernel)
    return np.abs(kernel).reshape(-1, kernel.shape[-1]).sum(axis=0)


def _batch_norm_gain(layers: list, index: int) -> np.ndarray | float:
    """|gamma| / sqrt(variance + eps) of a batch norm right after layers[index], else 1.

    Batch norm rescales every channel, so a filter's own L1 norm says little about how much
    it contributes; the L1 norm of the filter with batch norm folded in does."""
    if index + 1 < len(layers) and type(layers[index + 1]).__name__ == "BatchNormalization":
        bn = layers[index + 1]
        gamma = np.asarray(bn.gamma.numpy()) if bn.scale else 1.0
        return np.abs(gamma) / np.sqrt(np.asarray(bn.moving_variance.numpy()) + bn.epsilon)
    return 1.0


def _sequential_layers(model) -> list:
    if not isinstance(model, keras.Sequential):
        raise TinyMLError(
            f"Structured pruning rebuilds Sequential models; {model.name!r} is a "
            f"{type(model).__name__}. Models with branches (residual Add, Concatenate) need "
            "their joined layers pruned together, which this module does not do.")
    return list(model.layers)


def _keep_count(name: str, total: int, keep, min_channels: int) -> int:
    ratio = keep.get(name, 1.0) if isinstance(keep, dict) else keep
    if not 0.0 < ratio <= 1.0:
        raise TinyMLError(f"Keep ratio for {name!r} must be in (0, 1], got {ratio}.")
    return min(total, max(min_channels, int(round(ratio * total))))


def prune_channels(model, keep: float | dict[str, float], min_channels: int = 1):
    """A new, smaller Sequential model keeping the highest-L1 fraction `keep` of the output
    channels of every Dense/Conv layer except the last (or per layer: {name: ratio}), with the
    surviving weights copied over. Returns (model, [ChannelPlan]). Fine-tune it afterwards."""
    layers = _sequential_layers(model)
    if isinstance(keep, dict):
        prunable = {layer.name for layer in layers if type(layer).__name__ in _FILTER_LAYERS}
        unknown = set(keep) - prunable
        if unknown:
            raise TinyMLError(f"No Dense/Conv layer named {sorted(unknown)}; prunable layers "
                              f"are {sorted(prunable)}.")
    weight_layers = [layer for layer in layers if type(layer).__name__ in _FILTER_LAYERS
                     or type(layer).__name__ in ("DepthwiseConv1D", "DepthwiseConv2D")]
    last = weight_layers[-1].name if weight_layers else None
    kept_in = None  # indices of the incoming tensor's last-axis entries that survive
    new_layers, new_weights, plans = [], [], []
    for index, layer in enumerate(layers):
        kind = type(layer).__name__
        weights = layer.get_weights()
        config = layer.get_config()
        if kind in _FILTER_LAYERS:
            kernel = weights[0] if kept_in is None else np.take(weights[0], kept_in, axis=-2)
            total = kernel.shape[-1]
            count = total if layer.name == last else \
                _keep_count(layer.name, total, keep, min_channels)
            importance = filter_importance(kernel) * _batch_norm_gain(layers, index)
            kept = np.sort(np.argsort(-importance, kind="stable")[:count])
            weights = [np.take(kernel, kept, axis=-1)] + [np.take(w, kept, axis=0)
                                                           for w in weights[1:]]
            config[_FILTER_LAYERS[kind]] = int(count)
            plans.append(ChannelPlan(layer.name, tuple(int(k) for k in kept), int(total)))
            kept_in = kept if count < total else None
        elif kind in ("DepthwiseConv1D", "DepthwiseConv2D"):
            if config.get("depth_multiplier", 1) != 1:
                raise TinyMLError(f"Layer {layer.name!r} has depth_multiplier "
                                  f"{config['depth_multiplier']}; channel pruning handles 1.")
            if kept_in is not None:
                weights = [np.take(weights[0], kept_in, axis=-2)] + \
                          [np.take(w, kept_in, axis=0) for w in weights[1:]]
        elif kind == "BatchNormalization":
            if config.get("axis") not in (-1, [-1], len(layer.input.shape) - 1,
                                          [len(layer.input.shape) - 1]):
                raise TinyMLError(f"Batch norm {layer.name!r} normalises axis {config['axis']}; "
                                  "channel pruning handles channels-last (axis -1).")
            if kept_in is not None:
                weights = [np.take(w, kept_in, axis=0) for w in weights]
        elif kind == "Flatten":
            if kept_in is not None:
                shape = layer.input.shape[1:]
                channels, positions = int(shape[-1]), int(np.prod(shape[:-1]))
                kept_in = (np.arange(positions)[:, None] * channels + kept_in[None, :]).ravel()
        elif kind not in _CHANNEL_WISE:
            raise TinyMLError(
                f"Layer {layer.name!r} ({kind}) is not one channel pruning knows how to shrink. "
                "It handles Dense, Conv1D/2D, DepthwiseConv, BatchNormalization, Flatten, "
                "pooling, activation and dropout layers.")
        new_layers.append(type(layer).from_config(config))
        new_weights.append(weights)
    pruned = keras.Sequential(
        [keras.Input(shape=model.input_shape[1:], name=model.inputs[0].name)] + new_layers,
        name=model.name)
    for layer, weights in zip(pruned.layers, new_weights):
        layer.set_weights(weights)
    return pruned, plans


def prune_and_fine_tune(model, keep: float | dict[str, float], x: np.ndarray, y: np.ndarray,
                        epochs: int, loss: str = "sparse_categorical_crossentropy",
                        learning_rate: float = 1e-3, batch_size: int = 64,
                        validation_data=None, min_channels: int = 1):
    """Structured pruning followed by fine-tuning with a cosine-decaying learning rate.
    Returns (fine-tuned smaller model, channel plans, Keras History)."""
    pruned, plans = prune_channels(model, keep, min_channels)
    steps = max(1, epochs * int(np.ceil(len(x) / batch_size)))
    pruned.compile(optimizer=keras.optimizers.Adam(
        keras.optimizers.schedules.CosineDecay(learning_rate, steps)), loss=loss,
        metrics=["accuracy"] if "categorical" in loss else [])
    history = pruned.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0,
                         validation_data=validation_data)
    return pruned, plans, history


# ------------------------------------------------------------------ sensitivity

def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    """Top-1 accuracy of a Keras classifier on integer labels."""
    predictions = model.predict(np.asarray(x), verbose=0, batch_size=256)
    return float(np.mean(np.argmax(predictions, axis=-1) == np.asarray(y)))


def recalibrate_batch_norm(model, x: np.ndarray, batches: int = 40, batch_size: int = 64) -> None:
    """Refresh batch norm's running statistics on `x` (forward passes in training mode, no
    weight updates). After channels or weights are removed, the statistics of the layers
    downstream are stale; without this, a scan measures stale statistics, not pruning."""
    if not any(type(layer).__name__ == "BatchNormalization" for layer in model.layers):
        return
    x = np.asarray(x, dtype=np.float32)
    if len(x) == 0:
        raise TinyMLError("Batch norm recalibration needs some inputs, got none.")
    for i in range(batches):
        start = (i * batch_size) % max(1, len(x) - batch_size + 1)
        model(x[start:start + batch_size], training=True)


@dataclass(frozen=True)
class Sensitivity:
    """The metric after pruning one layer alone, at each level, without fine-tuning."""

    layer: str
    levels: tuple[float, ...]
    metric: tuple[float, ...]


def sensitivity_scan(model, x: np.ndarray, y: np.ndarray, levels=(0.25, 0.5, 0.75),
                     kind: str = "channels", metric: Callable | None = None,
                     layers: Iterable[str] | None = None,
                     recalibrate: np.ndarray | None = None) -> list[Sensitivity]:
    """Prune each layer on its own and measure what it costs: robust layers can be pruned
    harder. kind="channels": `levels` are fractions of filters removed (the last layer is
    skipped); kind="magnitude": `levels` are sparsities of the layer's kernel. Pass training
    inputs as `recalibrate` to refresh batch norm statistics before each measurement."""
    metric = metric or (lambda m: accuracy(m, x, y))
    if kind not in ("channels", "magnitude"):
        raise TinyMLError(f"kind must be 'channels' or 'magnitude', got {kind!r}.")
    if kind == "channels":
        candidates = [layer.name for layer in _sequential_layers(model)
                      if type(layer).__name__ in _FILTER_LAYERS][:-1]
    else:
        candidates = [layer.name for layer in prunable_layers(model)]
    names = list(layers) if layers is not None else candidates
    unknown = set(names) - set(candidates)
    if unknown:
        raise TinyMLError(f"Cannot scan {sorted(unknown)}; scannable layers are {candidates}.")
    results = []
    for name in names:
        scores = []
        for level in levels:
            if kind == "channels":
                pruned, _ = prune_channels(model, {name: 1.0 - level})
            else:
                pruned = keras.models.clone_model(model)
                pruned.set_weights(model.get_weights())
                layer = pruned.get_layer(name)
                kernel = np.asarray(layer.kernel.numpy())
                layer.kernel.assign(kernel * magnitude_mask(kernel, level))
            if recalibrate is not None:
                recalibrate_batch_norm(pruned, recalibrate)
            scores.append(float(metric(pruned)))
        results.append(Sensitivity(name, tuple(float(v) for v in levels), tuple(scores)))
    return results
