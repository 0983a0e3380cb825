"""The quantization recipe: hand-checkable numbers, and equality with the TFLite converter."""

import numpy as np
import pytest

from tinyml_lab.core import convert
from tinyml_lab.core.errors import ModelFormatError, TinyMLError
from tinyml_lab.core.tflite_file import read_model, tensor_values
from tinyml_lab.optimisation import quantize as q


def test_relu_range_maps_zero_to_the_lowest_integer():
    p = q.params_from_range(0.0, 6.0)
    assert float(p.scale) == pytest.approx(6.0 / 255)
    assert int(p.zero_point) == -128
    assert q.quantize(np.array([0.0, 6.0, 3.0]), p).tolist() == [-128, 127, 0]


def test_range_is_widened_to_contain_zero():
    positive = q.params_from_range(2.0, 4.0)  # as if it were [0, 4]
    assert float(positive.scale) == pytest.approx(4.0 / 255)
    assert int(positive.zero_point) == -128
    negative = q.params_from_range(-4.0, -2.0)  # as if it were [-4, 0]
    assert int(negative.zero_point) == 127
    assert q.quantize(np.array([0.0]), negative)[0] == 127


def test_zero_is_exact_for_any_range():
    for rmin, rmax in [(-0.3, 2.7), (-5.1, 0.2), (-1.0, 1.0), (-0.01, 100.0)]:
        p = q.params_from_range(rmin, rmax)
        assert q.dequantize(q.quantize(np.array([0.0]), p), p)[0] == 0.0


def test_zero_point_is_nudged_from_the_end_with_less_error():
    # [-1, 1]: from the minimum -128 + 127.5 = -0.5 (error 255.5), from the maximum
    # 127 - 127.5 = -0.5 (error 254.5): the max side wins, and -0.5 rounds away from zero
    p = q.params_from_range(-1.0, 1.0)
    assert int(p.zero_point) == -1


def test_round_trip_error_is_at_most_half_a_step_inside_the_range():
    p = q.params_from_range(-0.7, 2.3)
    x = np.linspace(-0.7, 2.3, 1001)
    assert np.max(np.abs(q.dequantize(q.quantize(x, p), p) - x)) <= float(p.scale) / 2 + 1e-12


def test_quantize_saturates_and_rounds_half_away_from_zero():
    p = q.QuantParams(np.array(0.5), np.array(0), -128, 127)
    out = q.quantize(np.array([0.25, -0.25, 0.75, 1000.0, -1000.0]), p)
    assert out.tolist() == [1, -1, 2, 127, -128] and out.dtype == np.int8


def test_weights_are_symmetric_per_channel_in_minus127_127():
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(3, 3, 2, 4)) * np.array([0.01, 0.1, 1.0, 10.0])
    p = q.weight_params(kernel)
    assert p.per_channel and np.all(p.zero_point == 0)
    w = q.quantize(kernel, p)
    assert w.min() >= -127 and w.max() <= 127
    assert np.all(np.abs(w).reshape(-1, 4).max(axis=0) == 127)  # each channel uses its range
    per_tensor = q.weight_params(kernel, per_channel=False)
    assert not per_tensor.per_channel and np.ndim(per_tensor.scale) == 0


def test_per_channel_beats_per_tensor_when_channels_differ_in_size():
    rng = np.random.default_rng(1)
    kernel = rng.normal(size=(3, 3, 8, 6)) * np.array([0.02, 0.05, 0.1, 0.5, 1.0, 4.0])
    per_channel = q.quantization_error(kernel, q.weight_params(kernel))
    per_tensor = q.quantization_error(kernel, q.weight_params(kernel, per_channel=False))
    assert per_channel.mse < per_tensor.mse
    assert per_channel.sqnr_db > per_tensor.sqnr_db + 3


def test_bias_scale_is_input_scale_times_weight_scale():
    weight = q.weight_params(np.array([[1.27, -0.254], [0.5, 0.1]]))
    bias = q.bias_params(0.02, weight)
    assert np.allclose(bias.scale, 0.02 * np.array([0.01, 0.002]))
    assert bias.qmin == -(2**31) and q.quantize(np.array([0.0002, 0.0]), bias).dtype == np.int32


def test_bad_ranges_and_empty_tensors_are_refused():
    with pytest.raises(TinyMLError, match="above its maximum"):
        q.params_from_range(2.0, 1.0)
    with pytest.raises(TinyMLError, match="not finite"):
        q.params_from_range(float("nan"), 1.0)
    with pytest.raises(TinyMLError, match="empty"):
        q.symmetric_params(np.zeros((0, 3)))
    with pytest.raises(TinyMLError, match="at least one sample"):
        q.activation_params(np.zeros(0))


def test_all_zero_tensor_gets_a_usable_scale():
    assert float(q.params_from_range(0.0, 0.0).scale) == 1.0
    assert np.all(np.atleast_1d(q.weight_params(np.zeros((2, 3))).scale) == 1.0)


def test_batch_norm_folding_matches_keras():
    import keras

    rng = np.random.default_rng(2)
    model = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.Conv2D(3, 3, name="c"),
                              keras.layers.BatchNormalization(name="bn")])
    bn = model.get_layer("bn")
    bn.set_weights([rng.uniform(0.5, 2, 3), rng.normal(size=3), rng.normal(size=3),
                    rng.uniform(0.5, 2, 3)])
    kernel, bias = model.get_layer("c").get_weights()
    k, b = q.fold_batch_norm(kernel, bias, *bn.get_weights(), bn.epsilon)
    x = rng.normal(size=(2, 6, 6, 2)).astype(np.float32)
    folded = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.Conv2D(3, 3)])
    folded.set_weights([k.astype(np.float32), b.astype(np.float32)])
    assert np.allclose(model(x, training=False), folded(x), atol=1e-5)


# ------------------------------------------------------------- against the real converter

@pytest.fixture(scope="module")
def conv_model():
    """Conv + batch norm + ReLU, pooling, global average, softmax: every rule of the recipe."""
    import keras

    from tinyml_lab.core.training import seed_everything

    seed_everything(3)
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, size=(160, 12, 12, 1)).astype(np.float32)
    y = (x[:, :6].mean(axis=(1, 2, 3)) > x[:, 6:].mean(axis=(1, 2, 3))).astype(np.int32)
    model = keras.Sequential([
        keras.Input((12, 12, 1)),
        keras.layers.Conv2D(6, 3, padding="same", use_bias=False, name="c1"),
        keras.layers.BatchNormalization(name="bn1"), keras.layers.ReLU(name="r1"),
        keras.layers.MaxPooling2D(name="p1"),
        keras.layers.Conv2D(8, 3, activation="relu", name="c2"),
        keras.layers.GlobalAveragePooling2D(name="gap"),
        keras.layers.Dense(5, activation="relu", name="d1"),
        keras.layers.Dense(2, activation="softmax", name="out"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)  # non-trivial weights, biases, BN stats
    return model, x


@pytest.mark.parametrize("per_channel_dense", [False, True])
def test_recipe_equals_what_the_converter_wrote(conv_model, per_channel_dense):
    model, x = conv_model
    count = 80
    data = convert.to_int8(model, x, count=count, per_channel_dense=per_channel_dense)
    samples = convert.representative_samples(x, count)  # the converter's calibration set
    rows = q.compare_with_converter(model, data, samples, per_channel_dense=per_channel_dense)
    layers = {r.layer for r in rows}
    assert layers == {"c1", "c2", "d1", "out"}
    quantities = {r.quantity for r in rows}
    assert {"input scale", "output zero point", "weight scales", "int8 weights",
            "int32 bias"} <= quantities
    wrong = [(r.layer, r.quantity, r.ours, r.converter) for r in rows if not r.equal]
    assert not wrong
    assert "yes" in q.comparison_table(rows)


def test_recipe_equals_converter_on_the_sine_model(keras_sine_model, sine_int8):
    model, data = keras_sine_model
    samples = convert.representative_samples(data.train.x, 200)
    rows = q.compare_with_converter(model, sine_int8, samples)
    assert len({r.layer for r in rows}) == 3 and all(r.equal for r in rows)


def test_a_perturbed_weight_is_caught(conv_model):
    import keras

    model, x = conv_model
    data = convert.to_int8(model, x, count=40)
    samples = convert.representative_samples(x, 40)
    clone = keras.models.clone_model(model)
    weights = model.get_weights()
    weights[-2] = weights[-2] * 1.5  # the output layer's kernel
    clone.set_weights(weights)
    rows = q.compare_with_converter(clone, data, samples)
    bad = {(r.layer, r.quantity) for r in rows if not r.equal}
    assert ("out", "weight scales") in bad


def test_comparing_with_another_models_file_is_refused(conv_model, sine_int8):
    model, x = conv_model
    with pytest.raises(TinyMLError, match="converted from this model"):
        q.compare_with_converter(model, sine_int8, x[:10])


def test_tensor_values_reads_weights_and_refuses_activations(sine_int8):
    model = read_model(sine_int8)
    fc = model.operators[0]
    weights = tensor_values(model, fc.inputs[1])
    assert weights.dtype == np.int8 and weights.shape == model.tensors[fc.inputs[1]].shape
    assert np.abs(weights).max() == 127  # symmetric per-tensor: the largest weight is +-127
    with pytest.raises(ModelFormatError, match="not a constant"):
        tensor_values(model, fc.outputs[0])


def _round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def test_weights_are_rounded_in_float32_like_the_converter():
    """A weight exactly on a .5 boundary the converter's way (w times the float32 reciprocal
    of the scale) but just below it in float64: the converter rounds it up, so must we."""
    import keras

    rng = np.random.default_rng(0)
    found = None
    while found is None:
        peak = np.float32(rng.uniform(0.5, 2))
        scale = np.float32(peak / np.float32(127))
        for w in (np.float32(np.float32(47.5) * scale),):
            for cand in (w, np.nextafter(w, np.float32(0)), np.nextafter(w, np.float32(10))):
                if cand * (np.float32(1) / scale) == np.float32(47.5) and \
                        float(cand) / float(scale) < 47.5:
                    found = (peak, cand)
    peak, w = found
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2, use_bias=False)])
    model.set_weights([np.array([[peak, w]], dtype=np.float32)])
    x = np.linspace(-1, 1, 16, dtype=np.float32).reshape(-1, 1)
    data = convert.to_int8(model, x, count=16)
    stored = tensor_values(read_model(data), read_model(data).operators[0].inputs[1])
    assert stored.ravel().tolist() == [127, 48]  # 47.5 rounded away from zero
    assert _round_half_away(float(w) / float(scale)) == 47  # what float64 would have said
    rows = q.compare_with_converter(model, data, convert.representative_samples(x, 16))
    assert all(r.equal for r in rows)


def test_batch_norm_is_folded_with_tensorflows_rsqrt():
    """TensorFlow's vectorised rsqrt differs from 1/sqrt by one float32 step on some values;
    the converter folds with it, so a weight can land on the other side of a .5 boundary."""
    import keras

    rng = np.random.default_rng(1)
    variance = rng.uniform(0.05, 4, 64).astype(np.float32)
    gamma = rng.uniform(0.5, 2, 64).astype(np.float32)
    eps = np.float32(1e-3)
    inv_tf = np.asarray(keras.ops.convert_to_numpy(keras.ops.rsqrt(variance + eps))) * gamma
    inv_np = np.float32(1) / np.sqrt(variance + eps) * gamma

    def rounded(w, peak, inv):
        scale = np.float32(np.float32(peak) * inv / np.float32(127))
        return _round_half_away(np.float32(w) * inv * (np.float32(1) / scale))

    found = None
    for c in np.flatnonzero(inv_tf != inv_np):
        for _ in range(20000):
            peak = np.float32(rng.uniform(0.5, 1.5))
            w = np.float32((rng.integers(1, 126) + 0.5) * peak / 127)
            for _ in range(4):
                if rounded(w, peak, inv_tf[c]) != rounded(w, peak, inv_np[c]):
                    found = (c, peak, w)
                    break
                w = np.nextafter(w, np.float32(10))
            if found:
                break
        if found:
            break
    assert found, "no boundary case found; widen the search"
    c, peak, w = found
    kernel = rng.uniform(-0.4, 0.4, size=(1, 1, 2, 64)).astype(np.float32)
    kernel[0, 0, :, c] = [peak, w]
    model = keras.Sequential([keras.Input((4, 4, 2)),
                              keras.layers.Conv2D(64, 1, use_bias=False, name="c"),
                              keras.layers.BatchNormalization(epsilon=float(eps), name="bn")])
    model.get_layer("c").set_weights([kernel])
    model.get_layer("bn").set_weights([gamma, np.zeros(64, np.float32),
                                       np.zeros(64, np.float32), variance])
    x = np.random.default_rng(2).uniform(-1, 1, size=(20, 4, 4, 2)).astype(np.float32)
    data = convert.to_int8(model, x, count=20)
    rows = q.compare_with_converter(model, data, convert.representative_samples(x, 20))
    assert [r.quantity for r in rows if not r.equal] == []


def test_folded_biases_are_quantized_like_the_converter():
    """Random conv + batch norm + dense models with large means: every int32 bias matches
    (the first of these models caught biases computed as b / scale in float64)."""
    import keras

    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, (30, 8, 8, 32)).astype(np.float32)
    for _ in range(2):
        model = keras.Sequential([
            keras.Input((8, 8, 32)), keras.layers.Conv2D(64, 3, use_bias=False, name="c"),
            keras.layers.BatchNormalization(name="bn"), keras.layers.ReLU(),
            keras.layers.Flatten(), keras.layers.Dense(10, name="d")])
        model.get_layer("c").set_weights([rng.normal(size=(3, 3, 32, 64)).astype(np.float32) * 0.1])
        model.get_layer("bn").set_weights([
            rng.uniform(0.5, 2, 64).astype(np.float32), rng.normal(size=64).astype(np.float32),
            rng.normal(size=64).astype(np.float32) * 0.1,
            rng.uniform(0.05, 3, 64).astype(np.float32)])
        model.get_layer("d").set_weights([
            rng.normal(size=(2304, 10)).astype(np.float32) * 0.05,
            rng.normal(size=10).astype(np.float32)])
        data = convert.to_int8(model, x, count=30)
        rows = q.compare_with_converter(model, data, convert.representative_samples(x, 30))
        assert [(r.layer, r.quantity) for r in rows if not r.equal] == []
