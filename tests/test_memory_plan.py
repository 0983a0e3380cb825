"""Offline memory plans: TFLM follows the OfflineMemoryAllocation metadata as written (the
estimator's replay and the host runtime agree on the head, the outputs do not change), the
two-ends plan of a chain reaches the live-set bound, broken plans are refused; and chapter
07's exercise checks pass right answers and explain wrong ones."""

from pathlib import Path

import numpy as np
import pytest

from tests import mobilenets
from tinyml_lab import checks
from tinyml_lab.core.arena import estimate_arena, live_set_lower_bound
from tinyml_lab.core.deployed import load_deployed
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import read_model
from tinyml_lab.core.tflm import MicroInterpreter, measure_arena
from tinyml_lab.optimisation import memory_plan
from tinyml_lab.optimisation.patch import plan_patches

SKETCHES = Path(__file__).resolve().parents[1] / "arduino_sketches"


@pytest.fixture(scope="module")
def detector():
    return load_deployed(SKETCHES / "person_detection").model


@pytest.fixture(scope="module")
def edge_patch_model(detector):
    """A corner patch's stage model, where TFLM's greedy plan misses the bound."""
    plan = plan_patches(detector, 3, 8)
    return plan.stage_models[plan.patches[-1].model]


def test_an_offline_plan_is_followed_as_written(detector):
    acts = memory_plan.activations(detector)
    plan = memory_plan.no_reuse_plan(detector)
    planned = memory_plan.with_offline_plan(detector, plan)
    total = sum(a.size for a in acts)
    assert memory_plan.plan_head_bytes(acts, plan) == total
    assert estimate_arena(planned, "python").head_bytes == total
    assert measure_arena(planned, find_minimum=False).head_bytes == total
    sample = np.random.default_rng(1).integers(-128, 128, (1, 96, 96, 1)).astype(np.int8)
    assert np.array_equal(MicroInterpreter.sized(planned).invoke_raw(sample),
                          MicroInterpreter.sized(detector).invoke_raw(sample))


def test_two_ends_reaches_the_bound_where_greedy_does_not(edge_patch_model):
    greedy = estimate_arena(edge_patch_model, "cortex-m-cmsis-nn")
    bound = live_set_lower_bound(estimate_arena(edge_patch_model, "python"))
    assert greedy.head_bytes > bound  # largest-first leaves a gap on this chain
    planned = memory_plan.with_offline_plan(edge_patch_model,
                                            memory_plan.two_ends_plan(edge_patch_model))
    assert estimate_arena(planned, "cortex-m-cmsis-nn").head_bytes == bound
    assert measure_arena(planned, find_minimum=False).head_bytes == bound
    assert estimate_arena(planned, "cortex-m-cmsis-nn").min_arena_bytes < greedy.min_arena_bytes


def test_broken_plans_are_refused(detector):
    acts = memory_plan.activations(detector)
    everything_at_zero = {a.tensor: 0 for a in acts}
    with pytest.raises(TinyMLError, match="alive at the same time"):
        memory_plan.with_offline_plan(detector, everything_at_zero)
    plan = memory_plan.two_ends_plan(detector)
    plan[acts[0].tensor] += 8
    with pytest.raises(TinyMLError, match="multiple of 16"):
        memory_plan.with_offline_plan(detector, plan)


def test_two_ends_refuses_what_is_not_a_chain():
    model = read_model(mobilenets.built("keras_mobilenet_v2_0.35_96_rgb"))
    with pytest.raises(TinyMLError, match="chains"):
        memory_plan.two_ends_plan(model)


# ------------------------------------------------------------------ the exercise checks


def test_check_input_span_passes_tflites_rule_and_explains_the_symmetric_mistake(capsys):
    def right(lo, hi, n, k, s):
        out = -(-n // s)
        before = max((out - 1) * s + k - n, 0) // 2
        return lo * s - before, (hi - 1) * s - before + k

    def larger_half_first(lo, hi, n, k, s):
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        before = total - total // 2
        return lo * s - before, (hi - 1) * s - before + k

    assert checks.check_input_span(right)
    result = checks.check_input_span(larger_half_first)
    assert not result and "smaller half" in result.message
    assert not checks.check_input_span(lambda *a: (0, 1))
    assert not checks.check_input_span(lambda *a: 1 / 0)  # a bug is feedback, not a crash
    assert "[FAIL]" in capsys.readouterr().out


def test_check_offline_plan(detector, edge_patch_model):
    assert checks.check_offline_plan(detector, memory_plan.two_ends_plan(detector))
    assert checks.check_offline_plan(edge_patch_model,
                                     memory_plan.two_ends_plan(edge_patch_model))
    overlapping = {a.tensor: 0 for a in memory_plan.activations(detector)}
    assert "opposite ends" in checks.check_offline_plan(detector, overlapping).message
    wasteful = checks.check_offline_plan(detector, memory_plan.no_reuse_plan(detector))
    assert not wasteful and "55,296" in wasteful.message  # the bound it could reach
    partial = dict(list(memory_plan.two_ends_plan(detector).items())[1:])
    assert "no offset" in checks.check_offline_plan(detector, partial).message


def test_check_patch_plan_explains_which_target_a_plan_misses(detector):
    assert checks.check_patch_plan(detector, 3, 8)
    shallow = checks.check_patch_plan(detector, 2, 2)
    assert not shallow and "rest of the network" in shallow.message
    deep = checks.check_patch_plan(detector, 2, 12)
    assert not deep and "MACs" in deep.message
    impossible = checks.check_patch_plan(detector, 3, 29)
    assert not impossible and "MEAN" in impossible.message
