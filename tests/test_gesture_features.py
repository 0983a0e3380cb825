"""The gesture window, its trigger and its normalisation (Python side; the C++ twin is
compared in test_gesture_sketch_parity.py)."""

import numpy as np
import pytest

from tinyml_lab.chapters.gesture import features
from tinyml_lab.chapters.gesture.synthetic import random_rotation
from tinyml_lab.core.errors import TinyMLError


def rest(n, gravity=(0.0, 0.0, 1.0)):
    s = np.zeros((n, 6), dtype=np.float32)
    s[:, :3] = gravity
    return s


def test_motion_threshold_is_the_sum_of_absolute_accelerations():
    samples = np.array([[2.5, 0, 0, 0, 0, 0], [1, -1, 0.49, 900, 0, 0], [-1, 1, -0.5, 0, 0, 0]],
                       dtype=np.float32)
    assert features.is_significant_motion(samples).tolist() == [True, False, True]
    assert features.is_significant_motion(samples, 3.0).tolist() == [False, False, False]


def test_capture_keeps_the_119_samples_after_the_trigger_and_rearms_after_a_window():
    stream = rest(400)
    stream[:, 3] = np.arange(400)  # tag every sample with its index
    stream[10, :3] = (3, 0, 0)
    stream[50, :3] = (3, 0, 0)  # inside the first window: not a new trigger
    stream[200, :3] = (0, -3, 0)
    stream[350, :3] = (3, 0, 0)  # too close to the end: no window
    triggers, windows = features.capture_windows(stream)
    assert triggers.tolist() == [10, 200]
    assert windows.shape == (2, 119, 6)
    assert windows[0, 0, 3] == 11 and windows[0, -1, 3] == 129
    assert windows[1, 0, 3] == 201
    with pytest.raises(TinyMLError, match=r"shape \(n, 6\)"):
        features.capture_windows(np.zeros((10, 3)))


def test_scaling_maps_full_scale_onto_0_1():
    x = np.array([[-4, 0, 4, -2000, 0, 2000]], dtype=np.float32)
    assert features.scale(x).tolist() == [[0.0, 0.5, 1.0, 0.0, 0.5, 1.0]]


def test_a_window_at_rest_with_gravity_up_is_left_as_it_is():
    window = rest(119)
    window[:, 3:] = 10.0
    aligned = features.align_to_gravity(window)
    assert np.array_equal(aligned, window)
    assert features.normalize(window)[0].tolist() == pytest.approx(
        [0.5, 0.5, 0.625, 0.5025, 0.5025, 0.5025])


def test_alignment_removes_how_the_board_is_held():
    rng = np.random.default_rng(1)
    window = rng.normal(0, 1, (119, 6)).astype(np.float32)
    window[:, :3] += (0.3, -0.4, 0.8)
    window[:, 3:] *= 200
    reference = features.align_to_gravity(window)
    assert np.allclose(reference[:, :3].mean(0)[:2], 0, atol=1e-5)
    for seed in range(5):
        R = random_rotation(np.random.default_rng(seed))
        turned = np.concatenate([window[:, :3] @ R.T, window[:, 3:] @ R.T], 1)
        aligned = features.align_to_gravity(turned)
        # the same window up to a turn about the vertical: z parts and horizontal norms agree
        assert np.allclose(aligned[:, [2, 5]], reference[:, [2, 5]], atol=2e-3)
        for part in (slice(0, 2), slice(3, 5)):
            assert np.allclose(np.linalg.norm(aligned[:, part], axis=1),
                               np.linalg.norm(reference[:, part], axis=1), atol=2e-3)


def test_upside_down_and_empty_windows_have_defined_rotations():
    down = features.gravity_rotation(rest(119, (0, 0, -1)))
    assert np.array_equal(down, np.diag([1, -1, -1]).astype(np.float32))
    assert np.array_equal(features.gravity_rotation(rest(119, (0, 0, 0))), np.eye(3))


def test_normalize_wants_whole_windows():
    with pytest.raises(TinyMLError, match="119 samples of 6"):
        features.normalize(np.zeros((100, 6)))


def test_top_class_takes_the_first_of_equal_scores():
    assert features.top_class([0.1, 0.7, 0.7, 0.1]) == 1
    assert features.top_class([[0.9, 0.1], [0.2, 0.8]]).tolist() == [0, 1]
