"""The TFLM guard: a model or arena TFLM would crash on is a TinyMLError in the caller, found
by a child process; the caller (this pytest process) never runs it."""

import numpy as np
import pytest

from tests.conftest import committed_model, rewrite_model
from tinyml_lab.core import tflm, tflm_guard
from tinyml_lab.core.arena import estimate_arena
from tinyml_lab.core.errors import ModelFormatError, TinyMLError


@pytest.fixture(scope="module")
def gesture():
    return committed_model("gesture")


def test_an_arena_tflm_crashes_on_is_refused_with_the_minimum(gesture):
    # with 100 B TFLM does not fail cleanly: it segfaults (seen in the child)
    assert tflm_guard.probe(gesture.data, 100, inputs=1).crashed
    minimum = estimate_arena(gesture, "python").min_arena_bytes
    with pytest.raises(TinyMLError, match=f"too small.*at least {minimum:,} B"):
        tflm.MicroInterpreter(gesture, arena_size=100)
    with pytest.raises(TinyMLError, match="too small"):
        tflm.MicroInterpreter(gesture, arena_size=minimum - 1)
    interpreter = tflm.MicroInterpreter(gesture, arena_size=minimum)  # the minimum itself runs
    assert interpreter.invoke_raw(np.zeros((1, 119, 6), np.int8)).shape == (1, 4)


def test_arena_sizes_of_the_wrong_kind_are_refused(gesture):
    with pytest.raises(TypeError, match="arena_size .*integer.*str"):
        tflm.MicroInterpreter(gesture, arena_size="6000")
    with pytest.raises(TinyMLError, match="at least 1"):
        tflm.MicroInterpreter(gesture, arena_size=0)
    with pytest.raises(TypeError, match="path or its bytes.*int"):
        tflm.MicroInterpreter(12345)


def test_a_weight_that_lost_its_buffer_is_refused_before_tflm(gesture):
    weight = gesture.operators[1].inputs[1]

    def lose_buffer(model):
        model.subgraphs[0].tensors[weight].buffer = 0

    with pytest.raises(ModelFormatError, match=f"reads tensor {weight}.*no data"):
        tflm.MicroInterpreter(rewrite_model(gesture.data, lose_buffer))


def test_an_index_tflm_would_follow_into_random_memory_is_refused(gesture):
    def far_buffer(model):
        model.subgraphs[0].tensors[16].buffer = 33553  # a flipped byte of the real model

    with pytest.raises(ModelFormatError, match="refers to buffer 33553.*only 29"):
        tflm.MicroInterpreter(rewrite_model(gesture.data, far_buffer))


def test_a_crash_in_the_child_is_a_clear_error(gesture, monkeypatch):
    """What the caller hears when TFLM crashes at a good arena (a corrupt model)."""
    monkeypatch.setattr(tflm_guard, "probe", lambda *a, **k: tflm_guard.ProbeResult(
        -11, "tensorflow/lite/micro/kernels/conv.cc:123 something was not true."))
    with pytest.raises(TinyMLError, match=r"cannot run this model: it crashed \(SIGSEGV\).*"
                                          r"TFLM said: .*conv.cc.*corrupt"):
        tflm_guard.require_runs(gesture, 100_000)


def test_probes_survive_a_dead_server_and_are_remembered(gesture):
    tflm_guard.probe(gesture.data, 7001, inputs=1)
    server = tflm_guard._SERVER._proc
    server.kill()
    server.wait()
    assert tflm_guard.probe(gesture.data, 7002, inputs=1).ok  # a new server answers
    assert tflm_guard._SERVER._proc is not server
    remembered = tflm_guard.probe(gesture.data, 7002, inputs=1)
    assert remembered is tflm_guard.probe(gesture.data, 7002, inputs=1)
