"""Chapter 02's training recipe as one call, for any model of the family.

Adam with a cosine-decayed learning rate (3e-3 down to 5 %), batches of 64 augmented afresh
each epoch (augment.py, with chapter 02's spectral tilt of up to 20 dB), validation data never
augmented: what notebooks/02_wake_word.py
does inline, so chapter 08's search trains every candidate, and the chapter 02 model it
compares them with, the same way.
"""

from __future__ import annotations

import numpy as np

from tinyml_lab.chapters.wake_word.augment import augmented_batches


def train_spotter(model, x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray,
                  y_val: np.ndarray, epochs: int, batch_size: int = 64,
                  learning_rate: float = 3e-3, seed: int = 0, tilt_db: float = 20.0):
    """Compile and fit a keyword-spotting model in place; returns the Keras history."""
    import keras

    steps = -(-len(x_train) // batch_size) * epochs
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(augmented_batches(x_train, y_train, batch_size=batch_size, seed=seed,
                                       tilt_db=tilt_db),
                     epochs=epochs, validation_data=(x_val, y_val), verbose=0)
