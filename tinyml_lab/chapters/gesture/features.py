"""The gesture sketch's signal path in Python: the twin of arduino_sketches/gesture/imu_gesture.h.

A gesture window starts at motion: the first sample whose absolute accelerations add up to
at least 2.5 g (the Arduino workshop's trigger) arms the recorder, and the next 119 samples
are the window.

Normalisation does two things. First it turns the window so that gravity points up: the
mean specific force over the second is the direction of gravity in the board's axes (the
hand starts and ends at rest, so its own acceleration averages out), and one rotation takes
it onto +z for every sample, acceleration and angular rate alike. How the board sits in the
hand then no longer matters, except for the heading round the vertical, and the model need
not learn every grip. Then it scales as the Arduino workshop does, acceleration (a + 4) / 8
and angular rate (g + 2000) / 4000, which maps each sensor's full scale (+-4 g, +-2000
deg/s) onto [0, 1].

Every step computes in float32 in the same order as the C++ (sequential sums, the same
products), so the tests can ask for equal results, not close ones.
"""

from __future__ import annotations

import numpy as np

from tinyml_lab.chapters.gesture.data import CHANNELS, SAMPLES_PER_GESTURE
from tinyml_lab.core.errors import TinyMLError

MOTION_THRESHOLD_G = 2.5
ACCEL_RANGE_G = 4.0
GYRO_RANGE_DPS = 2000.0


def motion_score(samples) -> np.ndarray:
    """|aX| + |aY| + |aZ| per sample, in g (float32, summed left to right as the C++ does)."""
    a = np.asarray(samples, dtype=np.float32)[..., :3]
    return np.abs(a[..., 0]) + np.abs(a[..., 1]) + np.abs(a[..., 2])


def is_significant_motion(samples, threshold_g: float = MOTION_THRESHOLD_G) -> np.ndarray:
    """True where a sample would arm the recorder."""
    return motion_score(samples) >= np.float32(threshold_g)


def capture_windows(stream, threshold_g: float = MOTION_THRESHOLD_G):
    """What the sketch's GestureRecorder makes of a continuous stream of samples (n, 6):
    (trigger sample indices, windows (k, 119, 6)). The trigger sample itself is not part of
    the window, and the recorder looks for the next trigger only after a window is full."""
    stream = np.asarray(stream, dtype=np.float32)
    if stream.ndim != 2 or stream.shape[1] != CHANNELS:
        raise TinyMLError(f"A stream of IMU samples has shape (n, {CHANNELS}); got "
                          f"{stream.shape}.")
    moving = is_significant_motion(stream, threshold_g)
    triggers, windows = [], []
    i = 0
    while True:
        hits = np.flatnonzero(moving[i:])
        if len(hits) == 0:
            break
        trigger = i + int(hits[0])
        end = trigger + 1 + SAMPLES_PER_GESTURE
        if end > len(stream):
            break  # the stream ended while recording: no window, as on the board
        triggers.append(trigger)
        windows.append(stream[trigger + 1 : end])
        i = end
    shaped = np.asarray(windows, dtype=np.float32).reshape(-1, SAMPLES_PER_GESTURE, CHANNELS)
    return np.asarray(triggers, dtype=np.int64), shaped


def align_to_gravity(windows) -> np.ndarray:
    """Rotate each window (..., 119, 6) so that its mean acceleration points along +z."""
    x = np.asarray(windows, dtype=np.float32)
    flat = x.reshape(-1, x.shape[-2], x.shape[-1])
    out = np.empty_like(flat)
    for i, window in enumerate(flat):
        R = gravity_rotation(window)
        for block in (slice(0, 3), slice(3, 6)):
            v = window[:, block]
            for r in range(3):  # ((R0 x + R1 y) + R2 z), the C++'s order
                out[i, :, block.start + r] = (R[r, 0] * v[:, 0] + R[r, 1] * v[:, 1]
                                              ) + R[r, 2] * v[:, 2]
    return out.reshape(x.shape)


def gravity_rotation(window) -> np.ndarray:
    """The rotation (3, 3, float32) taking the window's mean acceleration onto +z: Rodrigues'
    formula for the axis u x z, written out as imu_gesture.h writes it."""
    f32 = np.float32
    a = np.asarray(window, dtype=np.float32)[:, :3]
    n_samples = f32(len(a))
    mean = np.cumsum(a, axis=0, dtype=np.float32)[-1] / n_samples  # sequential float32 sums
    mx, my, mz = (f32(v) for v in mean)
    norm = np.sqrt(f32(mx * mx + my * my) + mz * mz, dtype=np.float32)
    if norm < f32(1e-6):
        return np.eye(3, dtype=np.float32)
    ux, uy, uz = mx / norm, my / norm, mz / norm
    if f32(1) + uz < f32(1e-6):  # pointing straight down: half a turn about x
        return np.diag(np.array([1, -1, -1], dtype=np.float32))
    f = f32(1) / (f32(1) + uz)
    return np.array([
        [f32(1) - f * ux * ux, -(f * ux * uy), -ux],
        [-(f * ux * uy), f32(1) - f * uy * uy, -uy],
        [ux, uy, uz],
    ], dtype=np.float32)


def scale(windows) -> np.ndarray:
    """Raw units -> [0, 1] over each sensor's full scale, as the Arduino workshop does."""
    x = np.asarray(windows, dtype=np.float32)
    if x.shape[-1] != CHANNELS:
        raise TinyMLError(f"IMU samples have {CHANNELS} channels (aX..gZ); got {x.shape[-1]}.")
    out = np.empty_like(x)
    out[..., :3] = (x[..., :3] + np.float32(ACCEL_RANGE_G)) / np.float32(2 * ACCEL_RANGE_G)
    out[..., 3:] = (x[..., 3:] + np.float32(GYRO_RANGE_DPS)) / np.float32(2 * GYRO_RANGE_DPS)
    return out


def normalize(windows) -> np.ndarray:
    """Raw windows (..., 119, 6) in g and deg/s -> the model's input: aligned to gravity,
    then scaled to [0, 1] (float32). What the sketch's NormalizeGestureWindow computes."""
    x = np.asarray(windows, dtype=np.float32)
    if x.ndim < 2 or x.shape[-2:] != (SAMPLES_PER_GESTURE, CHANNELS):
        raise TinyMLError(
            f"A gesture window is {SAMPLES_PER_GESTURE} samples of {CHANNELS} values; got "
            f"shape {x.shape[-2:]}.")
    return scale(align_to_gravity(x))


def top_class(scores) -> np.ndarray:
    """Index of the highest score (the first on a tie), as the sketch's TopClass picks it."""
    return np.argmax(np.asarray(scores), axis=-1)
