"""Checks for chapter 03's tasks (person detection); the convention is
tinyml_lab.core.checking's."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tinyml_lab.chapters.person_detection import camera
from tinyml_lab.core import metrics
from tinyml_lab.core.checking import CheckResult, call, result


def rates_at(threshold: float, true, score) -> tuple[float, float]:
    """(false positive rate, true positive rate) when `score > threshold` says person."""
    true, said = np.asarray(true).astype(bool), np.asarray(score) > threshold
    return float(np.mean(said[~true])), float(np.mean(said[true]))


def check_threshold(threshold: float, true, score, max_false_alarm_rate: float = 0.05,
                    echo: bool = True) -> CheckResult:
    """The task's target: at most `max_false_alarm_rate` of the empty scenes said person,
    finding at least the people the best such threshold on the ROC finds, less 2 points."""
    name = "threshold from the ROC"
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        return result(name, False, f"the threshold is one number, got {threshold!r}", echo)
    fpr, tpr = rates_at(threshold, true, score)
    curve_fpr, curve_tpr, _ = metrics.roc_curve(true, score)
    best = float(curve_tpr[curve_fpr <= max_false_alarm_rate].max())
    said = f"threshold {threshold:.3f}: {fpr:.1%} false alarms, {tpr:.1%} of people found"
    if fpr > max_false_alarm_rate:
        return result(name, False, f"{said}; at most {max_false_alarm_rate:.0%} false alarms "
                      "allowed: raise the threshold", echo)
    if tpr < best - 0.02:
        return result(name, False, f"{said}; the ROC finds {best:.1%} under the same limit: "
                      "lower the threshold as far as the false alarms allow", echo)
    if best == 0:  # passing, but say why finding nobody is the best there is
        said += ("; no threshold finds anyone under the limit: these scores do not separate "
                 "the classes (a model at chance), so the choice only means something after a "
                 "full run")
    return result(name, True, said, echo)


def check_rgb565_to_rgb888(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(pixel) -> (r, g, b) 0..255 from one RGB565 value, as the camera path widens it."""
    name = "RGB565 to RGB888"
    pixels = np.arange(0, 65536, 97, dtype=np.uint16)
    want = camera.rgb888(pixels)
    for pixel, expected in zip(pixels, want):
        got, error = call(fn, int(pixel))
        if error:
            return result(name, False, error, echo)
        try:
            got = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            return result(name, False, f"return (r, g, b), got {got!r}", echo)
        if got != tuple(int(v) for v in expected):
            r5, g6, b5 = int(pixel) >> 11, (int(pixel) >> 5) & 63, int(pixel) & 31
            if got == (r5 << 3, g6 << 2, b5 << 3):
                hint = ("shifting left leaves white at 248, not 255: also repeat the top bits "
                        "in the new low bits, (r5 << 3) | (r5 >> 2)")
            elif got == (r5, g6, b5):
                hint = "those are the 5-6-5 fields; widen each to 8 bits"
            else:
                hint = "red is bits 15-11, green 10-5, blue 4-0"
            return result(name, False, f"pixel 0x{int(pixel):04x} should give "
                          f"{tuple(int(v) for v in expected)}, yours {got}: {hint}", echo)
    return result(name, True, f"{len(pixels)} pixels widened as the camera path does", echo)
