import dataclasses

import numpy as np
import pytest

from tests.conftest import sine_grid_points
from tinyml_lab.core import tflm
from tinyml_lab.core.errors import NotQuantizedError
from tinyml_lab.core.tflite_file import Tensor, read_model


def _tensor(scale, zero_point, dtype="int8"):
    return Tensor(0, "t", (1, 1), dtype, 0, False, False, (scale,), (zero_point,), 0)


def test_quantize_rounds_half_away_from_zero_and_saturates():
    t = _tensor(0.5, 0)
    values = np.array([0.25, -0.25, 0.75, -0.75, 100.0, -100.0], dtype=np.float32)
    assert tflm.quantize(values, t).tolist() == [1, -1, 2, -2, 127, -128]


def test_quantize_int8_matches_quantize_with_an_int8_tensor():
    scale, zero_point = 0.3921569, 127  # the wake-word input's quantization
    values = np.concatenate([np.linspace(-110, 10, 5001), (np.arange(-128, 128) + 0.5) * scale])
    assert np.array_equal(tflm.quantize_int8(values, scale, zero_point),
                          tflm.quantize(values, _tensor(scale, zero_point)))


def test_dequantize_inverts_quantize_within_half_a_step():
    t = _tensor(0.02, -5)
    x = np.linspace(-2.4, 2.4, 101, dtype=np.float32)
    back = tflm.dequantize(tflm.quantize(x, t), t)
    assert np.max(np.abs(back - x)) <= 0.01 + 1e-6


def test_tflm_runs_the_model_like_tflite(sine_int8):
    agreement = tflm.compare_with_tflite(sine_int8, sine_grid_points())
    assert agreement.samples == 200
    assert agreement.max_steps <= 1


def test_tflm_predicts_the_trained_function(sine_int8, keras_sine_model):
    x = sine_grid_points()
    y_micro = tflm.MicroInterpreter(sine_int8).predict(x)
    y_float = keras_sine_model[0].predict(x, verbose=0)
    # int8 costs accuracy, but stays within a few output steps of the float model
    step = read_model(sine_int8).output_tensors[0].scales[0]
    assert np.mean(np.abs(y_micro - y_float)) < 4 * step
    assert y_micro.shape == (200, 1)


def test_arena_measurement_is_consistent_and_minimum_is_tight(sine_file):
    arena = tflm.measure_arena(sine_file)
    assert arena.used_bytes == arena.head_bytes + arena.tail_bytes
    assert arena.head_bytes > 0 and arena.tail_bytes > 0
    assert tflm._allocates(sine_file, arena.min_arena_bytes)
    assert not tflm._allocates(sine_file, arena.min_arena_bytes - 1)


def test_require_int8_refuses_float_models(sine_float):
    with pytest.raises(NotQuantizedError, match="to_int8"):
        tflm.require_int8(read_model(sine_float))


def test_require_int8_refuses_uint8_io(sine_int8):
    model = read_model(sine_int8)
    inp = dataclasses.replace(model.input_tensors[0], dtype="uint8")
    tensors = tuple(inp if t.index == inp.index else t for t in model.tensors)
    with pytest.raises(NotQuantizedError):
        tflm.require_int8(dataclasses.replace(model, tensors=tensors))
