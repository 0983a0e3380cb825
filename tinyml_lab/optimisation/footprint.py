"""What a Keras model costs on the board once it is int8, measured rather than guessed.

One call converts a model to full int8, runs the test set through the TFLM runtime, counts
multiply-accumulates and measures the tensor arena, so the optimisation chapters can set
"before" and "after" side by side. Nothing here knows which model it is given.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.core import convert, report, tflm
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import TFLiteModel, read_model


def classification_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Top-1 accuracy: integer labels against per-class scores."""
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.asarray(y_true).ravel()))


def tflm_predict(model: TFLiteModel | bytes, x: np.ndarray) -> np.ndarray:
    """Float outputs of the int8 model for float inputs, computed in the TFLM runtime."""
    tflm.require_int8(model if isinstance(model, TFLiteModel) else read_model(model))
    return tflm.MicroInterpreter(model).predict(np.asarray(x, dtype=np.float32))


@dataclass(frozen=True)
class Footprint:
    """A model's int8 deployment figures: flash, compute, RAM and task metric in TFLM."""

    name: str
    int8_bytes: int
    macs: int
    arena_used_bytes: int
    metric: float
    metric_name: str = "accuracy"
    arena_min_bytes: int | None = None

    @property
    def arena_bytes(self) -> int:
        """What a sketch must reserve: the larger of used and minimum (as in the chapters)."""
        return max(self.arena_used_bytes, self.arena_min_bytes or 0)


def measure(name: str, tflite_model: TFLiteModel | bytes, x_test: np.ndarray,
            y_test: np.ndarray, metric: Callable = classification_accuracy,
            metric_name: str = "accuracy", find_minimum: bool = False) -> Footprint:
    """Footprint of an already converted int8 model, its metric computed in TFLM."""
    model = tflite_model if isinstance(tflite_model, TFLiteModel) else read_model(tflite_model)
    value = metric(y_test, tflm_predict(model, x_test))
    arena = tflm.measure_arena(model, find_minimum=find_minimum)
    macs = sum(m for _, m in report.op_macs(model))
    return Footprint(name, model.size_bytes, int(macs), arena.used_bytes, float(value),
                     metric_name, arena.min_arena_bytes)


def int8_footprint(name: str, keras_model, representative: np.ndarray, x_test: np.ndarray,
                   y_test: np.ndarray, metric: Callable = classification_accuracy,
                   metric_name: str = "accuracy", find_minimum: bool = False
                   ) -> tuple[Footprint, bytes]:
    """Convert to full int8, then measure it: (Footprint, the int8 .tflite bytes)."""
    data = convert.to_int8(keras_model, representative)
    return measure(name, data, x_test, y_test, metric, metric_name, find_minimum), data


def runs_in_tflm(model: TFLiteModel | bytes, sample: np.ndarray) -> tuple[bool, str]:
    """Whether the TFLM runtime loads the model and runs one sample, and if not, TFLM's own
    reason. Loading happens in a child process: TFLM reports on the C-level stderr, and a
    model it cannot prepare must not take the notebook kernel down."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    arena = max(64 * 1024, 4 * model.size_bytes)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.tflite"
        path.write_bytes(model.data)
        probe = tflm._probe(path, arena)
    if probe.returncode != tflm.PROBE_OK:
        lines = [line.strip() for line in probe.stderr.splitlines() if line.strip()]
        said = [line for line in lines if "not supported" in line or "failed to prepare" in line
                or "was not true" in line or "Didn't find op" in line]
        reason = "; ".join(dict.fromkeys(said)) or (lines[-1] if lines else
                                                     f"exit status {probe.returncode}")
        return False, reason
    try:
        tflm.MicroInterpreter(model).predict(np.asarray(sample, dtype=np.float32)[None, ...])
    except (TinyMLError, RuntimeError, ValueError) as exc:
        return False, str(exc)
    return True, "loads and runs"


def predict_anywhere(model: TFLiteModel | bytes, x: np.ndarray) -> tuple[np.ndarray, str]:
    """Float outputs for float inputs, and which runtime produced them: TFLM when it can run
    the model, else TensorFlow Lite (float16 and hybrid models, for comparison only)."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    x = np.asarray(x, dtype=np.float32)
    if runs_in_tflm(model, x[0])[0]:
        return tflm.MicroInterpreter(model).predict(x), "TFLM"
    if model.input_tensors[0].is_quantized:
        raise TinyMLError("Only float-input models fall back to TensorFlow Lite here.")
    return tflm.tflite_predict_raw(model, x).astype(np.float32), "TFLite"


def footprint_table(footprints: list[Footprint], baseline: Footprint | None = None) -> str:
    """Bytes, MACs, arena and metric per model, with ratios to `baseline` when given."""
    headers = ["model", "int8 bytes", "MACs", "arena used (B)", "arena min (B)", "metric"]
    if baseline:
        headers += ["bytes ratio", "MACs ratio", "arena ratio", "metric change (points)"]
    rows = []
    for f in footprints:
        row = [f.name, f.int8_bytes, f.macs, f.arena_used_bytes,
               f.arena_min_bytes if f.arena_min_bytes is not None else "-",
               f"{f.metric_name} {f.metric:.4f}"]
        if baseline:
            row += [f"{f.int8_bytes / baseline.int8_bytes:.3f}",
                    f"{f.macs / baseline.macs:.3f}" if baseline.macs else "-",
                    f"{f.arena_used_bytes / baseline.arena_used_bytes:.3f}",
                    f"{100 * (f.metric - baseline.metric):+.2f}"]
        rows.append(row)
    return report.format_table(headers, rows)


def plot_tradeoff(footprints: list[Footprint], highlight: int | None = None, title: str = ""):
    """Metric against int8 bytes, MACs and arena: three views of one trade-off."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
    views = (("int8 bytes (flash)", "int8_bytes"), ("multiply-accumulates", "macs"),
             ("arena used (RAM, bytes)", "arena_used_bytes"))
    for ax, (label, field) in zip(axes, views):
        xs = [getattr(f, field) for f in footprints]
        ys = [100 * f.metric for f in footprints]
        ax.plot(xs, ys, "o-", color="tab:blue")
        for f, x, y in zip(footprints, xs, ys):
            ax.annotate(f.name, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
        if highlight is not None:
            ax.plot(xs[highlight], ys[highlight], "o", ms=14, mfc="none", mec="tab:red", mew=2)
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"{footprints[0].metric_name} in TFLM (%)" if footprints else "")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
