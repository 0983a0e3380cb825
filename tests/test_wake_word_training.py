"""Training pieces of the wake-word chapter: augmentation, metrics, the DS-CNN builder and
its int8 conversion, and the KeywordSpotter's checks."""

import numpy as np
import pytest

from tinyml_lab.chapters.wake_word.augment import augment_spectrograms, augmented_batches
from tinyml_lab.core import metrics
from tinyml_lab.core.errors import TinyMLError


def _batch(n=6, seed=0):
    return np.random.default_rng(seed).uniform(-90, -20, (n, 49, 40, 1)).astype(np.float32)


def test_gain_only_shifts_every_value_of_a_clip_by_the_same_db():
    x = _batch()
    y = augment_spectrograms(x, np.random.default_rng(1), max_shift=0, time_masks=0,
                             freq_masks=0)
    shift = (y - x).reshape(len(x), -1)
    assert np.allclose(shift, shift[:, :1], atol=1e-4)
    assert np.all(np.abs(shift[:, 0]) <= 12.0) and np.std(shift[:, 0]) > 1.0
    assert np.array_equal(x, _batch())  # the input is not modified


def test_floor_shift_and_masks():
    x = np.full((4, 49, 40, 1), -99.0, np.float32)
    y = augment_spectrograms(x, np.random.default_rng(2), gain_db=20, max_shift=0,
                             time_masks=0, freq_masks=0)
    assert y.min() >= -100.0
    ramp = np.tile(np.arange(40, dtype=np.float32), (1, 49, 1))[..., None] - 80
    for seed in range(10):
        y = augment_spectrograms(ramp, np.random.default_rng(seed), gain_db=0, max_shift=2,
                                 time_masks=0, freq_masks=0)[0, 0, :, 0]
        step = y[20] - ramp[0, 0, 20, 0]
        assert step in (-2, -1, 0, 1, 2)  # the whole spectrum moved by whole channels
        assert np.all(np.diff(y) >= 0)  # edges repeat instead of wrapping around
    y = augment_spectrograms(_batch(1), np.random.default_rng(3), gain_db=0, max_shift=0,
                             time_masks=2, max_time=6, freq_masks=2, max_freq=5)
    quiet = y.min()
    assert np.sum(np.all(y[0, :, :, 0] == quiet, axis=1)) <= 12  # at most two 6-frame masks


def test_augmentation_is_reproducible_for_a_seed():
    a = augment_spectrograms(_batch(), np.random.default_rng(5))
    b = augment_spectrograms(_batch(), np.random.default_rng(5))
    c = augment_spectrograms(_batch(), np.random.default_rng(6))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_augmented_batches_keep_labels_with_their_clips():
    x = _batch(10)
    x[:, 0, 0, 0] = np.arange(10)  # a marker that masks could hide: use the label instead
    y = np.arange(10)
    batches = augmented_batches(x, y, batch_size=4, seed=0, gain_db=0, max_shift=0,
                                time_masks=0, freq_masks=0)
    assert len(batches) == 3
    seen = []
    for i in range(len(batches)):
        xb, yb = batches[i]
        assert np.array_equal(xb[:, 0, 0, 0], yb.astype(np.float32))
        seen += list(yb)
    assert sorted(seen) == list(range(10))
    first = [list(batches[i][1]) for i in range(3)]
    batches.on_epoch_end()
    assert [list(batches[i][1]) for i in range(3)] != first  # reshuffled


def test_confusion_matrix_and_per_class_accuracy():
    counts = metrics.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], 4)
    assert counts.tolist() == [[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 2, 0], [0, 0, 0, 0]]
    per_class = metrics.per_class_accuracy(counts)
    assert per_class[:3].tolist() == [0.5, 1.0, 2 / 3] and np.isnan(per_class[3])
    assert metrics.accuracy([0, 1, 1], [0, 1, 0]) == pytest.approx(2 / 3)
    with pytest.raises(TinyMLError, match="class indices"):
        metrics.confusion_matrix([0, 5], [0, 1], 4)
    with pytest.raises(TinyMLError, match="2 true labels but 1"):
        metrics.confusion_matrix([0, 1], [0], 4)
    with pytest.raises(TinyMLError, match="No examples"):
        metrics.accuracy([], [])


@pytest.fixture(scope="module")
def tiny_kws():
    """The chapter's DS-CNN trained for a moment on separable random data, then int8."""
    import keras

    from tinyml_lab.chapters.wake_word.model import ds_cnn
    from tinyml_lab.core.convert import to_int8
    from tinyml_lab.core.training import seed_everything

    seed_everything(0)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 256)
    x = rng.uniform(-90, -60, (256, 49, 40, 1)).astype(np.float32)
    for c in range(4):  # each class is loud in its own band
        x[y == c, :, 10 * c:10 * c + 10] += 40
    model = ds_cnn(classes=4)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=12, batch_size=32, verbose=0)
    return model, to_int8(model, x), x, y


def test_ds_cnn_fits_micro_speech_size_with_tflm_ops(tiny_kws):
    from tinyml_lab.core.tflite_file import read_model

    model, int8_bytes, x, y = tiny_kws
    assert model.output_shape == (None, 4)
    q = read_model(int8_bytes)
    assert q.is_full_int8 and q.size_bytes <= 18800
    assert set(q.op_names) == {"CONV_2D", "DEPTHWISE_CONV_2D", "MEAN", "FULLY_CONNECTED",
                               "SOFTMAX"}
    assert metrics.accuracy(y, model.predict(x, verbose=0).argmax(1)) > 0.5


def test_keyword_spotter_refuses_mismatched_models(tiny_kws, sine_int8):
    from tinyml_lab.chapters.wake_word.spotter import KeywordSpotter

    _, int8_bytes, _, _ = tiny_kws
    with pytest.raises(TinyMLError, match="4 outputs but 3 labels"):
        KeywordSpotter(int8_bytes, ("a", "b", "c"))
    with pytest.raises(TinyMLError, match="49 x 40 features"):
        KeywordSpotter(sine_int8, ("y",))
    spotter = KeywordSpotter(int8_bytes, ("silence", "unknown", "yes", "no"))
    clips = np.random.default_rng(0).integers(-3000, 3000, (3, 16000)).astype(np.int16)
    scores = spotter.scores(clips)
    assert scores.shape == (3, 4) and np.allclose(scores.sum(axis=1), 1.0, atol=0.03)
    stream = np.concatenate(list(clips))
    times, stream_scores = spotter.stream(stream, every=5)
    assert times[0] == 980 and np.all(np.diff(times) == 100)
    # the window ending at 1 s is the first clip
    assert np.array_equal(stream_scores[0], spotter.raw_scores(clips[0])[0].astype(int) + 128)


def test_tilt_bends_the_spectrum_smoothly_and_differently_per_clip():
    x = _batch(8) + 30  # well above the floor, which would clip the change
    y = augment_spectrograms(x, np.random.default_rng(4), gain_db=0, max_shift=0, time_masks=0,
                             freq_masks=0, tilt_db=20)
    change = (y - x)[..., 0]
    assert np.allclose(change, change[:, :1, :], atol=1e-4)  # the same in every frame
    span = change[:, 0, -1] - change[:, 0, 0]
    assert np.all(np.abs(span) <= 20 + 1e-3) and np.ptp(span) > 5  # low vs high channels
    assert np.all(np.abs(np.diff(change[:, 0, :], n=2, axis=1)) < 0.1)  # smooth, no steps
    same = augment_spectrograms(x, np.random.default_rng(4), gain_db=0, max_shift=0,
                                time_masks=0, freq_masks=0)
    assert np.array_equal(same, x)  # tilt_db=0 leaves the shape alone
