"""The committed sketch models on the board build: arena and instructions, measured.

Usage: python benchmarks/board_figures.py [--json]
Needs the Arm toolchain, QEMU and the pinned core and library (see tinyml_lab.core.board);
the first run builds the library (minutes). For each model sketch prints: its
kTensorArenaSize, whether AllocateTensors succeeds there (TFLM's message if not), the
arena used and the minimum arena on the board build, the cortex-m-cmsis-nn estimate and
the constant it gives (tinyml_lab.core.arena.sketch_arena_bytes), instructions per Invoke on a
few real inputs (and the lower bound on latency at 64 MHz), and the largest difference
between the board's int8 outputs and the host TFLM runtime's.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.board_support import MODEL_SKETCHES, SKETCHES, real_inputs, sketch_model
from tinyml_lab.core.arena import estimate_arena, sketch_arena_bytes
from tinyml_lab.core.board.build import build_runner
from tinyml_lab.core.board.emulator import MAX_ARENA, min_arena, run_model
from tinyml_lab.core.board.sketch import compile_sketch, sketch_size
from tinyml_lab.core.tflm import MicroInterpreter


def figures(name: str) -> dict:
    model, arena = sketch_model(name)
    inputs = real_inputs(name, model)
    at_sketch = run_model(model, arena, inputs[:1])
    roomy = run_model(model, MAX_ARENA, inputs)
    host = MicroInterpreter(model, arena_size=estimate_arena(model, "python").min_arena_bytes)
    diff = max(int(np.abs(b[0].astype(int) - host.invoke_raw(x).astype(int)).max())
               for x, b in zip(inputs, roomy.outputs))
    est = estimate_arena(model, "cortex-m-cmsis-nn")
    with tempfile.TemporaryDirectory() as tmp:
        size = sketch_size(compile_sketch(SKETCHES / name, None, tmp), build_runner().library)
    return {
        "sketch": name, "kTensorArenaSize": arena, "allocates": at_sketch.ok,
        "tflm_says": at_sketch.error or "ok", "used": roomy.arena_used_bytes,
        "minimum": min_arena(model), "estimate_used": est.used_bytes,
        "estimate_minimum": est.min_arena_bytes, "new_kTensorArenaSize": sketch_arena_bytes(model),
        "instructions": roomy.instructions,
        "min_latency_ms": round(max(roomy.instructions) / 64e3, 1), "max_output_diff": diff,
        "sketch_flash": size.flash_bytes, "sketch_ram": size.ram_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    rows = [figures(name) for name in MODEL_SKETCHES]
    if parser.parse_args().json:
        print(json.dumps(rows, indent=1))
        return
    for r in rows:
        print(f"{r['sketch']}: kTensorArenaSize {r['kTensorArenaSize']:,} "
              f"({'allocates' if r['allocates'] else 'FAILS: ' + r['tflm_says']}); "
              f"board used {r['used']:,}, minimum {r['minimum']:,}; estimate "
              f"{r['estimate_used']:,} / {r['estimate_minimum']:,} -> constant "
              f"{r['new_kTensorArenaSize']:,}; instructions per Invoke {r['instructions']} "
              f"(>= {r['min_latency_ms']} ms at 64 MHz); max |board - host| "
              f"{r['max_output_diff']} steps; sketch's own flash {r['sketch_flash']:,}, RAM "
              f"{r['sketch_ram']:,}")


if __name__ == "__main__":
    main()
