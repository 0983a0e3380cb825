import dataclasses

import numpy as np
import pytest

from tinyml_lab.core import convert
from tinyml_lab.core.errors import TinyMLError, UnsupportedOpError
from tinyml_lab.core.tflite_file import Operator, read_model


def test_int8_conversion_is_full_int8_with_int8_io(sine_int8):
    model = read_model(sine_int8)
    assert model.is_full_int8
    assert not any(t.is_per_channel for t in model.tensors)  # per-tensor dense weights


def test_dynamic_range_is_a_hybrid_tflm_cannot_run(keras_sine_model):
    model = read_model(convert.to_dynamic_range(keras_sine_model[0]))
    assert not model.is_full_int8
    assert model.input_tensors[0].dtype == "float32"


def test_int8_is_smaller_than_float(sine_int8, sine_float):
    assert len(sine_int8) < len(sine_float)


def test_recurrent_layer_is_refused_before_conversion_naming_it():
    import keras

    model = keras.Sequential([keras.Input((8, 3)), keras.layers.GRU(4, name="my_gru"),
                              keras.layers.Dense(2)])
    with pytest.raises(UnsupportedOpError, match="my_gru.*GRU"):
        convert.to_int8(model, np.zeros((4, 8, 3), np.float32))


def test_unsupported_activation_is_refused_naming_the_layer():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="gelu",
                                                                    name="hidden")])
    with pytest.raises(UnsupportedOpError, match="'hidden'.*gelu"):
        convert.check_layers_for_tflm(model)


def test_op_check_after_conversion_names_op_and_layer(sine_int8, keras_sine_model):
    model = read_model(sine_int8)
    first = model.operators[0]
    odd = Operator(first.index, "GELU", 1, first.inputs, first.outputs)
    broken = dataclasses.replace(model, operators=(odd,) + model.operators[1:])
    with pytest.raises(UnsupportedOpError, match="GELU.*layer 'd1'"):
        convert.check_ops_for_tflm(broken, keras_sine_model[0])


def test_representative_data_must_match_the_input_shape(keras_sine_model):
    with pytest.raises(TinyMLError, match="shape"):
        convert.to_int8(keras_sine_model[0], np.zeros((10, 3), np.float32))


def test_representative_samples_is_a_deterministic_subset():
    data = np.arange(1000, dtype=np.float32).reshape(-1, 1)
    a = convert.representative_samples(data, 50, seed=1)
    assert len(a) == 50 and len(np.unique(a)) == 50
    assert np.array_equal(a, convert.representative_samples(data, 50, seed=1))
    with pytest.raises(TinyMLError, match="empty"):
        convert.representative_samples(np.zeros((0, 1)), 5)
