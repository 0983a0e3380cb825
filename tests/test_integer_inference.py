"""An int8 layer computed with integers only (chapter 05) equals TFLM, bit for bit."""

import math

import numpy as np
import pytest

from tinyml_lab.core import tflm
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import read_model
from tinyml_lab.optimisation import integer_inference as ii


@pytest.mark.parametrize("real", [0.0066031638752540355, 0.5, 0.999999999, 1.5, 3e-7, 2.0**-20])
def test_multiplier_and_shift_represent_the_real_multiplier(real):
    multiplier, shift = ii.quantize_multiplier(real)
    assert 2**30 <= multiplier < 2**31
    assert multiplier / 2**31 * 2.0**shift == pytest.approx(real, rel=2**-30)


def test_multiplier_edge_cases():
    assert ii.quantize_multiplier(0.0) == (0, 0)
    assert ii.quantize_multiplier(1 - 2**-40) == (2**30, 1)  # the fraction rounds up to 1
    assert ii.quantize_multiplier(2.0**-40) == (0, 0)  # below TFLite's smallest shift
    with pytest.raises(TinyMLError, match="finite real >= 0"):
        ii.quantize_multiplier(-0.5)


def test_integer_multiply_rounds_like_the_real_product():
    rng = np.random.default_rng(0)
    acc = rng.integers(-(2**20), 2**20, 2000)
    for real in (0.0066, 0.3, 0.9, 1.7):
        multiplier, shift = ii.quantize_multiplier(real)
        got = ii.multiply_by_quantized_multiplier(acc, multiplier, shift)
        assert np.max(np.abs(got - acc * real)) <= 0.5 + 1e-6 * np.abs(acc).max()


def test_rounding_divide_rounds_halves_away_from_zero():
    x = np.array([5, -5, 6, -6, 7, -7])  # / 4: 1.25 -1.25 1.5 -1.5 1.75 -1.75
    assert ii.rounding_divide_by_power_of_two(x, 2).tolist() == [1, -1, 2, -2, 2, -2]
    sat = ii.saturating_rounding_doubling_high_mul(ii.INT32_MIN, ii.INT32_MIN)
    assert int(sat) == ii.INT32_MAX


def test_the_sine_model_run_with_integers_equals_tflm(sine_int8):
    model = read_model(sine_int8)
    layers = ii.fully_connected_layers(model)
    assert [layer.weights.shape for layer in layers] == [(16, 1), (16, 16), (1, 16)]
    assert layers[0].activation_min == layers[0].output_zero_point  # fused ReLU
    x = np.linspace(-1, 2 * math.pi + 1, 3000, dtype=np.float32).reshape(-1, 1)
    x_q = tflm.quantize(x, model.input_tensors[0])
    ours = ii.run_integer_only(model, x_q).reshape(-1)
    theirs = tflm.MicroInterpreter(model).predict_raw(x_q).reshape(-1)
    assert np.array_equal(ours, theirs)


def test_a_model_with_other_ops_is_refused(person_sketch):
    _, model = person_sketch
    with pytest.raises(TinyMLError, match="FULLY_CONNECTED ops only"):
        ii.fully_connected_layers(model)
