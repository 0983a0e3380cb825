"""The patch planner's default plan on MobileNet-style int8 models it was not written for.

Usage: python benchmarks/patch_models.py [--json]
Builds (Keras, random weights, the course's int8 converter; about a minute each on a laptop)
the models of tests/mobilenets.py and two on which patch-based inference gains less, then for
each prints the default plan (lowest activation peak within 30 % extra MACs): grid, stage
depth, peak against layer by layer's, extra MACs, board arena, and the largest output
difference of the two schedules in TFLM on 10 random inputs.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import mobilenets  # noqa: E402
from tinyml_lab.core.deployed import default_sketch, load_deployed  # noqa: E402
from tinyml_lab.core.report import format_table  # noqa: E402
from tinyml_lab.core.tflite_file import read_model  # noqa: E402
from tinyml_lab.optimisation.patch import PatchPlanError, analyse  # noqa: E402

HARDER = {  # where the halo or the rest of the network leaves less to gain
    "mobilenet_v1_0.5_64_gray_5x5": lambda: mobilenets.v1(0.5, (64, 64), 1, kernel=5),
    "separable_97x75_rgb_16-128": lambda: mobilenets.separable_net(
        (97, 75), 3, [16, 32, 32, 64, 64, 128], [1, 2, 1, 2, 2]),
}


def figures(name: str, model) -> dict:
    try:
        report = analyse(model, verify_inputs=10)
    except PatchPlanError as exc:
        return {"model": name, "plan": f"none: {exc}"}
    d = report.as_dict()
    return {"model": name, "plan": f"{d['grid']}x{d['grid']}, {d['stage_ops']} ops",
            "peak": f"{d['patch_peak_bytes']:,} / {d['layer_peak_bytes']:,} B",
            "peak_ratio": d["peak_ratio"], "extra_macs": d["mac_overhead"],
            "arena": f"{d['patch_arena_bytes']:,} / {d['layer_arena_bytes']:,} B",
            "max_abs_diff": d["max_abs_diff"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [figures("person_detection (committed)",
                    load_deployed(default_sketch("person_detection")).model)]
    for name, build in {**{n: (lambda n=n: mobilenets.built(n)) for n in mobilenets.BUILDERS},
                        **HARDER}.items():
        rows.append(figures(name, read_model(build())))
        print(f"done {name}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    keys = ["model", "plan", "peak", "peak_ratio", "extra_macs", "arena", "max_abs_diff"]
    print(format_table(keys, [[r.get(k, "") for k in keys] for r in rows]))


if __name__ == "__main__":
    main()
