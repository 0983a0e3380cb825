"""The optimisation chapters' helpers: the shapes data, footprints measured in TFLM, the
energy estimate, and the exercise checks (they pass right answers and catch usual mistakes)."""

import numpy as np
import pytest

from tinyml_lab import checks
from tinyml_lab.chapters.shapes import data as shapes
from tinyml_lab.core import convert
from tinyml_lab.core.errors import NotQuantizedError, TinyMLError
from tinyml_lab.core.tflite_file import read_model
from tinyml_lab.optimisation import energy, footprint, prune
from tinyml_lab.optimisation import quantize as q

# ------------------------------------------------------------------ data


def test_shapes_data_is_deterministic_balanced_and_in_range():
    a = shapes.make_shapes_data(120, seed=3)
    b = shapes.make_shapes_data(120, seed=3)
    assert np.array_equal(a.train.x, b.train.x) and np.array_equal(a.test.y, b.test.y)
    assert a.train.x.shape == (84, 32, 32, 1) and a.train.x.dtype == np.float32
    assert len(a.train.x) + len(a.val.x) + len(a.test.x) == 120
    assert 0.0 <= a.train.x.min() and a.train.x.max() <= 1.0
    labels = np.concatenate([a.train.y, a.val.y, a.test.y])
    assert np.bincount(labels).tolist() == [20] * 6
    assert a.source == shapes.SOURCE and "generated" in a.source
    assert not np.array_equal(shapes.make_shapes_data(120, seed=4).train.x, a.train.x)


def test_each_shape_is_visible_against_its_background():
    rng = np.random.default_rng(0)
    for kind in shapes.LABELS:
        image = shapes.render(kind, rng)
        assert image.shape == (32, 32) and image.std() > 0.08, kind


def test_bad_shapes_requests_are_refused():
    with pytest.raises(TinyMLError, match="at least 18"):
        shapes.make_shapes_data(10)
    with pytest.raises(TinyMLError, match="fractions"):
        shapes.make_shapes_data(100, fractions=(0.5, 0.5, 0.0))
    with pytest.raises(TinyMLError, match="Unknown shape 'hexagon'"):
        shapes.render("hexagon", np.random.default_rng(0))


# ------------------------------------------------------------------ footprints


@pytest.fixture(scope="module")
def tiny_cnn():
    from tinyml_lab.chapters.shapes.model import shapes_cnn
    from tinyml_lab.core.training import seed_everything

    seed_everything(0)
    data = shapes.make_shapes_data(240, seed=1)
    model = shapes_cnn(filters=(4, 8, 8))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(data.train.x, data.train.y, epochs=1, batch_size=32, verbose=0)
    return model, data


def test_footprint_measures_the_int8_model_in_tflm(tiny_cnn):
    model, data = tiny_cnn
    fp, data_bytes = footprint.int8_footprint("tiny", model, data.train.x, data.test.x,
                                              data.test.y, find_minimum=True)
    tflite = read_model(data_bytes)
    assert fp.int8_bytes == len(data_bytes) and tflite.is_full_int8
    assert fp.macs > 0 and fp.arena_used_bytes > 0 and fp.arena_min_bytes > 0
    assert fp.arena_bytes == max(fp.arena_used_bytes, fp.arena_min_bytes)
    outputs = footprint.tflm_predict(tflite, data.test.x)
    assert fp.metric == footprint.classification_accuracy(data.test.y, outputs)
    table = footprint.footprint_table([fp, fp], baseline=fp)
    assert "1.000" in table and "+0.00" in table


def test_tflm_predict_refuses_float_models(tiny_cnn):
    model, data = tiny_cnn
    with pytest.raises(NotQuantizedError):
        footprint.tflm_predict(convert.to_float(model), data.test.x[:2])


def test_which_conversions_tflm_can_run(tiny_cnn):
    model, data = tiny_cnn
    sample = data.test.x[0]
    assert footprint.runs_in_tflm(convert.to_int8(model, data.train.x), sample) == \
        (True, "loads and runs")
    assert footprint.runs_in_tflm(convert.to_float(model), sample)[0]  # float kernels exist
    ok, why = footprint.runs_in_tflm(convert.to_float16(model), sample)
    assert not ok and "DEQUANTIZE" in why  # TFLM's own words, from the child process


def test_plot_tradeoff_draws_three_views(tiny_cnn):
    import matplotlib

    matplotlib.use("Agg")
    fps = [footprint.Footprint("a", 100, 1000, 50, 0.9), footprint.Footprint("b", 60, 500, 40, 0.8)]
    fig = footprint.plot_tradeoff(fps, highlight=1, title="t")
    assert len(fig.axes) == 3


# ------------------------------------------------------------------ energy


def test_int8_inference_costs_less_energy_than_float32(tiny_cnn):
    model, data = tiny_cnn
    as_float = energy.estimate_energy(read_model(convert.to_float(model)))
    as_int8 = energy.estimate_energy(read_model(convert.to_int8(model, data.train.x)))
    assert (as_float.precision, as_int8.precision) == ("float32", "int8")
    assert as_float.macs == as_int8.macs > 0
    assert as_float.arithmetic_pj / as_int8.arithmetic_pj == pytest.approx(4.6 / 0.23)
    assert 3.0 < as_float.memory_bytes_moved / as_int8.memory_bytes_moved <= 4.0
    assert as_int8.total_pj == pytest.approx(as_int8.arithmetic_pj + as_int8.memory_pj)
    assert as_int8.memory_pj == pytest.approx(-(-as_int8.memory_bytes_moved // 8) * 100.0)


def test_memory_tiers_follow_the_table():
    assert energy.access_energy_pj(4 * 1024) == 10.0
    assert energy.access_energy_pj(32 * 1024) == 20.0
    assert energy.access_energy_pj(256 * 1024) == 100.0
    with pytest.raises(TinyMLError, match="DRAM"):
        energy.access_energy_pj(4 * 1024 * 1024)
    with pytest.raises(TinyMLError, match="positive"):
        energy.access_energy_pj(0)


def test_precision_is_that_of_the_arithmetic(tiny_cnn):
    import dataclasses

    half = read_model(convert.to_float16(tiny_cnn[0]))
    assert energy.compute_precision(half) == "float32"  # float16 weights, float32 math
    with pytest.raises(TinyMLError, match="precision"):
        energy.compute_precision(dataclasses.replace(half, operators=()))


# ------------------------------------------------------------------ exercise checks


def test_checks_pass_the_reference_answers():
    right = [
        checks.check_scale_zero_point(
            lambda lo, hi: (float(q.params_from_range(lo, hi).scale),
                            int(q.params_from_range(lo, hi).zero_point)), echo=False),
        checks.check_quantize(lambda x, s, z: q.quantize(
            x, q.QuantParams(np.array(s), np.array(z), -128, 127)), echo=False),
        checks.check_per_channel_scales(lambda k: np.abs(k).reshape(-1, k.shape[-1]).max(0) / 127,
                                        echo=False),
        checks.check_magnitude_mask(prune.magnitude_mask, echo=False),
        checks.check_filter_ranking(
            lambda k, n: np.sort(np.argsort(-prune.filter_importance(k))[:n]), echo=False),
    ]
    assert all(right), [str(r) for r in right if not r]


def _no_widening(lo, hi):
    scale = (hi - lo) / 255
    zero = -128 - lo / scale
    return scale, int(np.sign(zero) * np.floor(abs(zero) + 0.5))


def test_checks_catch_the_usual_mistakes():
    r = checks.check_scale_zero_point(_no_widening, echo=False)
    assert not r and "include 0" in r.message
    def python_round(lo, hi):  # widens the range, but rounds -0.5 to 0
        lo, hi = min(lo, 0), max(hi, 0)
        return (hi - lo) / 255, round(-128 - lo * 255 / (hi - lo))

    r = checks.check_scale_zero_point(python_round, echo=False)
    assert not r and "away from zero" in r.message
    r = checks.check_quantize(lambda x, s, z: np.round(x / s).astype(np.int8) + z, echo=False)
    assert not r
    r = checks.check_quantize(lambda x, s, z: np.clip(np.round(x / s) + z, -128, 127), echo=False)
    assert not r  # numpy rounds halves to even, and the dtype is not int8
    r = checks.check_per_channel_scales(lambda k: np.abs(k).reshape(-1, k.shape[-1]).max(0) / 128,
                                        echo=False)
    assert not r and "127, not 128" in r.message
    r = checks.check_magnitude_mask(lambda w, s: (np.abs(w) > np.quantile(np.abs(w), s)) * 1.0,
                                    echo=False)
    assert r.passed in (True, False)  # quantile masks can be exact; the next one cannot
    r = checks.check_magnitude_mask(lambda w, s: (np.abs(w) > s) * 1.0, echo=False)
    assert not r and "zeros" in r.message
    r = checks.check_filter_ranking(lambda k, n: np.sort(np.argsort(
        prune.filter_importance(k))[:n]), echo=False)
    assert not r and "weakest" in r.message
    r = checks.check_scale_zero_point(lambda lo, hi: 1 / 0, echo=False)
    assert not r and "ZeroDivisionError" in r.message


def test_check_output_is_printed(capsys):
    checks.check_magnitude_mask(prune.magnitude_mask)
    assert capsys.readouterr().out.startswith("[PASS] magnitude mask")


def test_sparsity_and_structured_targets():
    assert checks.check_sparsity({"a": 0.8, "b": 0.801}, 0.8, echo=False)
    r = checks.check_sparsity({"a": 0.8, "b": 0.6}, {"a": 0.8, "b": 0.8}, echo=False)
    assert not r and "'b'" in r.message
    before = footprint.Footprint("base", 30000, 600000, 9000, 0.97)
    good = footprint.Footprint("pruned", 14000, 250000, 6000, 0.955)
    assert checks.check_structured_pruning(before, good, echo=False)
    too_big = footprint.Footprint("pruned", 16000, 250000, 6000, 0.97)
    assert "keep fewer channels" in checks.check_structured_pruning(before, too_big,
                                                                     echo=False).message
    too_lossy = footprint.Footprint("pruned", 14000, 250000, 6000, 0.94)
    assert "fine-tune longer" in checks.check_structured_pruning(before, too_lossy,
                                                                 echo=False).message
