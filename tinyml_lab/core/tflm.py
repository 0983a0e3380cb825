"""Run a model in the real TensorFlow Lite for Microcontrollers runtime and measure its arena.

The `tflite_micro` wheel is the judge of what will run on a board: the same interpreter,
allocator and reference kernels as the firmware, built for the host. Inputs are quantized
and outputs dequantized with the model's own parameters, exactly as a sketch does.

Every model is first allocated and invoked in a child process (tinyml_lab.core.tflm_guard):
for some arenas below the minimum, and for corrupt models, TFLM crashes instead of failing
cleanly, which must not take the notebook kernel down with it. Arena sizes are measured
there too: TFLM prints its allocation report on the C-level stderr.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.core import tflm_guard
from tinyml_lab.core._tflm_probe import PROBE_ALLOCATION_FAILED, PROBE_OK
from tinyml_lab.core.errors import ModelFormatError, NotQuantizedError, TinyMLError
from tinyml_lab.core.tflite_file import Tensor, TFLiteModel, check_integrity, read_model
from tinyml_lab.core.validate import require_int


def _as_model(model: TFLiteModel | bytes | str | Path) -> TFLiteModel:
    return model if isinstance(model, TFLiteModel) else read_model(model)


def quantize_int8(values: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Float -> int8 with a scale and zero point, as a sketch writes its input tensor."""
    return _quantize(values, scale, zero_point, np.int8)


def quantize(values: np.ndarray, tensor: Tensor) -> np.ndarray:
    """Float -> the tensor's integer type with its scale and zero point, as a sketch does."""
    if not tensor.is_quantized:
        return np.asarray(values, dtype=np.float32)
    return _quantize(values, tensor.scales[0], tensor.zero_points[0], tensor.dtype)


def _quantize(values, scale: float, zero_point: int, dtype) -> np.ndarray:
    info = np.iinfo(dtype)
    scaled = np.asarray(values, dtype=np.float32) / np.float32(scale)
    # round half away from zero, as the sketches' lroundf does (np.round goes to even)
    q = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) + zero_point
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize(values: np.ndarray, tensor: Tensor) -> np.ndarray:
    """The tensor's integers -> float with its scale and zero point."""
    if not tensor.is_quantized:
        return np.asarray(values, dtype=np.float32)
    return (np.asarray(values, dtype=np.float32) - tensor.zero_points[0]) * tensor.scales[0]


class MicroInterpreter:
    """A model loaded in the TFLM runtime, with float in / float out convenience.

    The model is allocated and invoked in a child process first (tinyml_lab.core.tflm_guard):
    an arena too small or a model TFLM would crash on is a TinyMLError, not a dead kernel."""

    def __init__(self, model: TFLiteModel | bytes | str | Path, arena_size: int | None = None):
        from tflite_micro.python.tflite_micro import runtime

        self.model = _as_model(model)
        if self.model.subgraph_count != 1:
            raise TinyMLError(
                f"The model has {self.model.subgraph_count} subgraphs; the course's sketches "
                "run single-subgraph models. Remove control flow (if/while) from the model."
            )
        if arena_size is None:
            arena_size = max(64 * 1024, 4 * self.model.size_bytes)
        self.arena_size = require_int(arena_size, "arena_size (bytes)", minimum=1)
        check_integrity(self.model)  # what TFLM would follow blindly into random memory
        tflm_guard.require_runs(self.model, self.arena_size)
        try:
            self._interp = runtime.Interpreter.from_bytes(
                self.model.data, arena_size=self.arena_size
            )
        except RuntimeError as exc:
            raise TinyMLError(
                f"TFLM could not load the model with a {self.arena_size:,} B arena ({exc}). "
                "If an op is missing, `python -m tinyml_lab info MODEL` lists the model's ops."
            ) from exc

    @classmethod
    def sized(cls, model: TFLiteModel | bytes | str | Path) -> MicroInterpreter:
        """An interpreter with the arena this host build needs for the model, computed
        (tinyml_lab.core.arena, python target), not guessed."""
        from tinyml_lab.core.arena import estimate_arena

        model = _as_model(model)
        host = estimate_arena(model, "python")
        return cls(model, arena_size=max(host.used_bytes, host.min_arena_bytes))

    @property
    def input(self) -> Tensor:
        return self.model.input_tensors[0]

    @property
    def output(self) -> Tensor:
        return self.model.output_tensors[0]

    def invoke_raw(self, sample: np.ndarray) -> np.ndarray:
        """One inference on an already-quantized sample (shape of the input tensor)."""
        want = tuple(self.input.shape)
        sample = np.asarray(sample, dtype=self.input.dtype).reshape(want)
        self._interp.set_input(sample, 0)
        self._interp.invoke()
        return np.array(self._interp.get_output(0))

    def predict_raw(self, samples: np.ndarray) -> np.ndarray:
        """Run each sample (first axis) through TFLM; integer in, integer out."""
        samples = np.asarray(samples)
        return np.stack([self.invoke_raw(s)[0] for s in samples])

    def predict(self, samples: np.ndarray) -> np.ndarray:
        """Float samples in, float outputs out: quantize, invoke, dequantize, like a sketch."""
        samples = np.asarray(samples, dtype=np.float32)
        per_sample = int(np.prod(self.input.shape[1:]))
        samples = samples.reshape(len(samples), per_sample) if samples.ndim else samples
        raw = self.predict_raw(quantize(samples, self.input))
        return dequantize(raw, self.output)


def tflite_predict_raw(model: TFLiteModel | bytes | str | Path, samples: np.ndarray) -> np.ndarray:
    """The same as MicroInterpreter.predict_raw, in TensorFlow Lite's interpreter (imports TF)."""
    import tensorflow as tf

    model = _as_model(model)
    interp = tf.lite.Interpreter(
        model_content=model.data,
        # TFLite's builtin int8 kernels without the XNNPACK delegate: bit-exact with TFLM on
        # the course models, while XNNPACK (the default) and BUILTIN_REF round differently
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    results = []
    for sample in np.asarray(samples):
        interp.set_tensor(inp["index"], np.asarray(sample, dtype=inp["dtype"]).reshape(inp["shape"]))
        interp.invoke()
        results.append(np.array(interp.get_tensor(out["index"]))[0])
    return np.stack(results)


@dataclass(frozen=True)
class Agreement:
    """How far TFLM's integer outputs are from TFLite's on the same integer inputs."""

    samples: int
    max_steps: int
    mean_steps: float
    identical_fraction: float


def compare_with_tflite(
    model: TFLiteModel | bytes | str | Path, float_samples: np.ndarray
) -> Agreement:
    """Run both runtimes on the same quantized inputs; report the gap in int8 steps."""
    model = _as_model(model)
    micro = MicroInterpreter(model)
    q_in = quantize(np.asarray(float_samples, dtype=np.float32), micro.input)
    a = micro.predict_raw(q_in).astype(np.int64)
    b = tflite_predict_raw(model, q_in).astype(np.int64)
    diff = np.abs(a - b)
    return Agreement(len(q_in), int(diff.max()), float(diff.mean()), float((diff == 0).mean()))


# ---------------------------------------------------------------- arena measurement

_ALLOC_RE = re.compile(r"Arena allocation (total|head|tail) (\d+) bytes")


@dataclass(frozen=True)
class ArenaMeasurement:
    """What the TFLM runtime on this host reports and needs for a model's tensor arena."""

    used_bytes: int
    head_bytes: int
    tail_bytes: int
    min_arena_bytes: int | None = None


def _probe(model: TFLiteModel | bytes | str | Path, arena_size: int,
           report: bool = False) -> tflm_guard.ProbeResult:
    """Allocate (only) in a child process; TFLM's output, with report, in .stderr."""
    return tflm_guard.probe(_as_model(model).data, arena_size, invoke=False, report=report)


def _allocates(model: TFLiteModel | bytes | str | Path, arena_size: int) -> bool:
    result = _probe(model, arena_size)
    if result.returncode == PROBE_OK:
        return True
    if result.returncode == PROBE_ALLOCATION_FAILED or result.returncode < 0:
        return False  # a clean failure, or TFLM crashed on a too-small arena
    raise TinyMLError(f"The TFLM probe failed unexpectedly:\n{result.stderr[-2000:]}")


def measure_arena(
    model: TFLiteModel | bytes | str | Path, find_minimum: bool = True
) -> ArenaMeasurement:
    """Arena bytes the host TFLM runtime uses (head + tail) and, optionally, the minimum
    arena it can allocate with (binary search; every larger size also works)."""
    model = _as_model(model)
    big = max(256 * 1024, 8 * model.size_bytes)
    result = _probe(model, big, report=True)
    if result.returncode != PROBE_OK:
        raise TinyMLError(
            f"TFLM cannot allocate this model even with a {big:,} B arena:\n"
            f"{result.stderr[-2000:]}"
        )
    found = dict((k, int(v)) for k, v in _ALLOC_RE.findall(result.stderr + result.stdout))
    if set(found) != {"total", "head", "tail"}:
        raise TinyMLError(
            "TFLM did not print its allocation report; is the tflite_micro wheel the one "
            f"pinned in requirements.txt? Output was:\n{result.stderr[-2000:]}"
        )
    minimum = _minimum_arena(model, found["total"]) if find_minimum else None
    return ArenaMeasurement(found["total"], found["head"], found["tail"], minimum)


def _minimum_arena(path: TFLiteModel, used: int) -> int:
    hi = used
    while not _allocates(path, hi):
        hi *= 2
    lo = 0  # an empty arena never allocates
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _allocates(path, mid):
            hi = mid
        else:
            lo = mid
    return hi


def require_int8(model: TFLiteModel) -> None:
    """Refuse float and hybrid models where the board needs full int8."""
    if model.is_full_int8:
        return
    floats = ", ".join(t.name or f"#{t.index}" for t in model.float_tensors[:5])
    io = ", ".join(
        f"{t.name or t.index}: {t.dtype}" for t in model.input_tensors + model.output_tensors
    )
    raise NotQuantizedError(
        "This model is not fully int8 quantized "
        f"(inputs/outputs {io}{'; float tensors: ' + floats if floats else ''}). "
        "The Nano 33 BLE Sense sketches need int8 weights, activations, inputs and outputs: "
        "convert with tinyml_lab.core.convert.to_int8(model, representative_data)."
    )


__all__ = [
    "Agreement",
    "ArenaMeasurement",
    "MicroInterpreter",
    "ModelFormatError",
    "compare_with_tflite",
    "dequantize",
    "measure_arena",
    "quantize",
    "require_int8",
    "tflite_predict_raw",
]
