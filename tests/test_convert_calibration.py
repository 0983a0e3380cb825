"""Calibration data the int8 converter cannot quantize with (NaN, infinity) is refused
with the sample that holds it; the converter's result is checked to be int8."""

import numpy as np
import pytest

from tinyml_lab.core import convert
from tinyml_lab.core.errors import NotQuantizedError, TinyMLError


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_calibration_data_is_refused(keras_sine_model, bad):
    model, data = keras_sine_model
    x = np.array(data.train.x[:50], dtype=np.float32)
    x[17, 0] = bad
    with pytest.raises(TinyMLError, match=r"1 of the 50 representative samples hold NaN or "
                                          r"infinite values \(the first is sample 17\)"):
        convert.to_int8(model, x)


def test_only_keras_models_and_numbers_are_converted(keras_sine_model):
    with pytest.raises(TypeError, match="converts a Keras model, got str"):
        convert.to_int8("model.keras", np.zeros((4, 1)))
    with pytest.raises(TypeError, match="array of numbers"):
        convert.to_int8(keras_sine_model[0], [["a"], ["b"]])


def test_a_converter_result_that_is_not_int8_is_refused(keras_sine_model, sine_float,
                                                        monkeypatch):
    model, data = keras_sine_model
    monkeypatch.setattr(convert, "_run", lambda converter: sine_float)
    with pytest.raises(NotQuantizedError, match="not fully int8"):
        convert.to_int8(model, data.train.x)
