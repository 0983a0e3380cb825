"""Checks for chapter 02's tasks (wake word); the convention is tinyml_lab.core.checking's."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tinyml_lab.chapters.wake_word import streaming
from tinyml_lab.core.checking import CheckResult, call, result

# The grid the threshold check compares a choice with (windows in ms, thresholds 0..255).
WINDOWS_MS = (250, 500, 750, 1000)
THRESHOLDS = tuple(range(100, 256, 10))


def check_average_scores(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(times_ms, scores, now_ms, window_ms) -> each class's integer average score over
    the results of the last window_ms (now_ms - t < window_ms), as the detector smooths."""
    name = "average over the window"
    rng = np.random.default_rng(11)
    times = np.arange(0, 2000, 20)
    scores = rng.integers(0, 256, (len(times), 4))
    for now, window in ((980, 500), (1500, 300), (40, 500), (1980, 1000)):
        upto = times <= now
        recent = upto & (now - times < window)
        want = scores[recent].sum(axis=0) // recent.sum()
        got, error = call(fn, times[upto], scores[upto], now, window)
        if error:
            return result(name, False, error, echo)
        got = np.asarray(got)
        if got.shape != want.shape:
            return result(name, False, f"return one average per class ({want.shape}), got "
                          f"shape {got.shape}", echo)
        if not np.array_equal(got.astype(np.float64), want):  # floats only if whole
            floats = scores[recent].mean(axis=0)
            if np.allclose(got, floats):
                hint = "the board works in integers: floor the average (// in Python)"
            elif recent.sum() != upto.sum() and np.array_equal(
                    got.astype(np.float64), scores[upto].sum(axis=0) // upto.sum()):
                hint = "that averages everything so far; keep only now - t < window_ms"
            else:
                hint = "sum the scores with now - t < window_ms, then // their count"
            return result(name, False, f"at {now} ms over {window} ms expected "
                          f"{want.tolist()}, got {got.tolist()}: {hint}", echo)
    return result(name, True, "integer averages over the window, as command_detector.h", echo)


def _score(config, times, scores, events, keywords) -> streaming.StreamScore:
    found = streaming.detect_stream(times, scores, keywords, config)
    return streaming.score_detections(found, events, keywords)


def best_on_grid(times, scores, events, keywords, max_false_alarms: int = 1):
    """The most keywords found with at most max_false_alarms, over the reference grid:
    (hits, config) or (0, None) when nothing on the grid stays under the limit."""
    best = (0, None)
    for window in WINDOWS_MS:
        for threshold in THRESHOLDS:
            config = streaming.DetectorConfig(average_window_ms=window, threshold=threshold)
            s = _score(config, times, scores, events, keywords)
            if s.false_alarms <= max_false_alarms and s.hits > best[0]:
                best = (s.hits, config)
    return best


def check_detector_choice(config, times, scores, events, keywords, max_false_alarms: int = 1,
                          echo: bool = True) -> CheckResult:
    """The task's target: at most one false alarm on the test stream, and (so that a detector
    that never fires does not pass) at least 90 % of the keywords the best window and
    threshold of the reference grid find under the same limit."""
    name = "detector threshold and window"
    if not isinstance(config, streaming.DetectorConfig):
        return result(name, False, "make a streaming.DetectorConfig(average_window_ms=..., "
                      f"threshold=...), got {type(config).__name__}", echo)
    mine = _score(config, times, scores, events, keywords)
    best_hits, best = best_on_grid(times, scores, events, keywords, max_false_alarms)
    said = (f"window {config.average_window_ms} ms, threshold {config.threshold}: "
            f"{mine.hits} of {mine.events} keywords, {mine.false_alarms} false alarm(s)")
    if mine.false_alarms > max_false_alarms:
        return result(name, False, f"{said}; at most {max_false_alarms} allowed: raise the "
                      "threshold or average over a longer window", echo)
    if mine.hits < 0.9 * best_hits:
        return result(name, False, f"{said}; window {best.average_window_ms} ms and threshold "
                      f"{best.threshold} find {best_hits}: lower the threshold while the "
                      "false alarms stay under the limit", echo)
    return result(name, True, said, echo)
