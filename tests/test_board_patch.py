"""Patch schedules on the real Cortex-M4 build of the pinned library (TFLM + CMSIS-NN, in
QEMU), driven by the runner firmware's patch job with patch_runner.h, the sketch's own
driver: the person_detection_patch sketch runs at its kTensorArenaSize and answers what
the person_detection sketch answers on the same inputs, the schedule's minimum arena is
the estimator's, and a plan with residual blocks is exact on the board too."""

import functools
from pathlib import Path

import numpy as np

from tests import mobilenets
from tests.board_support import real_inputs, sketch_model
from tinyml_lab.core.arena import estimate_arena
from tinyml_lab.core.tflite_file import read_model
from tinyml_lab.optimisation.patch import analyse
from tinyml_lab.optimisation.patch.run import random_inputs
from tinyml_lab.optimisation.patch.sketch import read_patch_sketch

SKETCH = Path(__file__).resolve().parents[1] / "arduino_sketches" / "person_detection_patch"


@functools.cache
def _inputs():
    model, _ = sketch_model("person_detection")
    return tuple(real_inputs("person_detection", model))


def test_patch_sketch_runs_at_its_arena_and_answers_as_person_detection(board_runner):
    from tinyml_lab.core.board.emulator import run_model
    from tinyml_lab.core.board.schedule import run_schedule

    sketch = read_patch_sketch(SKETCH)
    layer, layer_arena = sketch_model("person_detection")
    inputs = _inputs()
    run = run_schedule(sketch.stage_models, sketch.rest_model, sketch.schedule,
                       sketch.arena_bytes, inputs, runner=board_runner)
    assert run.ok, (f"kTensorArenaSize {sketch.arena_bytes:,} B is not enough for the patch "
                    f"schedule on the board build: {run.error}")
    assert run.arena_used_bytes <= sketch.arena_bytes
    assert len(run.model_arena_used) == len(sketch.stage_models) + 1
    whole = run_model(layer, layer_arena, inputs, runner=board_runner)
    assert whole.ok, whole.error
    for patched, layered in zip(run.outputs, whole.outputs):
        assert np.array_equal(patched[0], layered[0])
    assert all(t >= i > 0 for t, i in zip(run.total_instructions, run.invoke_instructions))


def test_the_sketch_states_its_measured_cost_per_frame(board_runner):
    """kInvokeInstructions of the patch sketch is the whole schedule's count on the board
    build (every set-up, Invoke and copy) on real inputs, to 0.1 %."""
    from tinyml_lab.core.board.emulator import MAX_ARENA
    from tinyml_lab.core.board.schedule import run_schedule

    sketch = read_patch_sketch(SKETCH)
    assert sketch.cost.measured
    run = run_schedule(sketch.stage_models, sketch.rest_model, sketch.schedule, MAX_ARENA,
                       _inputs(), runner=board_runner)
    assert run.ok, run.error
    for measured in run.total_instructions:
        assert abs(sketch.cost.instructions - measured) <= 0.001 * measured


def test_patch_schedule_needs_exactly_the_estimated_arena(board_runner):
    from tinyml_lab.core.board.schedule import run_schedule

    sketch = read_patch_sketch(SKETCH)
    parts = (*sketch.stage_models, sketch.rest_model)
    need = max(estimate_arena(m, "cortex-m-cmsis-nn").min_arena_bytes for m in parts)
    sample = _inputs()[:1]
    args = (sketch.stage_models, sketch.rest_model, sketch.schedule)
    assert run_schedule(*args, need, sample, runner=board_runner).ok
    short = run_schedule(*args, need - 1, sample, runner=board_runner)
    assert not short.ok and "allocate" in short.error


def test_a_residual_plan_is_exact_on_the_board(board_runner):
    from tinyml_lab.core.board.emulator import MAX_ARENA, run_model
    from tinyml_lab.core.board.schedule import run_schedule

    report = analyse(read_model(mobilenets.built("keras_mobilenet_v2_0.35_96_rgb")))
    plan = report.plan
    assert any(op.name == "ADD" for m in plan.stage_models for op in m.operators)
    samples = random_inputs(plan, 2, seed=7)
    run = run_schedule(plan.stage_models, plan.rest_model, plan.schedule(), MAX_ARENA,
                       samples, runner=board_runner)
    assert run.ok, run.error
    whole = run_model(plan.source, MAX_ARENA, [s[None] for s in samples], runner=board_runner)
    assert whole.ok, whole.error
    for patched, layered in zip(run.outputs, whole.outputs):
        assert np.array_equal(patched[0], layered[0])
