"""Ask a child process whether TFLM can load and run a model before the caller does.

TFLM meets some inputs with a segfault or an abort, not an error: an arena a few bytes
too small, a tensor whose buffer a flipped byte took away, a negative scale. In the caller
that kills a notebook kernel or `python -m tinyml_lab predict` (exit 139). So the in-process
interpreter (tinyml_lab.core.tflm.MicroInterpreter) and the exporter first have the model
allocated and invoked in a child (tinyml_lab.core._tflm_probe) and turn whatever happens
there into a TinyMLError that says what failed.

One long-lived server child per process imports TFLM once and forks a fresh child per
probe: a probe costs milliseconds, not the 0.4 s of starting Python. Where fork does not
exist, each probe starts its own Python. Answers are remembered per (model, arena).
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core._tflm_probe import (
    PROBE_ALLOCATION_FAILED,
    PROBE_ERROR,
    PROBE_INVOKE_FAILED,
    PROBE_OK,
    PROBE_TIMEOUT_S,
)
from tinyml_lab.core.errors import TinyMLError

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding tinyml_lab/
_CACHE_LIMIT = 512


@dataclass(frozen=True)
class ProbeResult:
    """How one probe went: the child's exit status (negative: killed by that signal) and
    what TFLM printed."""

    returncode: int
    stderr: str
    stdout: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == PROBE_OK

    @property
    def crashed(self) -> bool:
        return self.returncode < 0


def _child_env() -> dict:
    env = dict(os.environ, PYTHONFAULTHANDLER="", OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1")
    paths = [str(PACKAGE_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


class _Server:
    """The probe server child of this process, started on first use, restarted if it dies."""

    def __init__(self):
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._owner = os.getpid()

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "tinyml_lab.core._tflm_probe", "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=_child_env(), start_new_session=True)

    def ask(self, data: bytes, arena: int, invoke: bool, report: bool,
            inputs: int | None) -> ProbeResult:
        with self._lock:
            if self._owner != os.getpid():  # a forked copy of the caller: its own server
                self._proc, self._owner = None, os.getpid()
            request = json.dumps({"arena": arena, "invoke": invoke, "report": report,
                                  "inputs": inputs, "size": len(data)}).encode() + b"\n" + data
            for attempt in range(2):
                if self._proc is None or self._proc.poll() is not None:
                    self._proc = self._start()
                try:
                    self._proc.stdin.write(request)
                    self._proc.stdin.flush()
                    line = self._proc.stdout.readline()
                except (BrokenPipeError, OSError):
                    line = b""
                if line:
                    answer = json.loads(line)
                    return ProbeResult(int(answer["status"]), answer["output"])
                self.close()
            raise TinyMLError("The TFLM probe process stopped unexpectedly twice; is the "
                              "tflite_micro wheel pinned in requirements.txt installed?")

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and self._owner == os.getpid():
            try:
                proc.stdin.close()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()


_SERVER = _Server()
atexit.register(_SERVER.close)
_cache: dict[tuple[str, int, bool], ProbeResult] = {}


def _probe_once(data: bytes, arena: int, invoke: bool, report: bool) -> ProbeResult:
    """Without fork (Windows): one Python per probe."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.tflite"
        path.write_bytes(data)
        cmd = [sys.executable, "-m", "tinyml_lab.core._tflm_probe", str(path), str(arena)]
        cmd += ["--invoke"] * invoke + ["--report"] * report
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, env=_child_env(),
                                  timeout=PROBE_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            return ProbeResult(-int(signal.SIGTERM), "timed out")
    return ProbeResult(done.returncode, done.stderr, done.stdout)


def probe(data: bytes, arena: int, invoke: bool = True, report: bool = False,
          inputs: int | None = None) -> ProbeResult:
    """Load the model bytes in TFLM with an `arena`-byte arena in a child process and, with
    invoke, run it twice (`inputs`: how many input tensors, if known). Remembered per
    (model, arena, invoke) unless report is asked."""
    import hashlib

    key = (hashlib.sha256(data).hexdigest(), int(arena), bool(invoke))
    if not report and key in _cache:
        return _cache[key]
    if hasattr(os, "fork"):
        result = _SERVER.ask(bytes(data), int(arena), bool(invoke), bool(report), inputs)
    else:  # pragma: no cover - platforms without fork
        result = _probe_once(bytes(data), int(arena), bool(invoke), bool(report))
    if not report:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[key] = result
    return result


def _signal_name(returncode: int) -> str:
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def _tflm_said(text: str, lines: int = 3) -> str:
    said = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(said[-lines:])


def require_runs(model, arena: int, where: str = "") -> None:
    """TinyMLError unless TFLM allocates `model` (a TFLiteModel) with an `arena`-byte arena
    and invokes it, in a child process. The message says what failed and what to do."""
    result = probe(model.data, arena, invoke=True, inputs=len(model.inputs))
    if result.ok:
        return
    place = f" ({where})" if where else ""
    said = _tflm_said(result.stderr)
    said = f" TFLM said: {said}." if said else ""
    if result.returncode == PROBE_ALLOCATION_FAILED or result.crashed:
        # below the minimum TFLM may fail cleanly or crash: either way, say the minimum
        minimum = _host_minimum(model)
        if minimum is not None and arena < minimum:
            raise TinyMLError(
                f"A {arena:,} B tensor arena{place} is too small for this model: the host "
                f"TFLM runtime needs at least {minimum:,} B (tinyml_lab.core.arena."
                f"estimate_arena(model, 'python')). Give at least {minimum:,} B, or leave the "
                "arena out to have it computed.")
    if result.returncode == PROBE_ALLOCATION_FAILED:
        raise TinyMLError(
            f"TFLM cannot load this model with a {arena:,} B arena{place}.{said} Check the "
            "ops with `python -m tinyml_lab info MODEL`; if the file was copied or edited, "
            "convert and export it again.")
    if result.returncode == PROBE_INVOKE_FAILED:
        raise TinyMLError(f"TFLM cannot run this model: Invoke failed{place}.{said} The model "
                          "is probably corrupt: convert and export it again.")
    if result.crashed:
        what = "timed out" if -result.returncode == signal.SIGALRM else \
            f"crashed ({_signal_name(result.returncode)})"
        raise TinyMLError(
            f"TFLM cannot run this model: it {what} loading and invoking it with a "
            f"{arena:,} B arena{place}, in a child process.{said} The model file is probably "
            "corrupt (a damaged buffer, shape or quantization): convert and export it again.")
    detail = _tflm_said(result.stderr, 1) or f"exit status {result.returncode}"
    kind = "cannot read this model" if result.returncode == PROBE_ERROR else "failed"
    raise TinyMLError(f"TFLM {kind}{place}: {detail}. The model file is probably corrupt: "
                      "convert and export it again.")


def _host_minimum(model) -> int | None:
    from tinyml_lab.core.arena import estimate_arena

    try:
        return estimate_arena(model, "python").min_arena_bytes
    except TinyMLError:
        return None
