"""Training-time augmentation of log-mel spectrograms, fresh for every batch.

Synthetic voices are cleaner and more regular than people: a model can learn the quirks of
the synthesizer instead of the word. Each batch is therefore altered at random, in ways
that keep the word recognisable: louder or quieter (a shift of every dB value, as a
different microphone gain would give), a small shift along the mel axis (a higher or
lower voice), a smooth tilt and bend of the spectrum (`tilt_db`: a dull far-away voice, a
bright close one, a nasal "no" whose energy sits below 300 Hz; synthetic voices are brighter
than people and a model trained on them alone learns to expect their treble), and a few
bands of time or frequency blanked out (SpecAugment, Park et al. 2019), so no single cue is
enough. Validation and test data are never augmented.
"""

from __future__ import annotations

import numpy as np


def augment_spectrograms(x: np.ndarray, rng: np.random.Generator, gain_db: float = 12.0,
                         max_shift: int = 2, time_masks: int = 2, max_time: int = 6,
                         freq_masks: int = 2, max_freq: int = 5,
                         floor_db: float = -100.0, tilt_db: float = 0.0) -> np.ndarray:
    """A randomly altered copy of a batch of dB spectrograms shaped (batch, time, mel[, 1]).
    tilt_db: the largest difference the tilt makes between the lowest and highest channel
    (the bend is up to half of it); 0 leaves the spectrum's shape alone."""
    x = np.array(x, dtype=np.float32, copy=True)
    batch, frames, channels = x.shape[:3]
    gains = rng.uniform(-gain_db, gain_db, size=batch).astype(np.float32)
    x += gains.reshape((batch,) + (1,) * (x.ndim - 1))
    if tilt_db:
        position = np.linspace(-1.0, 1.0, channels)
        slope = rng.uniform(-tilt_db, tilt_db, size=(batch, 1)) / 2
        bend = rng.uniform(-tilt_db, tilt_db, size=(batch, 1)) / 2
        curve = (slope * position + bend * (position ** 2 - 1.0 / 3.0)).astype(np.float32)
        x += curve.reshape((batch, 1, channels) + (1,) * (x.ndim - 3))
    np.maximum(x, floor_db, out=x)
    for i in range(batch):
        shift = int(rng.integers(-max_shift, max_shift + 1))
        if shift > 0:  # up the mel axis: the lowest channel repeats
            x[i, :, shift:] = x[i, :, :-shift].copy()
            x[i, :, :shift] = x[i, :, shift:shift + 1]
        elif shift < 0:
            x[i, :, :shift] = x[i, :, -shift:].copy()
            x[i, :, shift:] = x[i, :, shift - 1:shift]
        quiet = x[i].min()
        for _ in range(time_masks):
            width = int(rng.integers(0, max_time + 1))
            start = int(rng.integers(0, frames - width + 1))
            x[i, start:start + width] = quiet
        for _ in range(freq_masks):
            width = int(rng.integers(0, max_freq + 1))
            start = int(rng.integers(0, channels - width + 1))
            x[i, :, start:start + width] = quiet
    return x


def augmented_batches(x: np.ndarray, y: np.ndarray, batch_size: int = 64, seed: int = 0,
                      **options):
    """A Keras dataset that reshuffles every epoch and augments every batch, reproducibly
    for a given seed (one worker, batches in order)."""
    import keras

    class _Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(seed)
            self.order = self.rng.permutation(len(x))

        def __len__(self):
            return (len(x) + batch_size - 1) // batch_size

        def __getitem__(self, index):
            rows = self.order[index * batch_size:(index + 1) * batch_size]
            return augment_spectrograms(x[rows], self.rng, **options), y[rows]

        def on_epoch_end(self):
            self.order = self.rng.permutation(len(x))

    return _Batches()
