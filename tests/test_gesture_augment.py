"""The heading/mirror augmentation keeps every window one a real board could record."""

import numpy as np
import pytest

from tinyml_lab.chapters.gesture import synthetic
from tinyml_lab.chapters.gesture.augment import augmented_windows, turn_and_mirror
from tinyml_lab.chapters.gesture.features import align_to_gravity, scale
from tinyml_lab.core.errors import TinyMLError


def _windows(n=6, seed=0):
    rng = np.random.default_rng(seed)
    person = synthetic.make_person(seed, 0)
    return np.stack([synthetic.record_gesture(synthetic.GESTURES[i % 4], person, rng)[0]
                     for i in range(n)])


def test_turn_keeps_gravity_up_and_every_magnitude():
    aligned = align_to_gravity(_windows())
    out = turn_and_mirror(aligned, np.random.default_rng(1))
    mean = out[..., :3].mean(axis=1)
    np.testing.assert_allclose(mean[:, :2], 0.0, atol=1e-4)
    np.testing.assert_allclose(mean[:, 2], aligned[..., 2].mean(axis=1), atol=1e-5)
    for block in (slice(0, 3), slice(3, 6)):
        np.testing.assert_allclose(np.linalg.norm(out[..., block], axis=-1),
                                   np.linalg.norm(aligned[..., block], axis=-1), rtol=1e-5,
                                   atol=1e-5)
    assert not np.allclose(out, aligned, atol=1e-3)  # it did turn them


def test_mirror_is_the_other_hand():
    """A turn about the vertical reverses under the mirror: gZ changes sign."""
    aligned = align_to_gravity(_windows())
    rng = np.random.default_rng(3)
    out = turn_and_mirror(aligned, rng)
    flipped = np.isclose(out[..., 5], -aligned[..., 5], atol=1e-4).all(axis=1)
    kept = np.isclose(out[..., 5], aligned[..., 5], atol=1e-4).all(axis=1)
    assert (flipped | kept).all() and flipped.any()
    no_mirror = turn_and_mirror(aligned, np.random.default_rng(3), mirror=False)
    np.testing.assert_allclose(no_mirror[..., 5], aligned[..., 5], atol=1e-4)


def test_batches_are_reproducible_fresh_each_epoch_and_checked():
    x = _windows(5)
    y = np.arange(5) % 4
    a, b = augmented_windows(x, y, batch_size=2, seed=7), augmented_windows(x, y, 2, seed=7)
    assert len(a) == 3
    xa, ya = a[0]
    np.testing.assert_array_equal(xa, b[0][0])
    assert xa.shape == (2, 119, 6) and xa.dtype == np.float32
    assert set(ya) <= set(y)
    first = a.inputs.copy()
    a.on_epoch_end()
    assert not np.allclose(first, a.inputs)
    assert np.allclose(scale(align_to_gravity(x))[..., 2], a.inputs[..., 2], atol=1e-5)
    with pytest.raises(TinyMLError, match="one label per window"):
        augmented_windows(x, y[:3])
