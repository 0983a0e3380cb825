"""Patch-based inference of the person detector on the board build, measured.

Usage: python benchmarks/patch_inference.py [--grid N --stage-ops K ...] [--json]
Needs the Arm toolchain, QEMU and the pinned core and library (see tinyml_lab.core.board).
For the person_detection_patch sketch's plan (and each extra --grid/--stage-ops plan of
the committed detector) prints: activation peak, arena (the estimate, and the arena used on
the board), MACs, and instructions per inference on the emulated Cortex-M4 (every Invoke,
and the whole schedule with the models' set-up and the copies) next to the person_detection
sketch's, on a few real scenes, and whether the int8 outputs are identical. Instructions are
a lower bound on cycles: the latency figure assumes one cycle each at 64 MHz.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.board_support import SKETCHES, real_inputs, sketch_model  # noqa: E402
from tinyml_lab.core.board.emulator import run_model  # noqa: E402
from tinyml_lab.core.board.schedule import run_schedule  # noqa: E402
from tinyml_lab.core.report import format_table  # noqa: E402
from tinyml_lab.optimisation.patch import analyse  # noqa: E402
from tinyml_lab.optimisation.patch.sketch import read_patch_sketch  # noqa: E402

MHZ = 64


def figures(model, layer_arena: int, inputs, grid: int, stage_ops: int, layer_run) -> dict:
    report = analyse(model, grid, stage_ops)
    plan, arenas = report.plan, report.arenas
    arena = max(*arenas.stage_arena_bytes, arenas.rest_arena_bytes)
    run = run_schedule(plan.stage_models, plan.rest_model, plan.schedule(), arena, inputs)
    if not run.ok:
        raise SystemExit(f"the {grid}x{grid}/{stage_ops} schedule failed on the board: {run.error}")
    identical = all(np.array_equal(a[0], b[0]) for a, b in zip(run.outputs, layer_run.outputs))
    return {
        "plan": f"{grid}x{grid}, {stage_ops} ops", "stage_models": len(plan.stage_models),
        "peak_bytes": report.costs.patch_peak_bytes,
        "arena_bytes": arena + arenas.stage_output_bytes,
        "arena_used_on_board": run.arena_used_bytes, "macs": report.costs.macs_patch,
        "invoke_instructions": max(run.invoke_instructions),
        "total_instructions": max(run.total_instructions),
        "min_latency_ms": round(max(run.total_instructions) / (MHZ * 1e3), 1),
        "identical_to_layer_by_layer": identical,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, action="append", default=[])
    parser.add_argument("--stage-ops", type=int, action="append", default=[])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    model, layer_arena = sketch_model("person_detection")
    inputs = real_inputs("person_detection", model)
    layer_run = run_model(model, layer_arena, inputs)
    if not layer_run.ok:
        raise SystemExit(f"person_detection does not run at its arena: {layer_run.error}")
    sketch = read_patch_sketch(SKETCHES / "person_detection_patch")
    plans = [(sketch.schedule["grid"], sketch.schedule["stage_ops"])]
    plans += list(zip(args.grid, args.stage_ops))
    report = analyse(model, *plans[0])
    rows = [{"plan": "layer by layer (person_detection)", "stage_models": 0,
             "peak_bytes": report.costs.layer_peak_bytes, "arena_bytes": layer_arena,
             "arena_used_on_board": layer_run.arena_used_bytes, "macs": report.costs.macs_layer,
             "invoke_instructions": max(layer_run.instructions),
             "total_instructions": max(layer_run.instructions),
             "min_latency_ms": round(max(layer_run.instructions) / (MHZ * 1e3), 1),
             "identical_to_layer_by_layer": True}]
    for n, plans_k in plans:
        rows.append(figures(model, layer_arena, inputs, n, plans_k, layer_run))
        print(f"measured {rows[-1]['plan']}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    keys = list(rows[0])
    print(format_table(keys, [[r[k] for k in keys] for r in rows]))
    print(f"(on {len(inputs)} real scenes; the arena of a patch plan includes its stage-output "
          "buffer; instructions are a lower bound on cycles)")


if __name__ == "__main__":
    main()
