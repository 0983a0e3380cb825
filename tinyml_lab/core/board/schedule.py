"""Run a patch schedule on the emulated Cortex-M4, as the patch sketch runs it.

The runner firmware's patch job (firmware/runner.cc with firmware/patch_runner.h, the
patch sketch's own driver) runs each stage model on its patches, assembles the stage
output and runs the rest of the network, every model taking its turn in one arena of the
given size. A schedule is plain numbers (what tinyml_lab.optimisation.patch's
PatchPlan.schedule() returns): input and stage-output shapes, the input's zero point, and
per patch its stage model, input region and output tile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tinyml_lab.core.board.build import RunnerBuild
from tinyml_lab.core.board.emulator import (
    DEFAULT_TIMEOUT_S,
    MAX_ARENA,
    decode_output,
    run_job,
    ticks_to_instructions,
)
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import TFLiteModel, read_model


@dataclass(frozen=True)
class ScheduleRun:
    """What one run of a patch schedule on the emulated board reported."""

    ok: bool
    error: str | None
    arena_size: int
    model_arena_used: dict = field(default_factory=dict)  # model -> bytes (rest: last index)
    outputs: list = field(default_factory=list)           # per input: [array per output]
    invoke_instructions: list = field(default_factory=list)  # per input: every Invoke()
    total_instructions: list = field(default_factory=list)   # per input: set-ups and copies too
    log: tuple = ()

    @property
    def arena_used_bytes(self) -> int | None:
        return max(self.model_arena_used.values()) if self.model_arena_used else None


def schedule_bytes(schedule: dict) -> bytes:
    """schedule.bin for the firmware: little-endian int32 header, then nine per patch."""
    values = [*schedule["input_shape"], schedule["input_zero_point"],
              *schedule["stage_output_shape"], schedule["stage_models"],
              len(schedule["patches"])]
    for p in schedule["patches"]:
        values += [p["model"], *p["input"], *p["output"]]
    if len(schedule["input_shape"]) != 3 or len(schedule["stage_output_shape"]) != 3:
        raise TinyMLError("A schedule's shapes are (height, width, channels).")
    return np.asarray(values, dtype="<i4").tobytes()


def _parse(lines: list[str], rest: TFLiteModel, arena_size: int) -> ScheduleRun:
    log, used, outputs, invokes, totals = [], {}, {}, {}, {}
    empty, failed, error = 0, False, None
    for line in lines:
        word, _, rest_of_line = line.partition(" ")
        if word == "log":
            log.append(rest_of_line)
        elif word == "model_arena_used":
            m, n = rest_of_line.split()
            used[int(m)] = int(n)
        elif word == "empty_ticks":
            empty = ticks_to_instructions(int(rest_of_line))
        elif word == "patch_invoke":
            k, status, ticks, total = rest_of_line.split()
            failed |= status != "ok"
            invokes[int(k)] = ticks_to_instructions(int(ticks))
            totals[int(k)] = ticks_to_instructions(int(total)) - empty
        elif word == "out":
            k, i, values = decode_output(rest, rest_of_line)
            outputs.setdefault(k, {})[i] = values
        elif word in ("error", "crash", "fault", "abort", "input_error", "allocate"):
            failed, error = True, line
    if failed and error is None:
        error = " / ".join(log) or "failed without a message"
    elif error is not None and log:
        error += " (TFLM: " + " / ".join(log) + ")"
    return ScheduleRun(
        ok=not failed, error=error if failed else None, arena_size=arena_size,
        model_arena_used=used,
        outputs=[[outputs[k][i] for i in sorted(outputs[k])] for k in sorted(outputs)],
        invoke_instructions=[invokes[k] for k in sorted(invokes)],
        total_instructions=[totals[k] for k in sorted(totals)], log=tuple(log))


def run_schedule(stage_models, rest_model, schedule: dict, arena_size: int, inputs=(),
                 runner: RunnerBuild | None = None,
                 timeout: float = DEFAULT_TIMEOUT_S) -> ScheduleRun:
    """Run the schedule on each whole network input (int8 arrays of the input's shape) with
    every model in one arena of `arena_size` bytes, on the board build."""
    stage_models = [m if isinstance(m, TFLiteModel) else read_model(m) for m in stage_models]
    rest = rest_model if isinstance(rest_model, TFLiteModel) else read_model(rest_model)
    if len(stage_models) != schedule["stage_models"]:
        raise TinyMLError(f"The schedule names {schedule['stage_models']} stage models; "
                          f"{len(stage_models)} were given.")
    files = {f"stage_{k}.tflite": m.data for k, m in enumerate(stage_models)}
    files["model.tflite"] = rest.data
    files["schedule.bin"] = schedule_bytes(schedule)
    size = int(np.prod(schedule["input_shape"]))
    for k, sample in enumerate(inputs):
        values = np.asarray(sample).astype(np.int8).reshape(-1)
        if values.size != size:
            raise TinyMLError(f"An input has {values.size} values; the network input "
                              f"{schedule['input_shape']} takes {size}.")
        files[f"input_{k}.bin"] = values.tobytes()
    job = {"mode": "patch", "arena": int(arena_size), "inputs": len(list(inputs))}
    return _parse(run_job(job, files, runner, timeout), rest, int(arena_size))


def schedule_min_arena(stage_models, rest_model, schedule: dict, sample,
                       runner: RunnerBuild | None = None) -> int:
    """The smallest arena (bytes) in which the whole schedule runs on one input, by
    bisection: every larger size works too."""
    def runs(size: int) -> bool:
        return run_schedule(stage_models, rest_model, schedule, size, [sample], runner).ok

    first = run_schedule(stage_models, rest_model, schedule, MAX_ARENA, [sample], runner)
    if not first.ok:
        raise TinyMLError(f"The schedule does not run even in {MAX_ARENA:,} B: {first.error}")
    hi = first.arena_used_bytes
    while not runs(hi):
        hi += 1024
    lo = max(0, hi - 4096)
    while lo > 0 and runs(lo):
        lo = max(0, lo - 4096)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if runs(mid) else (mid, hi)
    return hi
