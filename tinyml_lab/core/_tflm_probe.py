"""Child process for arena probing: load a model in TFLM with a given arena size.

Usage: python -m tinyml_lab.core._tflm_probe MODEL.tflite ARENA_BYTES [--report]
Exit 0 when AllocateTensors succeeds (and, with --report, after TFLM printed its
allocation report on stderr), 3 when it fails cleanly. A crash shows as a signal.
"""

import sys

from tinyml_lab.core.tflm import PROBE_ALLOCATION_FAILED, PROBE_OK


def main(argv: list[str]) -> int:
    from tflite_micro.python.tflite_micro import runtime

    path, arena = argv[0], int(argv[1])
    with open(path, "rb") as f:
        data = f.read()
    try:
        interp = runtime.Interpreter.from_bytes(data, arena_size=arena)
    except RuntimeError:
        return PROBE_ALLOCATION_FAILED
    if "--report" in argv:
        sys.stderr.flush()
        interp.print_allocations()
    return PROBE_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
