"""Patch-based inference (MCUNetV2's idea) for any int8 CNN .tflite, run for real in TFLM.

A CNN's first layers hold the largest feature maps; running its first K ops one tile of
their output at a time keeps only a tile's activations alive, at the price of
recomputing the overlapping halos. One job per module: geometry (the halo arithmetic),
stage (which ops can be split, what one patch computes), plan (the per-patch stage models
and the rest of the network as .tflite files), run (the schedule in TFLM, and its check
against layer by layer), costs (memory, MACs, arenas, the sweep), report (choose a plan,
print it), plots, sketch (the files of a patch-based sketch).
"""

from tinyml_lab.optimisation.patch.costs import (
    PlanCosts,
    best,
    board_arenas,
    plan_costs,
    schedule_cost,
    sweep,
)
from tinyml_lab.optimisation.patch.plan import Patch, PatchPlan, plan_patches
from tinyml_lab.optimisation.patch.report import PatchReport, analyse, format_report
from tinyml_lab.optimisation.patch.run import PatchRunner, Verification, run_patch_schedule, verify
from tinyml_lab.optimisation.patch.stage import PatchPlanError, find_stage, stage_ends

__all__ = [
    "Patch", "PatchPlan", "PatchPlanError", "PatchReport", "PatchRunner", "PlanCosts",
    "Verification", "analyse", "best", "board_arenas", "find_stage", "format_report",
    "plan_costs", "plan_patches", "run_patch_schedule", "schedule_cost", "stage_ends", "sweep",
    "verify",
]
