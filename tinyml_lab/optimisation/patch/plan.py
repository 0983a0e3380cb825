"""A patch plan: a model split into per-patch stage models and the rest of the network,
written as .tflite files that reuse the original's quantized weights and quantization.

Patches whose computation is the same (same shapes, same cuts and pads: the interior ones,
and edge ones of the same kind) share one stage model, so a 4 x 4 grid needs at most nine.
`run_patch_schedule` (run.py) and the board driver (patch_runner.h) run a plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.core.tflite_file import TFLiteModel, read_model
from tinyml_lab.core.tflite_write import ModelWriter, extract_ops
from tinyml_lab.optimisation.patch.geometry import VALID, Region, tiles
from tinyml_lab.optimisation.patch.stage import (
    PatchGraph,
    PatchPlanError,
    Stage,
    find_stage,
    patch_graph,
)


@dataclass(frozen=True)
class Patch:
    """One tile of the stage output and what computes it."""

    row: int
    col: int
    tile: Region          # rows and cols of the stage output it produces
    input_region: Region  # rows and cols of the network input it reads (past the edges: padding)
    model: int            # index of its stage model in PatchPlan.stage_models


def stage_graphs(stage: Stage, grid: int) -> list[tuple[int, int, PatchGraph]]:
    """(row, col, patch graph) of every tile of a grid x grid split of the stage output."""
    height, width = stage.spatial(stage.output)
    if not 1 <= grid <= min(height, width):
        raise PatchPlanError(f"A {grid} x {grid} grid does not fit the stage output "
                             f"({height} x {width}): choose a grid of 1 to "
                             f"{min(height, width)}, or a shorter stage.")
    return [(r, c, patch_graph(stage, tile)) for r, c, tile in tiles(height, width, grid)]


def write_patch_model(stage: Stage, graph: PatchGraph) -> bytes:
    """The .tflite computing one patch: the stage's ops on the patch's regions, VALID
    padding, the network's own weights and quantization, slices and zero-point pads."""
    model = stage.model
    writer = ModelWriter(model)
    tensors = [writer.tensor(n.tensor, n.shape) for n in graph.nodes]
    for step in graph.steps:
        out = [tensors[step.output]]
        if step.kind == "op":
            op = model.operators[step.op]
            inputs = [tensors[n] if n is not None else (writer.tensor(i) if i >= 0 else -1)
                      for n, i in zip(step.inputs, op.inputs)]
            options = {"padding": VALID} if "padding" in op.options else {}
            writer.copy_op(step.op, inputs, out, **options)
        elif step.kind == "slice":
            node = graph.nodes[step.output]
            begin = np.array([0, step.offsets[0], step.offsets[1], 0], np.int32)
            end = begin + np.array(node.shape, np.int32)
            writer.new_op("STRIDED_SLICE", [tensors[step.inputs[0]], writer.constant(begin),
                                            writer.constant(end),
                                            writer.constant(np.ones(4, np.int32))], out)
        else:
            (top, bottom), (left, right) = step.offsets
            paddings = np.array([[0, 0], [top, bottom], [left, right], [0, 0]], np.int32)
            writer.new_op("PAD", [tensors[step.inputs[0]], writer.constant(paddings)], out)
    tile = graph.tile
    return writer.finish([tensors[graph.input]], [tensors[graph.output]],
                         f"tinyml_lab patch model: ops 0-{stage.ops - 1}, output tile of "
                         f"{tile.height} x {tile.width}")


@dataclass(frozen=True)
class PatchPlan:
    """A model run in two parts: `stage_models` patch by patch, then `rest_model` on the
    assembled stage output."""

    source: TFLiteModel
    grid: int
    stage_ops: int
    stage_input: int   # tensor indices in the source model
    stage_output: int
    patches: tuple[Patch, ...]
    stage_models: tuple[TFLiteModel, ...]
    rest_model: TFLiteModel
    graphs: tuple[PatchGraph, ...]  # one per patch, in patch order

    @property
    def input_tensor(self):
        return self.source.tensors[self.stage_input]

    @property
    def output_tensor(self):
        return self.source.tensors[self.stage_output]

    def schedule(self) -> dict:
        """The plan as plain numbers (what a driver needs): geometry and the patches."""
        i, o = self.input_tensor, self.output_tensor
        return {
            "grid": self.grid, "stage_ops": self.stage_ops,
            "input_shape": list(i.shape[1:]), "input_zero_point": int(i.zero_points[0]),
            "stage_output_shape": list(o.shape[1:]),
            "stage_models": len(self.stage_models),
            "patches": [{"row": p.row, "col": p.col, "model": p.model,
                         "input": list(p.input_region.as_tuple()),
                         "output": list(p.tile.as_tuple())} for p in self.patches],
        }

    def save(self, folder: str | Path) -> list[Path]:
        """stage_<k>.tflite, rest.tflite and schedule.json into a folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files = {f"stage_{k}.tflite": m.data for k, m in enumerate(self.stage_models)}
        files["rest.tflite"] = self.rest_model.data
        files["schedule.json"] = (json.dumps(self.schedule(), indent=1) + "\n").encode()
        written = []
        for name, data in files.items():
            tmp = folder / f".{name}.tmp"
            tmp.write_bytes(data)
            tmp.replace(folder / name)
            written.append(folder / name)
        return written


def plan_patches(model: TFLiteModel | bytes | str | Path, grid: int, stage_ops: int) -> PatchPlan:
    """Split `model`: its first `stage_ops` ops run on a grid x grid split of their output."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    stage = find_stage(model, stage_ops)
    patches, graphs, models, index = [], [], [], {}
    for row, col, graph in stage_graphs(stage, grid):
        key = graph.signature()
        if key not in index:
            index[key] = len(models)
            models.append(read_model(write_patch_model(stage, graph)))
        patches.append(Patch(row, col, graph.tile, graph.input_region, index[key]))
        graphs.append(graph)
    rest = extract_ops(model, range(stage_ops, len(model.operators)), [stage.output],
                       model.outputs, f"tinyml_lab rest model: ops {stage_ops}-"
                       f"{len(model.operators) - 1}")
    return PatchPlan(model, grid, stage_ops, stage.input, stage.output, tuple(patches),
                     tuple(models), read_model(rest), tuple(graphs))
