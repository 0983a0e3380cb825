"""Training helpers of the person-detection chapter."""

import numpy as np

from tinyml_lab.chapters.person_detection.data import Split
from tinyml_lab.chapters.person_detection.training import (
    mirror_in_place,
    person_scores,
    train_detector,
)


def test_mirror_in_place_flips_only_the_chosen_pictures_and_twice_undoes_it():
    rng = np.random.default_rng(0)
    x = rng.random((2500, 6, 5, 1)).astype(np.float32)
    original = x.copy()
    flip = rng.random(len(x)) < 0.5
    mirror_in_place(x, flip, chunk=700)  # chunks that do not divide the set
    np.testing.assert_array_equal(x[flip], original[flip][:, :, ::-1])
    np.testing.assert_array_equal(x[~flip], original[~flip])
    mirror_in_place(x, flip, chunk=700)
    np.testing.assert_array_equal(x, original)


def test_train_detector_learns_and_gives_the_pictures_back():
    import keras

    from tinyml_lab.core.training import seed_everything

    seed_everything(0)
    rng = np.random.default_rng(1)
    x = rng.random((256, 16, 16, 1)).astype(np.float32) * 0.5
    y = (np.arange(256) % 2).astype(np.int32)
    x[y == 1, 4:12, 4:12, 0] += 0.5  # "person": a bright square in the middle
    train, val = Split(x[:192], y[:192]), Split(x[192:], y[192:])
    before = train.x.copy()
    model = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(4, 3),
                              keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(2, activation="softmax")])
    history = train_detector(model, train, val, epochs=6, batch_size=32, peak_lr=0.02, verbose=0)
    np.testing.assert_array_equal(train.x, before)
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 6 and history.seconds > 0
    assert history.history["loss"][-1] < history.history["loss"][0]
    scores = person_scores(model, val.x)
    assert scores.shape == (64,) and np.mean((scores > 0.5) == val.y) > 0.9
