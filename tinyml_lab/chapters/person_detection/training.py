"""Training and judging the person detector (chapter 03).

A MobileNet trained from scratch on a CPU needs every epoch to count: a short warm-up then a
cosine decay of the learning rate (fast early, fine at the end), and each epoch sees every
picture either as it is or mirrored (a person is a person either way round; the generator's
scenes are not symmetric, so mirroring adds pictures the model has not seen).
"""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import numpy as np

from tinyml_lab.chapters.person_detection.data import Split

PERSON = 1  # index of "person" in tinyml_lab.chapters.person_detection.data.LABELS


def mirror_in_place(x: np.ndarray, flip: np.ndarray, chunk: int = 1024) -> None:
    """Mirror left-right the pictures where flip is True, in place and a chunk at a time:
    a copy of 40,000 training pictures would be another 1.5 GB. Doing it twice undoes it."""
    for start in range(0, len(x), chunk):
        rows = start + np.flatnonzero(flip[start:start + chunk])
        x[rows] = x[rows, :, ::-1]


def train_detector(model, train: Split, val: Split, epochs: int, batch_size: int = 64,
                   peak_lr: float = 5e-3, seed: int = 0, verbose: int = 2):
    """Compile and train; returns an object with .history like Keras's History, plus
    .seconds. Prints one line per epoch (verbose=2) so long runs show progress."""
    import keras

    steps = epochs * math.ceil(len(train) / batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps, warmup_target=peak_lr, warmup_steps=max(1, steps // 20))
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {}
    start = time.perf_counter()
    for epoch in range(epochs):
        flip = rng.random(len(train)) < 0.5  # each picture as it is or mirrored
        mirror_in_place(train.x, flip)
        try:
            h = model.fit(train.x, train.y, batch_size=batch_size, initial_epoch=epoch,
                          epochs=epoch + 1, verbose=verbose, validation_data=(val.x, val.y))
        finally:
            mirror_in_place(train.x, flip)  # the caller gets its pictures back unchanged
        for key, values in h.history.items():
            history.setdefault(key, []).extend(values)
    return SimpleNamespace(history=history, seconds=time.perf_counter() - start)


def person_scores(model, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """P(person) of a float Keras model for pictures (n, 96, 96, 1)."""
    return model.predict(x, batch_size=batch_size, verbose=0)[:, PERSON]
