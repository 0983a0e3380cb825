"""train_gesture_model, chapter 04's recipe behind the notebook and the seed-spread benchmark:
a seed fixes the trained weights whatever ran before it, and the model learns (seconds)."""

import numpy as np
import pytest

from tinyml_lab.chapters.gesture.features import normalize
from tinyml_lab.chapters.gesture.synthetic import GESTURES, make_person, record_gesture
from tinyml_lab.chapters.gesture.training import train_gesture_model


def _windows(people, repetitions, seed):
    x, y = [], []
    for k in range(people):
        person = make_person(seed, k)
        for label, gesture in enumerate(GESTURES):
            for rep in range(repetitions):
                window, _ = record_gesture(gesture, person,
                                           np.random.default_rng([seed, k, label, rep]))
                x.append(window)
                y.append(label)
    return normalize(np.array(x)), np.array(y)


@pytest.fixture(scope="module")
def tiny_problem():
    """Four simulated people to train on, two others to validate on."""
    return _windows(4, 3, seed=31), _windows(2, 2, seed=32)


def _weights(history):
    return [w.copy() for w in history.model.get_weights()]


def test_a_seed_fixes_the_weights_whatever_was_trained_before(tiny_problem):
    (x, y), (xv, yv) = tiny_problem
    first = train_gesture_model(x, y, xv, yv, epochs=3, seed=0)
    other = train_gesture_model(x, y, xv, yv, epochs=3, seed=1)
    again = train_gesture_model(x, y, xv, yv, epochs=3, seed=0)
    assert first.history == again.history
    assert all(np.array_equal(a, b) for a, b in zip(_weights(first), _weights(again)))
    assert not all(np.array_equal(a, b) for a, b in zip(_weights(first), _weights(other)))


def test_it_fits_the_chapter_model_and_learns(tiny_problem):
    (x, y), (xv, yv) = tiny_problem
    history = train_gesture_model(x, y, xv, yv, epochs=30, seed=0)
    model = history.model
    assert model.name == "gesture" and model.output_shape == (None, len(GESTURES))
    assert history.params["epochs"] == 30 and len(history.history["val_accuracy"]) == 30
    loss = history.history["loss"]
    assert loss[-1] < 0.9 * loss[0]  # 48 windows, 60 steps: it has only just begun
    assert model.evaluate(x, y, verbose=0)[1] > 1.5 / len(GESTURES)
