"""Each committed sketch's own model on the real Cortex-M4 build of the pinned library
(TFLM + CMSIS-NN, in QEMU): it allocates and runs at the sketch's kTensorArenaSize, and its
outputs on real inputs are the host TFLM runtime's.

CMSIS-NN and TFLM's reference kernels compute the same integer arithmetic, so the int8
outputs are compared bit for bit; MAX_STEPS states the largest difference allowed."""

import functools

import numpy as np
import pytest

from tests.board_support import MODEL_SKETCHES, SKETCHES, real_inputs, sketch_model
from tinyml_lab.core.arena import estimate_arena
from tinyml_lab.core.tflm import MicroInterpreter

MAX_STEPS = 0  # measured: bit-exact on all four sketch models


@functools.cache
def _inputs(name):
    model, _ = sketch_model(name)
    return tuple(real_inputs(name, model))


@pytest.mark.parametrize("name", MODEL_SKETCHES)
def test_allocates_and_invokes_at_the_sketch_arena(name, board_runner):
    from tinyml_lab.core.board.emulator import run_model

    model, arena = sketch_model(name)
    run = run_model(model, arena, _inputs(name)[:1], runner=board_runner)
    assert run.ok, (f"{name}: kTensorArenaSize {arena:,} B is not enough on the board "
                    f"build: {run.error}")
    assert run.arena_used_bytes <= arena and len(run.instructions) == 1


@pytest.mark.parametrize("name", MODEL_SKETCHES)
def test_outputs_equal_the_host_runtime(name, board_runner):
    """At a roomy arena, so that the comparison holds whatever the sketch constant says."""
    from tinyml_lab.core.board.emulator import MAX_ARENA, run_model

    model, _ = sketch_model(name)
    inputs = _inputs(name)
    run = run_model(model, MAX_ARENA, inputs, runner=board_runner)
    assert run.ok, run.error
    host = MicroInterpreter(model, arena_size=estimate_arena(model, "python").min_arena_bytes)
    for sample, board in zip(inputs, run.outputs):
        expected = host.invoke_raw(sample)
        steps = np.abs(board[0].astype(np.int64) - expected.astype(np.int64)).max()
        assert steps <= MAX_STEPS, (name, board[0], expected)
    assert all(n > 0 for n in run.instructions)


@pytest.mark.parametrize("name", MODEL_SKETCHES)
def test_the_sketch_states_its_measured_invoke_cost(name, board_runner):
    """kInvokeInstructions (what the wake_word sketch paces itself by) is the board build's
    count on real inputs, to 0.1 %; the MAC estimate used without the tools is within 25 %."""
    from tinyml_lab.core.board.emulator import MAX_ARENA, run_model
    from tinyml_lab.core.cost import estimated_instructions
    from tinyml_lab.core.deployed import load_deployed

    deployed = load_deployed(SKETCHES / name)
    run = run_model(deployed.model, MAX_ARENA, _inputs(name), runner=board_runner)
    assert run.ok, run.error
    for measured in run.instructions:
        assert abs(deployed.invoke_instructions - measured) <= 0.001 * measured, name
    estimate = estimated_instructions(deployed.model)
    assert abs(estimate - deployed.invoke_instructions) <= 0.25 * deployed.invoke_instructions
