"""Training-time augmentation of gravity-aligned IMU windows, fresh every epoch.

Turning a window so gravity is +z (features.align_to_gravity) removes how the board is tilted
in the hand, but not its heading: the turn about the vertical depends on the grip, which
way the person faces and how the board sits in the fist, so it says nothing about the
gesture. Each epoch every training window is therefore turned by a random heading about +z
and, half the time, mirrored left to right (the same gesture by the other hand). Both keep gravity on +z and every sample's
magnitudes, so the window stays one a real board could record. Validation and test data
are never augmented.
"""

from __future__ import annotations

import numpy as np

from tinyml_lab.chapters.gesture.features import align_to_gravity, scale
from tinyml_lab.core.errors import TinyMLError


def turn_and_mirror(aligned, rng: np.random.Generator, mirror: bool = True) -> np.ndarray:
    """A copy of gravity-aligned windows (n, 119, 6) each turned by a random heading about
    +z and, with probability 1/2 when mirror is set, reflected in the x-z plane. The angular
    rate is a pseudo-vector: under the reflection its x and z change sign, not its y."""
    a = np.asarray(aligned, dtype=np.float64)
    heading = rng.uniform(0.0, 2 * np.pi, len(a))
    c, s = np.cos(heading)[:, None], np.sin(heading)[:, None]
    out = a.copy()
    for x in (0, 3):  # acceleration, angular rate: both turn with the board
        out[..., x] = c * a[..., x] - s * a[..., x + 1]
        out[..., x + 1] = s * a[..., x] + c * a[..., x + 1]
    if mirror:
        flip = rng.random(len(a)) < 0.5
        out[flip, :, 1] *= -1.0
        out[flip, :, 3] *= -1.0
        out[flip, :, 5] *= -1.0
    return out.astype(np.float32)


def augmented_windows(windows, y, batch_size: int = 32, seed: int = 0, mirror: bool = True):
    """A Keras dataset of the model's inputs (features.scale of turned, mirrored, aligned
    windows), reshuffled and freshly augmented every epoch; reproducible for a seed."""
    import keras

    aligned = align_to_gravity(windows)
    labels = np.asarray(y)
    if len(aligned) != len(labels):
        raise TinyMLError(f"{len(aligned)} windows but {len(labels)} labels: give one label "
                         "per window.")

    class _Epochs(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(seed)
            self.on_epoch_end()

        def __len__(self):
            return (len(labels) + batch_size - 1) // batch_size

        def __getitem__(self, index):
            rows = self.order[index * batch_size:(index + 1) * batch_size]
            return self.inputs[rows], labels[rows]

        def on_epoch_end(self):
            self.order = self.rng.permutation(len(labels))
            self.inputs = scale(turn_and_mirror(aligned, self.rng, mirror))

    return _Epochs()
