"""Run a model on the emulated Cortex-M4: arena used and needed, outputs, instructions.

The runner firmware (firmware/runner.cc, built by build.py) is started in
qemu-system-arm -M mps2-an386 with semihosting, in a temporary job folder holding the job,
the model and the inputs; it writes result.txt there. -icount shift=7 makes QEMU's virtual
clock advance exactly 128 ns per executed instruction, and the runner reads the AN386's
25 MHz timer (40 ns a tick) around Invoke(): ticks * 40 / 128, rounded, is the exact number
of instructions (the quantisation error is below 0.32 instruction; `calibrate()` checks it
on loops of known length). Instructions are a lower bound on cycles: the Nano's M4 needs
at least one cycle each, more for loads, multiplies and flash wait states.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from tinyml_lab.core.board.build import RunnerBuild, build_runner
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import TFLiteModel, read_model

ICOUNT_SHIFT = 7
NS_PER_INSTRUCTION = 1 << ICOUNT_SHIFT
NS_PER_TICK = 40  # the AN386 system clock, 25 MHz
DEFAULT_TIMEOUT_S = 300
MAX_ARENA = 8 << 20  # the runner's arena buffer (an386.ld)


class BoardRunError(TinyMLError):
    """The emulator or the runner failed in a way that says nothing about the model."""


def ticks_to_instructions(ticks: int) -> int:
    return round(ticks * NS_PER_TICK / NS_PER_INSTRUCTION)


@dataclass(frozen=True)
class BoardRun:
    """What one run of a model on the emulated board reported."""

    ok: bool                         # AllocateTensors and every Invoke succeeded
    error: str | None                # TFLM's own words (or the crash) when not ok
    arena_size: int
    arena_used_bytes: int | None
    outputs: list = field(default_factory=list)        # per Invoke: [array per output]
    instructions: list = field(default_factory=list)   # per Invoke
    op_instructions: list = field(default_factory=list)  # per Invoke: [(op name, count)]
    log: tuple = ()                  # every line TFLM logged

    @property
    def allocated(self) -> bool:
        return self.arena_used_bytes is not None


@lru_cache(maxsize=1)
def _qemu() -> str:
    from tinyml_lab.core.board.inputs import require_inputs

    return str(require_inputs().qemu)


@lru_cache(maxsize=1)
def default_runner() -> RunnerBuild:
    """The runner from the cache (built on first use); one build per process."""
    return build_runner()


def qemu_command(qemu: str, firmware: Path) -> list[str]:
    return [qemu, "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "null",
            "-semihosting-config", "enable=on,target=native",
            "-icount", f"shift={ICOUNT_SHIFT},align=off,sleep=off", "-kernel", str(firmware)]


def run_job(job: dict, files: dict[str, bytes], runner: RunnerBuild | None = None,
            timeout: float = DEFAULT_TIMEOUT_S, firmware: Path | None = None) -> list[str]:
    """Run the runner (or another `firmware` built by build_program) on one job; returns
    result.txt's lines (the last one is "end" when the program finished; a crash or timeout
    ends with a "crash ..." line instead)."""
    firmware = firmware or (runner or default_runner()).firmware
    with tempfile.TemporaryDirectory(prefix="tinyml_board_") as tmp:
        folder = Path(tmp)
        (folder / "job.txt").write_text("".join(f"{k} {v}\n" for k, v in job.items()))
        for name, data in files.items():
            (folder / name).write_bytes(data)
        try:
            proc = subprocess.run(qemu_command(_qemu(), firmware), cwd=folder,
                                  capture_output=True, text=True, timeout=timeout,
                                  check=False)
            crash = f"crash qemu exit status {proc.returncode}: {proc.stderr.strip()[-500:]}"
        except subprocess.TimeoutExpired:
            proc, crash = None, f"crash no answer within {timeout:.0f} s (the runner hung)"
        result = folder / "result.txt"
        lines = result.read_text(errors="replace").splitlines() if result.is_file() else []
    if not lines or lines[-1] != "end":
        lines.append(crash)
    return lines


def _input_bytes(model: TFLiteModel, sample) -> bytes:
    arrays = sample if isinstance(sample, (tuple, list)) else (sample,)
    if len(arrays) != len(model.inputs):
        raise TinyMLError(f"The model has {len(model.inputs)} inputs; a sample gave {len(arrays)}.")
    out = b""
    for array, tensor in zip(arrays, model.input_tensors):
        array = np.asarray(array)
        if array.dtype.kind == "f" and tensor.dtype != array.dtype.name:
            raise TinyMLError(f"Input {tensor.name or tensor.index} is {tensor.dtype}: quantize "
                              "the sample first (tinyml_lab.core.tflm.quantize).")
        values = array.astype(tensor.dtype).reshape(-1)
        if values.size * values.itemsize != tensor.nbytes:
            raise TinyMLError(f"Input {tensor.name or tensor.index} takes {tensor.nbytes} bytes "
                              f"(shape {tensor.shape}); a sample gave {values.size} values.")
        out += values.astype(values.dtype.newbyteorder("<")).tobytes()
    return out


def decode_output(model: TFLiteModel, record: str) -> tuple[int, int, np.ndarray]:
    """An "out <k> <i> <hex>" record: (invocation, output index, the tensor's values)."""
    k, i, data = (record.split() + [""])[:3]
    tensor = model.output_tensors[int(i)]
    little = np.dtype(tensor.dtype).newbyteorder("<")
    values = np.frombuffer(bytes.fromhex(data), dtype=little).astype(tensor.dtype)
    return int(k), int(i), values.reshape(tensor.shape)


def _parse(lines: list[str], model: TFLiteModel, arena_size: int) -> BoardRun:
    log, used, error = [], None, None
    outputs, instructions, ops = {}, {}, {}
    empty = empty_event = 0
    failed = False
    for line in lines:
        word, _, rest = line.partition(" ")
        if word == "log":
            log.append(rest)
        elif word == "allocate" and rest != "ok":
            failed = True
        elif word == "arena_used":
            used = int(rest)
        elif word == "empty_ticks":
            empty = ticks_to_instructions(int(rest))
        elif word == "empty_event_ticks":
            empty_event = ticks_to_instructions(int(rest))
        elif word == "invoke":
            k, status, ticks = rest.split()
            failed |= status != "ok"
            instructions[int(k)] = ticks_to_instructions(int(ticks)) - empty
        elif word == "out":
            k, i, values = decode_output(model, rest)
            outputs.setdefault(k, {})[i] = values
        elif word == "op":
            k, _, name, ticks = rest.split()
            count = ticks_to_instructions(int(ticks)) - empty_event
            ops.setdefault(int(k), []).append((name, count))
        elif word in ("error", "crash", "fault", "abort", "input_error"):
            failed, error = True, line
    if failed and error is None:
        error = " / ".join(log) or "failed without a message"
    elif error is not None and log:
        error += " (TFLM: " + " / ".join(log) + ")"
    ordered = [outputs[k] for k in sorted(outputs)]
    return BoardRun(
        ok=not failed, error=error if failed else None, arena_size=arena_size,
        arena_used_bytes=used,
        outputs=[[o[i] for i in sorted(o)] for o in ordered],
        instructions=[instructions[k] for k in sorted(instructions)],
        op_instructions=[ops[k] for k in sorted(ops)], log=tuple(log))


def run_model(model_bytes: bytes | TFLiteModel, arena_size: int, inputs=(),
              profile_ops: bool = False, runner: RunnerBuild | None = None,
              timeout: float = DEFAULT_TIMEOUT_S) -> BoardRun:
    """AllocateTensors at `arena_size`, then one Invoke per sample in `inputs` (an integer
    array per sample, or a tuple of them for several input tensors), on the board build."""
    model = model_bytes if isinstance(model_bytes, TFLiteModel) else read_model(model_bytes)
    inputs = list(inputs)
    files = {"model.tflite": model.data}
    files.update({f"input_{k}.bin": _input_bytes(model, s) for k, s in enumerate(inputs)})
    job = {"mode": "run", "arena": int(arena_size), "inputs": len(inputs),
           "profile": int(profile_ops)}
    return _parse(run_job(job, files, runner, timeout), model, int(arena_size))


def allocates(model_bytes: bytes | TFLiteModel, arena_size: int,
              runner: RunnerBuild | None = None) -> bool:
    """Whether AllocateTensors succeeds at this arena size (a crash counts as no)."""
    return run_model(model_bytes, arena_size, (), runner=runner).allocated


def min_arena(model_bytes: bytes | TFLiteModel, step: int = 1,
              runner: RunnerBuild | None = None) -> int:
    """The smallest arena (a multiple of `step`) that allocates, by bisection: every larger
    size works too. step=1 gives the byte; step=16 what a sketch constant can be."""
    model = model_bytes if isinstance(model_bytes, TFLiteModel) else read_model(model_bytes)
    roomy = MAX_ARENA
    first = run_model(model, roomy, (), runner=runner)
    if not first.allocated:
        raise TinyMLError(f"The model does not allocate even in {roomy:,} B: {first.error}")
    used = first.arena_used_bytes
    hi, gap = -(-used // step) * step, 64 * step
    while not allocates(model, hi, runner):  # the minimum can be a little above `used`
        hi, gap = hi + gap, gap * 2
    lo = max(0, (used - 1024) // step * step)
    while lo > 0 and allocates(model, lo, runner):
        lo = max(0, (lo - 4096) // step * step)
    while hi - lo > step:  # lo does not allocate (or is 0), hi does
        mid = (lo + hi) // 2 // step * step
        lo, hi = (lo, mid) if allocates(model, mid, runner) else (mid, hi)
    return hi


def calibrate(runner: RunnerBuild | None = None) -> list[tuple[int, int]]:
    """(n, measured instructions) for loops of exactly 1 + 2n instructions."""
    lines = run_job({"mode": "calibrate"}, {}, runner)
    return [(int(a), ticks_to_instructions(int(b)))
            for word, a, b in (l.split() for l in lines if l.startswith("loop "))]


def struct_sizes(runner: RunnerBuild | None = None) -> dict[str, tuple[int, int]]:
    """sizeof and alignof of TFLM's structs as the board build lays them out."""
    lines = run_job({"mode": "sizes"}, {}, runner)
    return {p[1]: (int(p[2]), int(p[3])) for p in (l.split() for l in lines)
            if p[0] == "sizeof"}


def trace_allocations(model_bytes: bytes | TFLiteModel, arena_size: int,
                      runner: RunnerBuild | None = None) -> list[str]:
    """Every arena allocation AllocateTensors makes, in order ("persistent SIZE ALIGN
    TAIL_OFFSET", "temp SIZE ALIGN", "resize SIZE ALIGN"): what an estimator must replay."""
    model = model_bytes if isinstance(model_bytes, TFLiteModel) else read_model(model_bytes)
    lines = run_job({"mode": "trace", "arena": int(arena_size), "inputs": 0},
                    {"model.tflite": model.data}, runner)
    return [l.removeprefix("trace ") for l in lines
            if l.startswith(("trace ", "allocate", "arena_used", "log"))]
