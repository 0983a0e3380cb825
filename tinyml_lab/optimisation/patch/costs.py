"""What a patch plan costs and saves, next to layer-by-layer: live activation bytes per op,
peaks, MACs (the halos' recomputation), the board arena of each part, and a sweep over
grid and stage depth that picks the plan with the lowest peak within a MAC budget.

Activation bytes are the tensors alive while an op runs, exact (no alignment, no kernel
scratch): what a perfect memory planner needs. In the patch schedule, while a patch runs,
that is its own model's live tensors plus the whole stage output the patches assemble;
afterwards, the rest of the network's. The network input is not counted in the patch
schedule: the patches read it region by region from wherever it comes from (the camera's
frame buffer in the patch sketch, which both schedules hold anyway); `input_bytes` says
how much a copy of it would add (`patch_peak_with_input_bytes`).

The arenas are what the Nano 33 BLE sketches declare (tinyml_lab.core.arena for the
cortex-m-cmsis-nn build: planned activations, kernel scratch, persistent data): for the
patch schedule, one arena the stage models and the rest model take turns in, plus the
stage output buffer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from tinyml_lab.core.arena import live_tensor_bytes, model_live_bytes, sketch_arena_bytes
from tinyml_lab.core.cost import InferenceCost, board_tools_missing, estimated_instructions
from tinyml_lab.core.report import op_macs
from tinyml_lab.core.tflite_file import TFLiteModel
from tinyml_lab.optimisation.patch.plan import PatchPlan, stage_graphs
from tinyml_lab.optimisation.patch.stage import (
    PatchGraph,
    PatchPlanError,
    Stage,
    find_stage,
    stage_ends,
    step_macs,
)

DEFAULT_GRIDS = (2, 3, 4, 5, 6)
MAX_MAC_OVERHEAD = 0.30  # the default plan's budget: at most 30 % more MACs


def graph_live_bytes(graph: PatchGraph) -> list[tuple[int, int]]:
    """(network op, live bytes) for each step of a patch model."""
    op_io = [(tuple(n for n in s.inputs if n is not None), (s.output,)) for s in graph.steps]
    live = live_tensor_bytes(op_io, [n.nbytes for n in graph.nodes], [graph.input],
                             [graph.output])
    return [(s.op, b) for s, b in zip(graph.steps, live)]


@dataclass(frozen=True)
class PlanCosts:
    """One plan's memory and compute next to the layer-by-layer schedule's."""

    grid: int
    stage_ops: int
    layer_live: tuple[int, ...]   # per network op
    patch_live: tuple[int, ...]   # per network op: the most alive while it runs, any patch
    macs_layer: int
    macs_patch: int
    input_bytes: int
    stage_output_bytes: int
    stage_models: int
    op_macs_layer: tuple[int, ...] = field(default=(), repr=False)
    op_macs_patch: tuple[int, ...] = field(default=(), repr=False)  # summed over patches

    @property
    def layer_peak_bytes(self) -> int:
        return max(self.layer_live)

    @property
    def patch_peak_bytes(self) -> int:
        return max(self.patch_live)

    @property
    def patch_peak_with_input_bytes(self) -> int:
        stage = max(self.patch_live[: self.stage_ops])
        return max(stage + self.input_bytes, max(self.patch_live[self.stage_ops:], default=0))

    @property
    def peak_ratio(self) -> float:
        return self.patch_peak_bytes / self.layer_peak_bytes

    @property
    def mac_overhead(self) -> float:
        """Extra MACs of the patch schedule, as a fraction of layer-by-layer's."""
        return self.macs_patch / self.macs_layer - 1

    def as_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if not k.startswith("op_macs")}
        out.update(layer_peak_bytes=self.layer_peak_bytes,
                   patch_peak_bytes=self.patch_peak_bytes,
                   patch_peak_with_input_bytes=self.patch_peak_with_input_bytes,
                   peak_ratio=round(self.peak_ratio, 4),
                   mac_overhead=round(self.mac_overhead, 4))
        for key in ("layer_live", "patch_live"):
            out[key] = list(out[key])
        return out


def stage_costs(stage: Stage, grid: int, graphs=None) -> PlanCosts:
    """Costs of splitting `stage` on a grid x grid, from the patch graphs alone (no model
    is written: fast enough to sweep)."""
    model = stage.model
    graphs = graphs if graphs is not None else [g for _, _, g in stage_graphs(stage, grid)]
    layer_live = model_live_bytes(model)
    macs = [m for _, m in op_macs(model)]
    resident = model.tensors[stage.output].nbytes
    patch_live = [0] * len(model.operators)
    patch_macs = [0] * stage.ops + macs[stage.ops:]
    for graph in graphs:
        for op, live in graph_live_bytes(graph):
            patch_live[op] = max(patch_live[op], resident + live)
        for step, step_mac in zip(graph.steps, step_macs(model, graph)):
            patch_macs[step.op] += step_mac
    rest_ops = model.operators[stage.ops:]
    sizes = [0 if t.is_constant or t.is_variable else t.nbytes for t in model.tensors]
    rest_live = live_tensor_bytes([(op.inputs, op.outputs) for op in rest_ops], sizes,
                                  [stage.output], model.outputs)
    patch_live[stage.ops:] = rest_live
    return PlanCosts(
        grid=grid, stage_ops=stage.ops, layer_live=tuple(layer_live),
        patch_live=tuple(patch_live), macs_layer=sum(macs), macs_patch=sum(patch_macs),
        input_bytes=model.tensors[stage.input].nbytes, stage_output_bytes=resident,
        stage_models=len({g.signature() for g in graphs}),
        op_macs_layer=tuple(macs), op_macs_patch=tuple(patch_macs))


def plan_costs(plan: PatchPlan) -> PlanCosts:
    return stage_costs(find_stage(plan.source, plan.stage_ops), plan.grid, plan.graphs)


def sweep(model: TFLiteModel, grids: Iterable[int] = DEFAULT_GRIDS,
          stage_ops: Iterable[int] | None = None) -> list[PlanCosts]:
    """Costs of every plan that can be made: each grid, each stage depth (every K for which
    the first K ops form a stage, unless given). Plans that cannot be exact (a pool padded
    at the edge, a grid finer than the stage output) are left out."""
    points = []
    for k in (stage_ends(model) if stage_ops is None else stage_ops):
        stage = find_stage(model, k)
        height, width = stage.spatial(stage.output)
        for grid in grids:
            if grid > min(height, width):
                continue
            try:
                points.append(stage_costs(stage, grid))
            except PatchPlanError:
                continue
    return points


def best(points: list[PlanCosts], max_mac_overhead: float = MAX_MAC_OVERHEAD) -> PlanCosts:
    """The lowest activation peak within the MAC budget; ties: fewer MACs, smaller grid,
    shorter stage."""
    allowed = [p for p in points if p.mac_overhead <= max_mac_overhead + 1e-12]
    if not allowed:
        raise PatchPlanError(
            f"No plan stays within {max_mac_overhead:.0%} extra MACs (of {len(points)} tried): "
            "give --grid and --stage-ops to see a plan anyway.")
    return min(allowed, key=lambda p: (p.patch_peak_bytes, p.macs_patch, p.grid, p.stage_ops))


@dataclass(frozen=True)
class BoardArenas:
    """What each schedule needs on the Nano 33 BLE build, in bytes."""

    layer_arena_bytes: int          # the whole model's arena (as its sketch declares it)
    stage_arena_bytes: tuple[int, ...]  # each stage model's
    rest_arena_bytes: int
    stage_output_bytes: int         # the buffer the tiles are assembled in (16-aligned)

    @property
    def patch_arena_bytes(self) -> int:
        """One arena the parts take turns in, plus the stage output buffer."""
        return max(*self.stage_arena_bytes, self.rest_arena_bytes) + self.stage_output_bytes


def board_arenas(plan: PatchPlan) -> BoardArenas:
    output = plan.output_tensor.nbytes
    return BoardArenas(
        layer_arena_bytes=sketch_arena_bytes(plan.source),
        stage_arena_bytes=tuple(sketch_arena_bytes(m) for m in plan.stage_models),
        rest_arena_bytes=sketch_arena_bytes(plan.rest_model),
        stage_output_bytes=-(-output // 16) * 16)


def schedule_cost(plan: PatchPlan, measure: bool | None = None, inputs=None) -> InferenceCost:
    """Instructions one frame of the patch schedule takes on the Nano 33 BLE build (every
    model's set-up, Invoke() and the copies): measured on the emulated board where its tools
    are here (measure=None; on `inputs`, or an input at the zero point), else estimated as
    the sum of every Invoke's MAC estimate (tinyml_lab.core.cost)."""
    if measure is None:
        measure = board_tools_missing() is None
    if not measure:
        total = sum(estimated_instructions(plan.stage_models[p.model]) for p in plan.patches)
        return InferenceCost(total + estimated_instructions(plan.rest_model), False)
    import numpy as np

    from tinyml_lab.core.board.emulator import MAX_ARENA
    from tinyml_lab.core.board.schedule import run_schedule

    zero = int(plan.input_tensor.zero_points[0])
    samples = inputs if inputs is not None else [
        np.full(plan.input_tensor.shape[1:], zero, np.int8)]
    run = run_schedule(plan.stage_models, plan.rest_model, plan.schedule(), MAX_ARENA, samples)
    if not run.ok:
        raise PatchPlanError(f"The patch schedule does not run on the board build: {run.error}")
    return InferenceCost(max(run.total_instructions), True,
                         arena_used_bytes=run.arena_used_bytes)


def report_dict(plan: PatchPlan, costs: PlanCosts, arenas: BoardArenas,
                verification=None) -> dict:
    """What `python -m tinyml_lab patch --json` prints."""
    return {
        "layer_peak_bytes": costs.layer_peak_bytes,
        "patch_peak_bytes": costs.patch_peak_bytes,
        "layer_arena_bytes": arenas.layer_arena_bytes,
        "patch_arena_bytes": arenas.patch_arena_bytes,
        "macs_layer": costs.macs_layer,
        "macs_patch": costs.macs_patch,
        "grid": plan.grid,
        "stage_ops": plan.stage_ops,
        "verified_inputs": verification.inputs if verification else 0,
        "max_abs_diff": verification.max_abs_diff if verification else None,
        "stage_max_abs_diff": verification.stage_max_abs_diff if verification else None,
        "peak_ratio": round(costs.peak_ratio, 4),
        "mac_overhead": round(costs.mac_overhead, 4),
        "input_bytes": costs.input_bytes,
        "patch_peak_with_input_bytes": costs.patch_peak_with_input_bytes,
        "stage_output_bytes": costs.stage_output_bytes,
        "stage_models": len(plan.stage_models),
        "stage_arena_bytes": list(arenas.stage_arena_bytes),
        "rest_arena_bytes": arenas.rest_arena_bytes,
        "layer_live_bytes": list(costs.layer_live),
        "patch_live_bytes": list(costs.patch_live),
    }
