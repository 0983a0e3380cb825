"""Chapter 04's training recipe as one call.

Adam at 3e-3 on sparse cross-entropy, batches of 32, the learning rate halved after 8 epochs
without a lower validation loss (down to 3e-4): what notebooks/04_gesture.py trains its model
with, here so that benchmarks/gesture_seed_spread.py can retrain that very model over many
seeds, and so that the spread the chapter quotes comes from the notebook's recipe, not a copy.
"""

from __future__ import annotations

import numpy as np

from tinyml_lab.chapters.gesture.model import gesture_cnn
from tinyml_lab.chapters.gesture.synthetic import GESTURES
from tinyml_lab.core.training import seed_everything


def train_gesture_model(x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray,
                        y_val: np.ndarray, epochs: int, seed: int = 0,
                        classes: int = len(GESTURES)):
    """Seed everything, build the chapter's gesture_cnn and fit it on normalised windows.

    Returns the Keras history; `history.model` is the trained model. The same seed gives the
    same weights, whatever was trained before in the process."""
    import keras

    seed_everything(seed)
    model = gesture_cnn(classes)
    model.compile(optimizer=keras.optimizers.Adam(0.003), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0,
                     validation_data=(x_val, y_val),
                     callbacks=[keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=8,
                                                                  min_lr=3e-4)])
