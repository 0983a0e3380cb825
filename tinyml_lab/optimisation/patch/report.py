"""Choose a patch plan for a model and report it: what `python -m tinyml_lab patch` and the
notebook show. With no grid and no stage depth given, the plan is the one with the lowest
activation peak within 30 % extra MACs (costs.best); with one of them given, the other is
chosen by the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core.report import format_table
from tinyml_lab.core.tflite_file import TFLiteModel, read_model
from tinyml_lab.optimisation.patch.costs import (
    DEFAULT_GRIDS,
    MAX_MAC_OVERHEAD,
    BoardArenas,
    PlanCosts,
    best,
    board_arenas,
    plan_costs,
    report_dict,
    sweep,
)
from tinyml_lab.optimisation.patch.plan import PatchPlan, plan_patches
from tinyml_lab.optimisation.patch.run import Verification, verify

VERIFY_INPUTS = 10


@dataclass(frozen=True)
class PatchReport:
    plan: PatchPlan
    costs: PlanCosts
    arenas: BoardArenas
    verification: Verification | None
    sweep: tuple[PlanCosts, ...]  # the plans compared (only the chosen one when both given)

    def as_dict(self) -> dict:
        return report_dict(self.plan, self.costs, self.arenas, self.verification)


def analyse(model: TFLiteModel | bytes | str | Path, grid: int | None = None,
            stage_ops: int | None = None, verify_inputs: int = 0, seed: int = 0,
            max_mac_overhead: float = MAX_MAC_OVERHEAD) -> PatchReport:
    """Plan (the given grid and stage depth, or the best by the rule above), its costs,
    board arenas and, when verify_inputs > 0, its check against layer by layer in TFLM."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    if grid is not None and stage_ops is not None:
        points = []
    else:
        points = sweep(model, DEFAULT_GRIDS if grid is None else (grid,),
                       None if stage_ops is None else (stage_ops,))
        chosen = best(points, max_mac_overhead)
        grid, stage_ops = chosen.grid, chosen.stage_ops
    plan = plan_patches(model, grid, stage_ops)
    costs = plan_costs(plan)
    checked = verify(plan, verify_inputs, seed) if verify_inputs else None
    return PatchReport(plan, costs, board_arenas(plan), checked, tuple(points) or (costs,))


def format_report(report: PatchReport, top: int = 8) -> str:
    """The plan side by side with layer by layer, and the best of the plans compared."""
    c, a, plan = report.costs, report.arenas, report.plan
    lines = [f"patch plan: the first {plan.stage_ops} ops on a {plan.grid} x {plan.grid} grid "
             f"({len(plan.patches)} patches, {len(plan.stage_models)} distinct stage models), "
             "then the rest of the network"]
    lines.append(format_table(["", "layer by layer", "patch by patch", "patch / layer"], [
        ["activation peak (bytes)", c.layer_peak_bytes, c.patch_peak_bytes,
         f"{c.peak_ratio:.1%}"],
        ["board arena (bytes)", a.layer_arena_bytes, a.patch_arena_bytes,
         f"{a.patch_arena_bytes / a.layer_arena_bytes:.1%}"],
        ["MACs", c.macs_layer, c.macs_patch, f"{c.macs_patch / c.macs_layer:.1%}"],
    ]))
    lines.append(
        f"the stage output ({c.stage_output_bytes:,} B) is assembled in its own buffer; the "
        f"network input ({c.input_bytes:,} B) is read patch by patch from its source "
        f"(a copy of it would make the peak {c.patch_peak_with_input_bytes:,} B); arena: "
        f"stage models {min(a.stage_arena_bytes):,}-{max(a.stage_arena_bytes):,} B, rest "
        f"{a.rest_arena_bytes:,} B, taking turns in one arena")
    if report.verification:
        v = report.verification
        lines.append(f"verified on {v.inputs} random inputs in TFLM: max |difference| "
                     f"{v.max_abs_diff} int8 steps (stage output {v.stage_max_abs_diff})"
                     + (": identical" if v.exact else ": NOT identical"))
    if len(report.sweep) > 1:
        ranked = sorted(report.sweep, key=lambda p: (p.patch_peak_bytes, p.macs_patch))
        lines.append(f"\nplans compared ({len(ranked)}), lowest peak first:")
        lines.append(format_table(
            ["grid", "stage ops", "peak (bytes)", "peak / layer", "extra MACs"],
            [[p.grid, p.stage_ops, p.patch_peak_bytes, f"{p.peak_ratio:.1%}",
              f"{p.mac_overhead:+.1%}"] for p in ranked[:top]]))
    return "\n".join(lines)
