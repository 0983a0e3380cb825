"""Keras 3 pruning: the schedule, exact magnitude masks, strip, and channel pruning that
rebuilds a smaller model TFLM runs with fewer bytes, MACs and arena."""

import keras
import numpy as np
import pytest

from tinyml_lab.core import convert, report, tflm
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import read_model, tensor_values
from tinyml_lab.core.training import seed_everything
from tinyml_lab.optimisation import prune

# ------------------------------------------------------------------ schedule

def test_polynomial_decay_runs_from_initial_to_final():
    s = prune.PolynomialDecay(0.8, begin_step=10, end_step=110, initial_sparsity=0.1)
    assert s(0) == s(10) == pytest.approx(0.1)
    assert s(110) == s(500) == pytest.approx(0.8)
    values = [s(i) for i in range(10, 111)]
    assert all(b >= a for a, b in zip(values, values[1:]))
    # cubic: half-way in time is already 7/8 of the way in sparsity
    assert s(60) == pytest.approx(0.1 + 0.7 * (1 - 0.5**3))


def test_schedule_updates_every_frequency_steps_and_at_the_end():
    s = prune.PolynomialDecay(0.5, begin_step=0, end_step=25, frequency=10)
    assert [i for i in range(40) if s.updates_at(i)] == [0, 10, 20, 25]


@pytest.mark.parametrize("kwargs, message", [
    (dict(final_sparsity=1.0, begin_step=0, end_step=10), "every weight"),
    (dict(final_sparsity=0.5, begin_step=10, end_step=10), "begin_step < end_step"),
    (dict(final_sparsity=0.2, begin_step=0, end_step=10, initial_sparsity=0.5), "only grows"),
    (dict(final_sparsity=0.5, begin_step=0, end_step=10, frequency=0), "frequency"),
])
def test_bad_schedules_are_refused(kwargs, message):
    with pytest.raises(TinyMLError, match=message):
        prune.PolynomialDecay(**kwargs)


def test_schedule_over_training_leaves_steps_to_recover():
    s = prune.PolynomialDecay.over_training(0.9, steps=100, ramp_fraction=0.6)
    assert s.begin_step == 0 and s.end_step == 60
    with pytest.raises(TinyMLError, match="at least 2"):
        prune.PolynomialDecay.over_training(0.9, steps=1)


# ------------------------------------------------------------------ magnitude pruning

def test_magnitude_mask_is_exact_even_with_ties():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(7, 13))
    for s in (0.0, 0.1, 0.5, 0.93, 1.0):
        mask = prune.magnitude_mask(w, s)
        assert int((mask == 0).sum()) == round(s * w.size)
        if 0 < s < 1:
            assert np.abs(w[mask == 0]).max() <= np.abs(w[mask == 1]).min()
    ties = np.ones((4, 5))
    assert int((prune.magnitude_mask(ties, 0.35) == 0).sum()) == 7
    with pytest.raises(TinyMLError, match=r"\[0, 1\]"):
        prune.magnitude_mask(w, 1.5)


def _small_classifier():
    seed_everything(1)
    return keras.Sequential([
        keras.Input((8, 8, 1), name="image"),
        keras.layers.Conv2D(6, 3, padding="same", use_bias=False, name="c1"),
        keras.layers.BatchNormalization(name="bn1"), keras.layers.ReLU(name="r1"),
        keras.layers.Conv2D(10, 3, strides=2, activation="relu", name="c2"),
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(12, activation="relu", name="d1"),
        keras.layers.Dense(3, activation="softmax", name="out"),
    ])


@pytest.fixture(scope="module")
def toy_data():
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 1, size=(192, 8, 8, 1)).astype(np.float32)
    y = (x[:, :, :4].mean(axis=(1, 2, 3)) * 3 / x.mean(axis=(1, 2, 3))).astype(np.int32) % 3
    return x, y


def _fit(model, x, y, epochs, callbacks=()):
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=list(callbacks))


def test_schedule_reaches_its_target_sparsity_exactly_in_every_layer(toy_data):
    x, y = toy_data
    model = _small_classifier()
    steps = 4 * (len(x) // 32)
    schedule = prune.PolynomialDecay(0.75, begin_step=0, end_step=steps - 6, frequency=3)
    pruning = prune.MagnitudePruning(schedule, per_layer={"c1": 0.5})
    _fit(model, x, y, epochs=4, callbacks=[pruning])
    assert pruning.step == steps and pruning.finished
    stripped = prune.strip_pruning(model, pruning)
    for layer in prune.prunable_layers(stripped):
        kernel = np.asarray(layer.kernel.numpy())
        target = 0.5 if layer.name == "c1" else 0.75
        assert int((pruning.masks[layer.name] == 0).sum()) == round(target * kernel.size)
        assert np.all(kernel[pruning.masks[layer.name] == 0] == 0)  # masks held through training
    measured = prune.sparsity(stripped)
    assert measured["c1"] == pytest.approx(0.5, abs=0.01)
    assert measured["d1"] == pytest.approx(0.75, abs=0.005)
    assert type(stripped) is keras.Sequential and getattr(stripped, "optimizer", None) is None
    assert np.allclose(stripped.predict(x[:8], verbose=0), model.predict(x[:8], verbose=0))


def test_sparsity_survives_int8_conversion_and_tflm_runs_it(toy_data):
    x, y = toy_data
    model = _small_classifier()
    pruning = prune.MagnitudePruning(prune.PolynomialDecay(0.8, 0, 8, frequency=2),
                                     layers=["d1"])
    _fit(model, x, y, epochs=2, callbacks=[pruning])
    data = convert.to_int8(prune.strip_pruning(model, pruning), x)
    tflite = read_model(data)
    dense = [op for op in tflite.operators if op.name == "FULLY_CONNECTED"][0]
    weights = tensor_values(tflite, dense.inputs[1])
    assert np.mean(weights == 0) >= 0.8  # symmetric int8 keeps an exact zero
    out = tflm.MicroInterpreter(tflite).predict(x[:4])
    assert out.shape == (4, 3)
    unpruned = _small_classifier()
    _fit(unpruned, x, y, epochs=2)
    dense_data = convert.to_int8(unpruned, x)
    assert weights.shape == (12, 90)  # TFLM's format stores the zeros anyway
    assert abs(len(data) - len(dense_data)) < 64
    assert prune.compressed_size(data) < prune.compressed_size(dense_data) - 500


def test_stripping_before_the_schedule_ends_is_refused(toy_data):
    x, y = toy_data
    model = _small_classifier()
    pruning = prune.MagnitudePruning(prune.PolynomialDecay(0.5, 0, 1000))
    _fit(model, x, y, epochs=1, callbacks=[pruning])
    assert not pruning.finished
    with pytest.raises(TinyMLError, match="ends at step 1000.*after 6 steps"):
        prune.strip_pruning(model, pruning)


def test_pruning_an_unknown_layer_is_refused(toy_data):
    x, y = toy_data
    with pytest.raises(TinyMLError, match="'nope'.*prunable layers are 'c1', 'c2'"):
        _fit(_small_classifier(), x, y, 1,
             [prune.MagnitudePruning(prune.PolynomialDecay(0.5, 0, 2), layers=["nope"])])


# ------------------------------------------------------------------ structured pruning

def test_filter_importance_is_the_l1_norm_per_output_channel():
    kernel = np.zeros((3, 3, 2, 4))
    kernel[..., 1] = -1.0
    kernel[0, 0, 0, 3] = 5.0
    assert prune.filter_importance(kernel).tolist() == [0.0, 18.0, 0.0, 5.0]


def test_removing_dead_channels_changes_nothing():
    """Channels whose filters are all zero contribute nothing: pruning exactly those must give
    the same outputs, which checks the index bookkeeping through Conv, Flatten and Dense."""
    seed_everything(2)
    model = keras.Sequential([
        keras.Input((6, 6, 2)),
        keras.layers.Conv2D(5, 3, activation="relu", name="c1"),
        keras.layers.Conv2D(4, 3, activation="relu", name="c2"),
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(6, activation="relu", name="d1"),
        keras.layers.Dense(2, name="out"),
    ])
    dead = {"c1": [0, 3], "c2": [2], "d1": [1, 4, 5]}
    for name, channels in dead.items():
        kernel, bias = model.get_layer(name).get_weights()
        kernel[..., channels] = 0.0
        bias[channels] = 0.0
        model.get_layer(name).set_weights([kernel, bias])
    pruned, plans = prune.prune_channels(model, {"c1": 0.6, "c2": 0.75, "d1": 0.5})
    assert [(p.layer, p.kept) for p in plans] == [
        ("c1", (1, 2, 4)), ("c2", (0, 1, 3)), ("d1", (0, 2, 3)), ("out", (0, 1))]
    assert pruned.get_layer("c1").filters == 3 and pruned.get_layer("d1").units == 3
    x = np.random.default_rng(0).normal(size=(5, 6, 6, 2)).astype(np.float32)
    assert np.allclose(pruned.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)


def test_keep_everything_rebuilds_an_identical_model(toy_data):
    x, _ = toy_data
    model = _small_classifier()
    same, plans = prune.prune_channels(model, 1.0)
    assert all(p.removed == 0 for p in plans)
    assert np.allclose(same.predict(x[:6], verbose=0), model.predict(x[:6], verbose=0),
                       atol=1e-6)


def test_batch_norm_scale_counts_in_the_ranking():
    seed_everything(5)
    model = keras.Sequential([keras.Input((5, 5, 1)),
                              keras.layers.Conv2D(3, 3, use_bias=False, name="c"),
                              keras.layers.BatchNormalization(name="bn"),
                              keras.layers.Flatten(), keras.layers.Dense(2, name="out")])
    model.get_layer("c").set_weights([np.stack([np.full((3, 3, 1), v) for v in (1.0, 2.0, 3.0)],
                                               axis=-1)])
    bn = model.get_layer("bn")
    bn.set_weights([np.array([10.0, 1.0, 0.1]), np.zeros(3), np.zeros(3), np.ones(3)])
    _, plans = prune.prune_channels(model, {"c": 0.34})
    assert plans[0].kept == (0,)  # 1 x 10 beats 2 x 1 and 3 x 0.1


def test_structured_pruning_converts_to_int8_and_shrinks_bytes_macs_and_arena(toy_data):
    x, y = toy_data
    model = _small_classifier()
    _fit(model, x, y, epochs=1)
    pruned, plans, history = prune.prune_and_fine_tune(model, 0.5, x, y, epochs=1)
    assert [len(p.kept) for p in plans] == [3, 5, 6, 3]
    assert "loss" in history.history
    before, after = read_model(convert.to_int8(model, x)), read_model(convert.to_int8(pruned, x))
    assert after.is_full_int8
    assert after.size_bytes < before.size_bytes
    macs = [sum(m for _, m in report.op_macs(t)) for t in (before, after)]
    assert macs[1] < macs[0] / 2
    arenas = [tflm.measure_arena(t, find_minimum=False).used_bytes for t in (before, after)]
    assert arenas[1] < arenas[0]
    out = tflm.MicroInterpreter(after).predict(x[:10])
    assert out.shape == (10, 3) and np.allclose(out.sum(axis=1), 1.0, atol=0.05)


def test_structured_pruning_refuses_what_it_cannot_rebuild():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(4, name="h")(inputs)
    functional = keras.Model(inputs, keras.layers.Add()([hidden, inputs]))
    with pytest.raises(TinyMLError, match="Sequential"):
        prune.prune_channels(functional, 0.5)
    odd = keras.Sequential([keras.Input((4, 3)), keras.layers.Conv1D(4, 2, name="c"),
                            keras.layers.LSTM(2, name="rnn")])
    with pytest.raises(TinyMLError, match="'rnn' \\(LSTM\\)"):
        prune.prune_channels(odd, 0.5)
    with pytest.raises(TinyMLError, match="No Dense/Conv layer named"):
        prune.prune_channels(_small_classifier(), {"bn1": 0.5})
    with pytest.raises(TinyMLError, match=r"\(0, 1\]"):
        prune.prune_channels(_small_classifier(), 0.0)


# ------------------------------------------------------------------ sensitivity

def test_sensitivity_scan_covers_every_layer_and_level(toy_data):
    x, y = toy_data
    model = _small_classifier()
    _fit(model, x, y, epochs=2)
    scan = prune.sensitivity_scan(model, x, y, levels=(0.0, 0.5), recalibrate=x)
    assert [s.layer for s in scan] == ["c1", "c2", "d1"]  # never the output layer
    base = prune.accuracy(model, x, y)
    for s in scan:
        assert s.levels == (0.0, 0.5) and all(0.0 <= m <= 1.0 for m in s.metric)
    magnitude = prune.sensitivity_scan(model, x, y, levels=(0.0,), kind="magnitude")
    assert [s.layer for s in magnitude] == ["c1", "c2", "d1", "out"]
    assert all(s.metric[0] == pytest.approx(base) for s in magnitude)  # nothing pruned
    with pytest.raises(TinyMLError, match="kind"):
        prune.sensitivity_scan(model, x, y, kind="random")
    with pytest.raises(TinyMLError, match="Cannot scan"):
        prune.sensitivity_scan(model, x, y, layers=["out"])


def test_batch_norm_recalibration_refreshes_running_statistics(toy_data):
    x, _ = toy_data
    model = _small_classifier()
    bn = model.get_layer("bn1")
    before = np.asarray(bn.moving_mean.numpy()).copy()
    prune.recalibrate_batch_norm(model, x * 5 + 2, batches=20)
    assert not np.allclose(np.asarray(bn.moving_mean.numpy()), before)
    with pytest.raises(TinyMLError, match="needs some inputs"):
        prune.recalibrate_batch_norm(model, x[:0])
