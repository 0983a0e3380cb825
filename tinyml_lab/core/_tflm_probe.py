"""The child side of the TFLM guard: load (and run) a model in TFLM where a crash hurts no one.

TFLM answers some models and arenas with a segfault or an abort instead of an error (a
too-small arena, a corrupt buffer, a negative scale): run in the caller, that kills a
notebook kernel or the command line. So tinyml_lab.core.tflm_guard asks a child process.

    python -m tinyml_lab.core._tflm_probe MODEL.tflite ARENA_BYTES [--report] [--invoke]
        one probe; the exit code says how it went (a crash shows as a signal);
    python -m tinyml_lab.core._tflm_probe --serve
        a server that imports TFLM once and forks a fresh child for every request, so a
        probe costs milliseconds instead of a Python start-up. Each request is a JSON line
        {"arena": N, "invoke": bool, "report": bool, "inputs": count of input tensors,
        "size": S} followed by S model bytes;
        each answer a JSON line {"status": exit code or -signal, "output": what TFLM
        printed}. The server stops when its stdin closes.

--invoke runs the model twice after allocating (inputs all zero, then seeded pseudo-random
values), --report prints TFLM's allocation report on stderr.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile

PROBE_OK = 0
PROBE_ERROR = 2  # the probe itself failed (a Python exception: the model is unreadable)
PROBE_ALLOCATION_FAILED = 3  # TFLM refused to load or allocate, cleanly
PROBE_INVOKE_FAILED = 4  # allocated, but Invoke returned an error
PROBE_TIMEOUT_S = 120  # a probe still running after this is killed (SIGALRM)


def run_probe(data: bytes, arena: int, invoke: bool = False, report: bool = False,
              inputs: int | None = None) -> int:
    """Load `data` in TFLM with an `arena`-byte arena, optionally invoke it (filling its
    `inputs` input tensors; read from the model if None); an exit code."""
    import numpy as np
    from tflite_micro.python.tflite_micro import runtime

    try:
        interp = runtime.Interpreter.from_bytes(data, arena_size=arena)
    except RuntimeError:
        return PROBE_ALLOCATION_FAILED
    if invoke:
        if inputs is None:
            from tinyml_lab.core.tflite_file import read_model

            inputs = len(read_model(data).inputs)
        rng = np.random.default_rng(0)
        for fill in ("zeros", "random"):
            for index in range(inputs):
                details = interp.get_input_details(index)
                shape, dtype = tuple(details["shape"]), np.dtype(details["dtype"])
                if fill == "zeros":
                    values = np.zeros(shape, dtype)
                elif dtype.kind in "iu":
                    info = np.iinfo(dtype)
                    values = rng.integers(info.min, info.max, shape, endpoint=True, dtype=dtype)
                elif dtype.kind == "b":
                    values = rng.integers(0, 1, shape, endpoint=True).astype(dtype)
                else:
                    values = rng.standard_normal(shape).astype(dtype)
                interp.set_input(values, index)
            try:
                interp.invoke()
            except RuntimeError:
                return PROBE_INVOKE_FAILED
    if report:
        sys.stderr.flush()
        interp.print_allocations()
    return PROBE_OK


def _probe_in_child(data: bytes, arena: int, invoke: bool, report: bool,
                    inputs: int | None) -> dict:
    """Fork; the child runs the probe with stdout and stderr in a file the answer carries."""
    with tempfile.TemporaryFile() as output:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = PROBE_ERROR
            try:
                os.dup2(output.fileno(), 1)
                os.dup2(output.fileno(), 2)
                signal.alarm(PROBE_TIMEOUT_S)
                code = run_probe(data, arena, invoke, report, inputs)
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, not raised
                os.write(2, f"{type(exc).__name__}: {exc}\n".encode("utf-8", "replace"))
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        output.seek(0)
        text = output.read()[-8000:].decode("utf-8", "replace")
    return {"status": os.waitstatus_to_exitcode(status), "output": text}


def serve(requests, answers) -> None:
    """Answer probe requests (binary streams) until `requests` ends."""
    while True:
        line = requests.readline()
        if not line:
            return
        request = json.loads(line)
        data = requests.read(request["size"])
        answer = _probe_in_child(data, int(request["arena"]), bool(request.get("invoke")),
                                 bool(request.get("report")), request.get("inputs"))
        answers.write(json.dumps(answer).encode() + b"\n")
        answers.flush()


def main(argv: list[str]) -> int:
    if argv == ["--serve"]:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashing child leaves no core
        except (ImportError, ValueError, OSError):
            pass
        import numpy  # noqa: F401 - imported once here, not in every forked child
        from tflite_micro.python.tflite_micro import runtime  # noqa: F401

        serve(sys.stdin.buffer, sys.stdout.buffer)
        return 0
    path, arena = argv[0], int(argv[1])
    with open(path, "rb") as f:
        data = f.read()
    return run_probe(data, arena, invoke="--invoke" in argv, report="--report" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
