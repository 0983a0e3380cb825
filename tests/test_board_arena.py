"""The arena estimator's cortex-m-cmsis-nn target against the real Cortex-M4 build, to the
byte: used bytes (arena_used_bytes()) and the minimum arena (bisection over the board's
AllocateTensors), on every committed sketch model and on the arena tests' own models."""

import functools

import pytest

from tests.board_support import MODEL_SKETCHES, sketch_model
from tests.test_arena import MODELS
from tinyml_lab.core.arena import estimate_arena

TARGET = "cortex-m-cmsis-nn"


@functools.cache
def _model(name):
    return sketch_model(name)[0] if name in MODEL_SKETCHES else MODELS[name]()


@functools.cache
def _measured(name, runner):
    from tinyml_lab.core.board.emulator import MAX_ARENA, min_arena, run_model

    model = _model(name)
    used = run_model(model, MAX_ARENA, (), runner=runner).arena_used_bytes
    return used, min_arena(model, runner=runner)


@pytest.mark.parametrize("name", MODEL_SKETCHES + tuple(sorted(MODELS)))
def test_estimate_is_the_board_figure_to_the_byte(name, board_runner):
    used, minimum = _measured(name, board_runner)
    est = estimate_arena(_model(name), TARGET)
    assert (est.used_bytes, est.min_arena_bytes) == (used, minimum)
