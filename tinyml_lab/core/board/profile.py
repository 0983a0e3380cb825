"""A model's measured cost on the board build: what `python -m tinyml_lab profile` reports.

Everything here is measured on the pinned library built for the Nano 33 BLE's Cortex-M4F
and run in QEMU (emulator.py), not estimated: arena used and minimum, instructions per
Invoke and per op. Instructions are a lower bound on cycles (the M4 needs at least one
cycle per instruction, more for loads, multiplies, branches and flash wait states), so
`min_latency_ms` is a lower bound on the time at the board's 64 MHz. Without inputs, the
model is run on inputs at the zero point (real value 0): the count depends a little on the
data (activations, softmax), so pass real samples when they exist.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from tinyml_lab.core.board.build import RunnerBuild
from tinyml_lab.core.board.emulator import MAX_ARENA, min_arena, run_model
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import TFLiteModel, read_model

CLOCK_MHZ = 64  # nRF52840


@dataclass(frozen=True)
class BoardProfile:
    """Measured on the board build: bytes and instructions."""

    model_bytes: int
    arena_used_bytes: int
    min_arena_bytes: int | None                 # None when not searched for
    instructions: tuple[int, ...]               # per Invoke, one per input
    op_instructions: tuple[tuple[str, int], ...]  # per op of the first Invoke
    inputs: str                                 # "given" or "zero point"
    notes: tuple[str, ...] = field(default=(
        "measured on Chirale_TensorFlowLite 2.0.0 built for the Cortex-M4F, run in QEMU",
        "instructions are a lower bound on cycles; min_latency_ms assumes one per cycle",
    ))

    @property
    def instructions_per_invoke(self) -> int:
        return max(self.instructions)

    @property
    def min_latency_ms(self) -> float:
        return self.instructions_per_invoke / (CLOCK_MHZ * 1000.0)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["op_instructions"] = [list(p) for p in self.op_instructions]
        out.update(instructions_per_invoke=self.instructions_per_invoke,
                   min_latency_ms=round(self.min_latency_ms, 3))
        return out


def zero_point_input(model: TFLiteModel) -> tuple[np.ndarray, ...]:
    """One sample whose every value is the tensor's zero point (real 0.0)."""
    sample = []
    for t in model.input_tensors:
        value = t.zero_points[0] if t.zero_points else 0
        sample.append(np.full(t.shape, value, dtype=t.dtype))
    return tuple(sample)


def profile_model(model: bytes | str | Path | TFLiteModel, inputs=None,
                  runner: RunnerBuild | None = None, find_min_arena: bool = True) -> BoardProfile:
    """Arena used and minimum, instructions per Invoke and per op, on the board build.
    find_min_arena=False skips the bisection for the minimum (about twenty runs; the
    estimator computes it exactly): min_arena_bytes is then None."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    given = inputs is not None
    samples = list(inputs) if given else [zero_point_input(model)]
    run = run_model(model, MAX_ARENA, samples, profile_ops=True, runner=runner)
    if not run.ok:
        raise TinyMLError(f"The model does not run on the board build: {run.error}")
    return BoardProfile(
        model_bytes=model.size_bytes, arena_used_bytes=run.arena_used_bytes,
        min_arena_bytes=min_arena(model, runner=runner) if find_min_arena else None,
        instructions=tuple(run.instructions),
        op_instructions=tuple(run.op_instructions[0]) if run.op_instructions else (),
        inputs="given" if given else "zero point")
