"""Checks for chapter 04's tasks (gesture); the convention is tinyml_lab.core.checking's."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tinyml_lab.chapters.gesture.features import scale
from tinyml_lab.core.checking import CheckResult, call, result


def check_scaling(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(window) -> the window scaled to [0, 1] over each sensor's full scale (acceleration
    +-4 g, angular rate +-2000 deg/s), as the sketch's NormalizeGestureWindow does."""
    name = "IMU scaling"
    rng = np.random.default_rng(8)
    window = np.concatenate([rng.uniform(-4, 4, (119, 3)), rng.uniform(-2000, 2000, (119, 3))],
                            axis=1).astype(np.float32)
    want = scale(window)
    got, error = call(fn, window.copy())
    if error:
        return result(name, False, error, echo)
    got = np.asarray(got, dtype=np.float64)
    if got.shape != want.shape:
        return result(name, False, f"return the whole window {want.shape}, got {got.shape}",
                      echo)
    if not np.allclose(got, want, atol=1e-6):
        bad = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
        channel = ("aX", "aY", "aZ", "gX", "gY", "gZ")[bad[1]]
        hint = ("acceleration: (a + 4) / 8" if bad[1] < 3 else "angular rate: (g + 2000) / 4000")
        return result(name, False, f"sample {bad[0]}, {channel} = {window[bad]:.3f} should give "
                      f"{want[bad]:.6f}, yours {got[bad]:.6f}: {hint}", echo)
    return result(name, True, "both sensors mapped onto [0, 1] as the sketch does", echo)


def most_confused_pair(counts: np.ndarray) -> tuple[int, int]:
    """(true, said) of the largest off-diagonal count; the first such pair on a tie."""
    off = np.asarray(counts).copy()
    np.fill_diagonal(off, -1)
    return tuple(int(v) for v in np.unravel_index(np.argmax(off), off.shape))


def check_most_confused(pair, counts: np.ndarray, labels, echo: bool = True) -> CheckResult:
    """pair = (done, said): the mistake the model makes most often in the confusion matrix."""
    name = "most confused gestures"
    want = most_confused_pair(counts)
    names = {label: i for i, label in enumerate(labels)}
    try:
        got = tuple(names[p] if isinstance(p, str) else int(p) for p in pair)
    except (KeyError, TypeError, ValueError):
        return result(name, False, f"give (done, said) as labels or indices, got {pair!r}", echo)
    if len(got) != 2:
        return result(name, False, f"give two gestures (done, said), got {pair!r}", echo)
    counts = np.asarray(counts)
    said = f"{labels[got[0]]} taken for {labels[got[1]]}: {counts[got]} time(s)"
    if counts[got] < counts[want] or got[0] == got[1]:
        return result(name, False, f"{said}; {labels[want[0]]} taken for {labels[want[1]]} "
                      f"happens {counts[want]} time(s): rows are what was done, columns what "
                      "the model said; look off the diagonal", echo)
    return result(name, True, said, echo)
