"""The patch planner on int8 CNNs it was not written for (tests/mobilenets.py: Keras'
MobileNetV2 with residual additions and explicit pads, MobileNetV1-style nets of other
widths, odd non-square and larger resolutions, grayscale and RGB, more depth, a max pool)
and on the committed person detector: the default plan is exact in TFLM (max_abs_diff 0
on 10 random inputs, the assembled stage output too) with an activation peak at most half
the layer-by-layer peak at no more than 30 % extra MACs. Also: the halo arithmetic, what
the written models hold, and the refusals."""

from pathlib import Path

import numpy as np
import pytest

from tests import mobilenets
from tinyml_lab.core.arena import model_live_bytes
from tinyml_lab.core.deployed import load_deployed
from tinyml_lab.core.report import op_macs
from tinyml_lab.core.tflite_file import read_model, tensor_values
from tinyml_lab.optimisation.patch import PatchPlanError, analyse, find_stage, plan_patches
from tinyml_lab.optimisation.patch.costs import graph_live_bytes, plan_costs
from tinyml_lab.optimisation.patch.geometry import (
    AxisWindow,
    Region,
    Span,
    same_padding_before,
    split_axis,
    tiles,
)

SKETCHES = Path(__file__).resolve().parents[1] / "arduino_sketches"


def model(name: str):
    if name == "person_detection":
        return load_deployed(SKETCHES / "person_detection").model
    return read_model(mobilenets.built(name))


MODELS = ["person_detection", *mobilenets.BUILDERS]


@pytest.fixture(scope="module")
def reports():
    cache = {}

    def report(name):
        if name not in cache:
            cache[name] = analyse(model(name), verify_inputs=10)
        return cache[name]

    return report


# ------------------------------------------------------------------ the target


@pytest.mark.parametrize("name", MODELS)
def test_default_plan_is_exact_and_halves_the_peak_within_30_percent_more_macs(name, reports):
    report = reports(name)
    d = report.as_dict()
    assert d["verified_inputs"] == 10
    assert d["max_abs_diff"] == 0 and d["stage_max_abs_diff"] == 0
    assert d["patch_peak_bytes"] * 2 <= d["layer_peak_bytes"], d
    assert d["macs_patch"] <= 1.30 * d["macs_layer"], d
    assert d["macs_patch"] > d["macs_layer"]  # the halos are recomputed, never free
    assert d["patch_arena_bytes"] < d["layer_arena_bytes"]


@pytest.mark.parametrize("name", MODELS)
def test_the_costs_are_those_of_the_written_models(name, reports):
    """The sweep's figures come from patch descriptions; the models written from them have
    exactly those live bytes, and their MACs add up to macs_patch."""
    plan = reports(name).plan
    costs = plan_costs(plan)
    for graph, patch in zip(plan.graphs, plan.patches):
        written = plan.stage_models[patch.model]
        assert [b for _, b in graph_live_bytes(graph)] == model_live_bytes(written)
    macs = sum(sum(m for _, m in op_macs(plan.stage_models[p.model])) for p in plan.patches)
    macs += sum(m for _, m in op_macs(plan.rest_model))
    assert macs == costs.macs_patch
    assert sum(m for _, m in op_macs(plan.source)) == costs.macs_layer


def test_patch_models_reuse_the_original_weights_and_quantization(reports):
    plan = reports("keras_mobilenet_v2_0.35_96_rgb").plan
    source = plan.source
    originals = {t.buffer: t for t in source.tensors if t.is_constant}
    quantizations = {(t.scales, t.zero_points) for t in source.tensors if t.is_quantized}
    by_bytes = {tensor_values(source, t.index).tobytes() for t in originals.values()}
    for written in (*plan.stage_models, plan.rest_model):
        for t in written.tensors:
            if t.dtype == "int32" and not t.is_quantized:
                continue  # paddings and slice bounds the planner adds
            assert (t.scales, t.zero_points) in quantizations
            if t.is_constant:
                assert tensor_values(written, t.index).tobytes() in by_bytes
    assert "ADD" in {op.name for m in plan.stage_models for op in m.operators} or \
        plan.stage_ops < 8  # residual blocks inside the stage when it is deep


def test_a_stage_inside_a_residual_block_is_refused_with_the_fix():
    m = model("keras_mobilenet_v2_0.35_96_rgb")
    add = next(op.index for op in m.operators if op.name == "ADD")
    with pytest.raises(PatchPlanError, match="residual block.*--stage-ops"):
        find_stage(m, add - 1)  # the block's input is still wanted by the ADD


def test_pool_with_same_padding_at_the_edge_is_refused_and_swept_around():
    m = read_model(mobilenets.built("same_average_pool"))
    with pytest.raises(PatchPlanError, match="AVERAGE_POOL_2D.*SAME.*--stage-ops 1"):
        plan_patches(m, 2, 2)
    report = analyse(m, verify_inputs=3)
    assert report.plan.stage_ops == 1 and report.verification.exact


def test_refusals_name_the_problem_and_the_fix():
    m = model("person_detection")
    mean = next(op.index for op in m.operators if op.name == "MEAN")
    with pytest.raises(PatchPlanError, match=rf"Op {mean} \(MEAN\).*--stage-ops {mean}"):
        find_stage(m, mean + 1)
    with pytest.raises(PatchPlanError, match="grid does not fit.*12 x 12"):
        plan_patches(m, 13, 8)
    with pytest.raises(PatchPlanError, match="1 to 29"):
        find_stage(m, 0)


def test_float_models_are_refused(sine_float):
    with pytest.raises(PatchPlanError, match="int8"):
        find_stage(read_model(sine_float), 1)


# ------------------------------------------------------------------ halo arithmetic


@pytest.mark.parametrize("size,kernel,stride,out,before", [
    (96, 3, 2, 48, 0),   # even input, stride 2: 1 padding row, after (TFLite's split)
    (97, 3, 2, 49, 1),   # odd input: 2 rows, one each side
    (48, 3, 1, 48, 1),
    (48, 5, 1, 48, 2),
    (49, 5, 2, 25, 2),
    (48, 2, 2, 24, 0),   # 2x2 stride-2 pool: no padding at all
    (75, 3, 2, 38, 1),
])
def test_same_padding_puts_the_smaller_half_first(size, kernel, stride, out, before):
    assert same_padding_before(size, kernel, stride, 1, out) == before


def test_a_window_reads_its_halo():
    w = AxisWindow(kernel=3, stride=2, before=0)
    assert w.reads(Span(0, 4)) == Span(0, 9)      # 4 outputs of a stride-2 3x3: 9 inputs
    assert AxisWindow(3, 1, 1, 1).reads(Span(0, 4)) == Span(-1, 5)  # one padding row
    assert AxisWindow(3, 1, 2, 2).reads(Span(5, 6)) == Span(3, 8)  # dilation 2


def test_tiles_cover_the_map_once_with_sizes_within_one():
    assert [s.size for s in split_axis(12, 5)] == [3, 3, 2, 2, 2]
    covered = np.zeros((25, 19), int)
    for _, _, r in tiles(25, 19, 4):
        covered[r.rows.lo:r.rows.hi, r.cols.lo:r.cols.hi] += 1
    assert (covered == 1).all()
    assert Region(Span(-1, 3), Span(2, 9)).clip(2, 8) == Region(Span(0, 2), Span(2, 8))
