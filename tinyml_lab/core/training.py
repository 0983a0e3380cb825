"""Training helpers every chapter shares."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

# `python -m tinyml_lab course` names a file here for each notebook's kernel; every epoch
# of every fit() then writes its progress there, for the course to show.
PROGRESS_ENV = "TINYML_LAB_PROGRESS"


def seed_everything(seed: int = 0) -> None:
    """Same seed, same weights, same numbers: reproducible notebooks and sketch models."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def write_progress(path: str | Path, **state) -> None:
    """Replace the progress file's content with `state` (JSON), whole or not at all."""
    from tinyml_lab.core.files import write_atomically

    write_atomically(path, json.dumps(state))


def read_progress(path: str | Path) -> dict:
    """The last state written, or {} when there is none yet (or it is being replaced)."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def epoch_progress_callback(path: str | Path):
    """A Keras callback that records the current epoch (and its metrics) in `path`."""
    import keras

    class EpochProgress(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            write_progress(path, epoch=epoch + 1, epochs=self.params.get("epochs"))

        def on_epoch_end(self, epoch, logs=None):
            metrics = {k: round(float(v), 4) for k, v in (logs or {}).items()
                       if k in ("loss", "accuracy", "val_loss", "val_accuracy", "mae")}
            write_progress(path, epoch=epoch + 1, epochs=self.params.get("epochs"),
                           done=True, **metrics)

    return EpochProgress()


def report_epochs_of_every_fit() -> None:
    """In a course kernel (PROGRESS_ENV set): make every keras Model.fit() record its epochs,
    whatever callbacks the notebook passes. Notebooks train with verbose=0; this is how the
    course shows the current epoch of a long training without changing them."""
    path = os.environ.get(PROGRESS_ENV)
    if not path:
        return
    import keras

    original = keras.Model.fit
    if getattr(original, "reports_progress", False):
        return

    @functools.wraps(original)
    def fit(self, *args, callbacks=None, **kwargs):
        callbacks = [*(callbacks or []), epoch_progress_callback(path)]
        return original(self, *args, callbacks=callbacks, **kwargs)

    fit.reports_progress = True
    keras.Model.fit = fit
