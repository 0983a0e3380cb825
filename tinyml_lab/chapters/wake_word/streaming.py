"""From a stream of class scores to spoken commands: the role of TFLM's RecognizeCommands.

A keyword spotter runs every 20 ms on the last second of audio, so one spoken word is seen
by dozens of overlapping windows, and a single window can flicker to a wrong class. The
detector averages each class's score over a short history, reports a keyword when its
average clears a threshold, and then stays quiet for a suppression time so one word gives
one detection.

This is the Python twin of arduino_sketches/wake_word/command_detector.h. Both work in
integers (scores 0..255 as the int8 softmax gives them, times in milliseconds), so the
tests can demand identical detections from both.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from tinyml_lab.core.errors import TinyMLError

MAX_HISTORY = 64  # results kept at most (the C++ twin's fixed array)
MAX_CLASSES = 8


@dataclass(frozen=True)
class DetectorConfig:
    """How eager the detector is. Scores are 0..255 (255 = probability 1)."""

    average_window_ms: int = 500  # average the scores of the last half second
    threshold: int = 160  # a keyword needs an average score of at least this (~0.63)
    suppression_ms: int = 1000  # after a detection, none for this long
    minimum_count: int = 3  # results needed in the window before deciding

    def __post_init__(self):
        if not 0 < self.threshold <= 255:
            raise TinyMLError(f"threshold must be in 1..255, got {self.threshold}.")
        if self.average_window_ms <= 0 or self.suppression_ms < 0 or self.minimum_count < 1:
            raise TinyMLError("average_window_ms must be > 0, suppression_ms >= 0 and "
                              "minimum_count >= 1.")


@dataclass(frozen=True)
class Detection:
    time_ms: int
    label: int
    score: int  # averaged score 0..255


def scores_from_int8(output: np.ndarray, zero_point: int = -128) -> np.ndarray:
    """The model's int8 softmax output -> 0..255 scores (softmax outputs have scale 1/256)."""
    return np.clip(np.asarray(output, dtype=np.int32) - int(zero_point), 0, 255)


class CommandDetector:
    """Feed it (time, scores) after every inference; it returns a Detection or None.

    `keywords`: indices of the classes worth reporting (not silence or unknown).
    """

    def __init__(self, classes: int, keywords, config: DetectorConfig = DetectorConfig()):
        if not 1 <= classes <= MAX_CLASSES:
            raise TinyMLError(f"classes must be 1..{MAX_CLASSES}, got {classes}.")
        self.classes = classes
        self.keywords = frozenset(int(k) for k in keywords)
        if not self.keywords or not all(0 <= k < classes for k in self.keywords):
            raise TinyMLError(f"keywords must be class indices below {classes}, "
                              f"got {sorted(self.keywords)}.")
        self.config = config
        self.reset()

    def reset(self) -> None:
        self._history: deque[tuple[int, np.ndarray]] = deque()
        self._last_detection_ms: int | None = None

    def process(self, time_ms: int, scores) -> Detection | None:
        scores = np.asarray(scores, dtype=np.int64)
        if scores.shape != (self.classes,):
            raise TinyMLError(f"Expected {self.classes} scores, got shape {scores.shape}.")
        time_ms = int(time_ms)
        if self._history and time_ms < self._history[-1][0]:
            raise TinyMLError(f"Time went backwards: {time_ms} ms after "
                              f"{self._history[-1][0]} ms.")
        self._history.append((time_ms, np.clip(scores, 0, 255)))
        while len(self._history) > MAX_HISTORY:
            self._history.popleft()
        while time_ms - self._history[0][0] >= self.config.average_window_ms:
            self._history.popleft()
        if len(self._history) < self.config.minimum_count:
            return None
        total = np.sum([s for _, s in self._history], axis=0)
        average = total // len(self._history)
        top = int(np.argmax(average))  # the first of equal maxima, as the C++ loop does
        if top not in self.keywords or average[top] < self.config.threshold:
            return None
        if (self._last_detection_ms is not None
                and time_ms - self._last_detection_ms < self.config.suppression_ms):
            return None
        self._last_detection_ms = time_ms
        return Detection(time_ms, top, int(average[top]))


def detect_stream(times_ms, scores, keywords, config: DetectorConfig = DetectorConfig()
                  ) -> list[Detection]:
    """Run a fresh detector over a whole sequence of (time, scores) results."""
    scores = np.asarray(scores)
    detector = CommandDetector(scores.shape[1], keywords, config)
    found = []
    for t, s in zip(times_ms, scores):
        d = detector.process(int(t), s)
        if d is not None:
            found.append(d)
    return found


@dataclass(frozen=True)
class Event:
    """Something said in a test stream: class `label` somewhere in [start_ms, end_ms)."""

    start_ms: int
    end_ms: int
    label: int


@dataclass(frozen=True)
class StreamScore:
    hits: int  # keyword events detected with the right label
    misses: int  # keyword events not detected
    wrong: int  # detections of the wrong keyword during a keyword event
    false_alarms: int  # detections when no keyword was said
    events: int

    @property
    def hit_rate(self) -> float:
        return self.hits / self.events if self.events else 0.0


def score_detections(detections: list[Detection], events: list[Event], keywords,
                     latency_ms: int = 1000) -> StreamScore:
    """Match detections to the keyword events of a stream. A detection belongs to an event
    if it comes while the event lasts or up to latency_ms after (the model sees a word for
    as long as it is inside its one-second window)."""
    keywords = set(keywords)
    targets = [e for e in events if e.label in keywords]
    matched = set()
    wrong = false_alarms = 0
    for d in detections:
        owner = next((i for i, e in enumerate(targets)
                      if e.start_ms <= d.time_ms < e.end_ms + latency_ms and i not in matched),
                     None)
        if owner is None:
            false_alarms += 1
        elif targets[owner].label == d.label:
            matched.add(owner)
        else:
            wrong += 1
    return StreamScore(len(matched), len(targets) - len(matched), wrong, false_alarms,
                       len(targets))
