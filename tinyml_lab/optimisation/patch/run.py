"""Run a patch plan in the TFLM runtime, and check it against the layer-by-layer model.

Per sample: each patch's input region is cut from the network input (the input's zero
point where the region reaches past the edges, as SAME padding pads), its stage model is
invoked, and its output tile is copied into the stage output; then the rest of the
network runs on the assembled map. The same steps, in C++, are patch_runner.h of the
board harness and the patch sketch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinyml_lab.core.tflm import MicroInterpreter
from tinyml_lab.optimisation.patch.geometry import Region
from tinyml_lab.optimisation.patch.plan import PatchPlan


def cut_region(image: np.ndarray, region: Region, zero_point: int) -> np.ndarray:
    """region (rows x cols, may reach past the edges) of an (H, W, C) map, zero point outside."""
    height, width, channels = image.shape
    out = np.full((region.height, region.width, channels), zero_point, dtype=image.dtype)
    inside = region.clip(height, width)
    if inside is not None:
        r0, c0 = inside.rows.lo - region.rows.lo, inside.cols.lo - region.cols.lo
        out[r0:r0 + inside.height, c0:c0 + inside.width] = \
            image[inside.rows.lo:inside.rows.hi, inside.cols.lo:inside.cols.hi]
    return out


class PatchRunner:
    """A plan's models loaded in TFLM, run patch by patch."""

    def __init__(self, plan: PatchPlan):
        self.plan = plan
        self.stage = [MicroInterpreter.sized(m) for m in plan.stage_models]
        self.rest = MicroInterpreter.sized(plan.rest_model)

    def stage_output(self, sample: np.ndarray) -> np.ndarray:
        """The stage output (1, H, W, C), assembled from the patches' tiles."""
        plan = self.plan
        image = np.asarray(sample, dtype=np.int8).reshape(plan.input_tensor.shape)[0]
        out = np.zeros(plan.output_tensor.shape[1:], dtype=np.int8)
        zero = int(plan.input_tensor.zero_points[0])
        for patch in plan.patches:
            tile = self.stage[patch.model].invoke_raw(
                cut_region(image, patch.input_region, zero)[None])[0]
            t = patch.tile
            out[t.rows.lo:t.rows.hi, t.cols.lo:t.cols.hi] = tile
        return out[None]

    def invoke_raw(self, sample: np.ndarray) -> np.ndarray:
        """The network's output for one quantized sample, computed patch by patch."""
        return self.rest.invoke_raw(self.stage_output(sample))


def run_patch_schedule(plan: PatchPlan, samples: np.ndarray) -> np.ndarray:
    """Outputs (first output tensor) of the patch schedule for each quantized sample."""
    runner = PatchRunner(plan)
    return np.stack([runner.invoke_raw(s)[0] for s in np.asarray(samples)])


def random_inputs(plan: PatchPlan, count: int, seed: int = 0) -> np.ndarray:
    """count int8 inputs spread over the whole int8 range (every value, edges included)."""
    rng = np.random.default_rng(seed)
    return rng.integers(-128, 128, (count, *plan.input_tensor.shape[1:])).astype(np.int8)


@dataclass(frozen=True)
class Verification:
    """The patch schedule against layer by layer, in TFLM, on the same int8 inputs."""

    inputs: int
    max_abs_diff: int        # largest difference of the network outputs, in int8 steps
    stage_max_abs_diff: int  # the same for the stage output, assembled vs whole-map

    @property
    def exact(self) -> bool:
        return self.max_abs_diff == 0 and self.stage_max_abs_diff == 0


def verify(plan: PatchPlan, count: int = 10, seed: int = 0, samples=None) -> Verification:
    """Run both schedules on `count` random inputs (or the given samples) and compare
    outputs and stage outputs."""
    from tinyml_lab.core.tflite_file import read_model
    from tinyml_lab.core.tflite_write import extract_ops

    samples = random_inputs(plan, count, seed) if samples is None else np.asarray(samples)
    whole = MicroInterpreter.sized(plan.source)
    whole_stage = MicroInterpreter.sized(read_model(extract_ops(
        plan.source, range(plan.stage_ops), [plan.stage_input], [plan.stage_output])))
    runner = PatchRunner(plan)
    out_diff = stage_diff = 0
    for sample in samples:
        sample = sample.reshape(plan.input_tensor.shape)
        patched_stage = runner.stage_output(sample)
        stage_diff = max(stage_diff, _max_diff(patched_stage, whole_stage.invoke_raw(sample)))
        out_diff = max(out_diff, _max_diff(runner.rest.invoke_raw(patched_stage),
                                           whole.invoke_raw(sample)))
    return Verification(len(samples), out_diff, stage_diff)


def _max_diff(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.abs(a.astype(np.int64) - b.astype(np.int64)).max())
