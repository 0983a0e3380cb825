"""Training helpers every chapter shares."""

from __future__ import annotations


def seed_everything(seed: int = 0) -> None:
    """Same seed, same weights, same numbers: reproducible notebooks and sketch models."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
