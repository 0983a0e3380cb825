"""Fuzz `export` and `predict` with single-byte changes of a committed sketch model.

    python tests/fuzz_flips.py [--flips 300] [--seed 0] [--sketch gesture] [--json]

Each case changes one byte of the sketch's model (a seeded choice of position and new
value), then runs `python -m tinyml_lab export` of it into a copy of the sketch and, when
the export is accepted, `predict` on a fixed recording, both through tinyml_lab.cli.main
in this one process. Every case must end in exit status 0 or 2 (a clear refusal); a
traceback (a bug), any other status or a crash (this process dies) is a failure. A refused
export must leave the sketch's files as they were. Prints one line per failure and a
summary with the time taken; exit status 1 if anything failed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import the package next to tests/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from tinyml_lab.cli import main as cli_main


def flips(data: bytes, count: int, seed: int) -> list[tuple[int, int]]:
    """(position, new byte) pairs, each new byte different from the old one."""
    rng = np.random.default_rng(seed)
    positions = rng.integers(0, len(data), count)
    offsets = rng.integers(1, 256, count)  # never 0: the byte always changes
    return [(int(p), (data[p] + int(o)) % 256) for p, o in zip(positions, offsets)]


def _cli(argv: list[str]) -> tuple[int | None, str]:
    """(exit status, stderr) of one command; (None, traceback) for an unexpected exception."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    except BaseException:  # noqa: BLE001 - this is what the fuzz looks for
        return None, traceback.format_exc()
    return code, err.getvalue()


def _recording(path: Path) -> Path:
    """One fixed, physically plausible gesture (a swing of the arm) in IMU_Capture format."""
    from tinyml_lab.chapters.gesture.data import write_recordings

    t = np.arange(119) / 119.0
    window = np.zeros((1, 119, 6), np.float32)
    window[0, :, 0] = 2.5 * np.sin(2 * np.pi * t)
    window[0, :, 2] = 1.0
    window[0, :, 4] = 400.0 * np.cos(2 * np.pi * t)
    return write_recordings(path, window)


def _files_sha(sketch: Path) -> str:
    from tinyml_lab.core.export import GENERATED_FILES

    digest = hashlib.sha256()
    for name in GENERATED_FILES:
        digest.update((sketch / name).read_bytes())
    return digest.hexdigest()


def fuzz(count: int, seed: int, sketch_name: str, workdir: Path, echo=print,
         verbose: bool = False) -> dict:
    from tinyml_lab.core.deployed import default_sketch, load_deployed
    from tinyml_lab.core.export import export_to_sketch, sketch_copy

    deployed = load_deployed(default_sketch(sketch_name))
    sketch = sketch_copy(sketch_name, workdir)
    export_to_sketch(deployed.model, sketch, None, "fuzz: original", deployed.labels)
    recording = _recording(workdir / "recording.csv")
    model_path = workdir / "flipped.tflite"
    labels = ",".join(deployed.labels)
    summary = {"flips": count, "seed": seed, "sketch": sketch_name,
               "model_bytes": deployed.model.size_bytes, "export_refused": 0,
               "export_accepted": 0, "predicted": 0, "predict_refused": 0, "failures": []}
    start = time.perf_counter()
    for k, (position, value) in enumerate(flips(deployed.model.data, count, seed)):
        case = f"case {k}: byte {position} -> 0x{value:02x}"
        if verbose:  # before running it: if this process crashes, the last line says where
            print(case, file=sys.stderr, flush=True)
        flipped = bytearray(deployed.model.data)
        flipped[position] = value
        model_path.write_bytes(bytes(flipped))
        before = _files_sha(sketch)
        code, err = _cli(["export", str(model_path), "--sketch", str(sketch), "--labels", labels,
                          "--source", case, "--estimate-cost"])  # no board emulator per case
        if code == 2:
            summary["export_refused"] += 1
            if _files_sha(sketch) != before:
                summary["failures"].append(f"{case}: a refused export changed the sketch")
            continue
        if code != 0:
            summary["failures"].append(f"{case}: export exit {code}\n{err}")
            continue
        summary["export_accepted"] += 1
        code, err = _cli(["predict", sketch_name, str(recording), "--sketch", str(sketch),
                          "--json"])
        if code in (0, 2):
            summary["predicted" if code == 0 else "predict_refused"] += 1
        else:
            summary["failures"].append(f"{case}: predict exit {code}\n{err}")
        if (k + 1) % 50 == 0:
            echo(f"{k + 1}/{count} cases, {time.perf_counter() - start:.1f} s")
    summary["seconds"] = round(time.perf_counter() - start, 1)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flips", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sketch", default="gesture")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--verbose", action="store_true", help="name each case on stderr first")
    args = parser.parse_args(argv)
    progress = (lambda line: print(line, file=sys.stderr, flush=True)) if args.json else print
    with tempfile.TemporaryDirectory() as tmp:
        summary = fuzz(args.flips, args.seed, args.sketch, Path(tmp), echo=progress,
                       verbose=args.verbose)
    if args.json:
        print(json.dumps(summary))
    else:
        for failure in summary["failures"]:
            print(f"FAILED {failure}")
        print(f"{summary['flips']} single-byte changes of the {summary['sketch']} sketch model "
              f"({summary['model_bytes']:,} B), seed {summary['seed']}: "
              f"{summary['export_refused']} exports refused, {summary['export_accepted']} "
              f"accepted; of those {summary['predicted']} predicted, "
              f"{summary['predict_refused']} refused; {len(summary['failures'])} failures; "
              f"{summary['seconds']} s")
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
