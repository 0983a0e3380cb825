"""The command detector: the Python twin's behaviour, and the sketch's C++
(command_detector.h) giving identical detections on the same score streams."""

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from tinyml_lab.chapters.wake_word import streaming
from tinyml_lab.chapters.wake_word.streaming import (
    CommandDetector,
    Detection,
    DetectorConfig,
    Event,
)
from tinyml_lab.core.errors import TinyMLError

SKETCH = Path(__file__).resolve().parents[1] / "arduino_sketches" / "wake_word"
KEYWORDS = (2, 3)  # silence, unknown, yes, no

PROGRAM = r"""
#include <cstdio>
#include <cstdlib>
#include "command_detector.h"
using namespace wake_word;
int main(int, char** argv) {
  DetectorConfig config;
  config.average_window_ms = std::atoi(argv[1]);
  config.threshold = std::atoi(argv[2]);
  config.suppression_ms = std::atoi(argv[3]);
  config.minimum_count = std::atoi(argv[4]);
  const int classes = std::atoi(argv[5]);
  const unsigned mask = static_cast<unsigned>(std::atoi(argv[6]));
  CommandDetector detector(classes, mask, config);
  FILE* f = std::fopen(argv[7], "r");
  unsigned time_ms;
  while (std::fscanf(f, "%u", &time_ms) == 1) {
    int scores[kMaxClasses];
    for (int c = 0; c < classes; ++c) {
      int raw;
      if (std::fscanf(f, "%d", &raw) != 1) return 3;
      scores[c] = ScoreFromInt8(static_cast<int8_t>(raw), -128);
    }
    Detection d;
    if (detector.Process(time_ms, scores, &d) != DetectorStatus::kOk) {
      std::printf("error %u\n", time_ms);
      continue;
    }
    if (d.found) std::printf("%u %d %d\n", time_ms, d.label, d.score);
  }
  std::fclose(f);
}
"""


def _feed(detector, times, scores):
    return [d for t, s in zip(times, scores) if (d := detector.process(t, s)) is not None]


def _word(classes, label, score, at, length, total, step=20):
    """Scores every `step` ms for `total` ms: `label` at `score` during [at, at+length)."""
    times = np.arange(0, total, step)
    rest = (255 - score) // (classes - 1)
    s = np.full((len(times), classes), 0)
    s[:, 0] = 200  # silence in between
    s[:, 1] = 55
    inside = (times >= at) & (times < at + length)
    s[inside] = rest
    s[inside, label] = score
    return times, s


def test_one_word_gives_one_detection():
    times, scores = _word(4, 2, 230, at=1000, length=600, total=4000)
    found = _feed(CommandDetector(4, KEYWORDS), times, scores)
    assert len(found) == 1 and found[0].label == 2
    assert 1000 <= found[0].time_ms <= 1600 and found[0].score >= 160


def test_weak_flickers_and_silence_are_not_reported():
    times, scores = _word(4, 3, 150, at=500, length=2000, total=3000)  # below threshold
    assert _feed(CommandDetector(4, KEYWORDS), times, scores) == []
    times, scores = _word(4, 2, 255, at=1000, length=20, total=3000)  # one window only
    assert _feed(CommandDetector(4, KEYWORDS), times, scores) == []
    times, scores = _word(4, 1, 250, at=0, length=3000, total=3000)  # unknown all along
    assert _feed(CommandDetector(4, KEYWORDS), times, scores) == []


def test_suppression_keeps_a_long_word_to_one_detection_per_period():
    times, scores = _word(4, 2, 240, at=0, length=2500, total=2500)
    config = DetectorConfig(suppression_ms=1000)
    found = _feed(CommandDetector(4, KEYWORDS, config), times, scores)
    assert [d.label for d in found] == [2, 2, 2]
    assert all(b.time_ms - a.time_ms >= 1000 for a, b in itertools.pairwise(found))
    # two different words in quick succession: the second is suppressed too
    t1, s1 = _word(4, 2, 240, at=0, length=400, total=400)
    t2, s2 = _word(4, 3, 240, at=0, length=400, total=1600)
    found = _feed(CommandDetector(4, KEYWORDS), np.r_[t1, t2 + 400], np.r_[s1, s2])
    assert [d.label for d in found] == [2]


def test_minimum_count_and_averaging_window():
    detector = CommandDetector(4, KEYWORDS, DetectorConfig(minimum_count=3))
    top = np.array([0, 0, 255, 0])
    assert detector.process(0, top) is None and detector.process(20, top) is None
    assert detector.process(40, top) == Detection(40, 2, 255)
    # results older than the window no longer count
    detector = CommandDetector(4, KEYWORDS, DetectorConfig(average_window_ms=100,
                                                           minimum_count=1))
    assert detector.process(0, np.array([255, 0, 0, 0])) is None
    assert detector.process(100, np.array([0, 0, 200, 0])) == Detection(100, 2, 200)


def test_bad_inputs_are_refused():
    detector = CommandDetector(4, KEYWORDS)
    detector.process(100, np.zeros(4))
    with pytest.raises(TinyMLError, match="Time went backwards"):
        detector.process(50, np.zeros(4))
    with pytest.raises(TinyMLError, match="Expected 4 scores"):
        detector.process(200, np.zeros(3))
    with pytest.raises(TinyMLError, match="threshold"):
        DetectorConfig(threshold=0)
    with pytest.raises(TinyMLError, match="keywords must be class indices"):
        CommandDetector(4, (4,))
    with pytest.raises(TinyMLError, match="classes must be"):
        CommandDetector(9, (1,))


def test_scores_from_int8():
    assert list(streaming.scores_from_int8(np.array([-128, 0, 127]), -128)) == [0, 128, 255]


def test_score_detections_counts_hits_misses_and_false_alarms():
    events = [Event(0, 1000, 2), Event(1000, 2000, 0), Event(2000, 3000, 3), Event(3000, 4000, 2)]
    detections = [Detection(900, 2, 200), Detection(1500, 2, 200),  # hit, then a repeat
                  Detection(2500, 2, 200),  # wrong label during "no"
                  Detection(6000, 3, 200)]  # nothing said then
    got = streaming.score_detections(detections, events, KEYWORDS)
    assert (got.hits, got.misses, got.wrong, got.false_alarms, got.events) == (1, 2, 1, 2, 3)


def _cpp(cxx, times, raw, config, classes=4, mask=0b1100):
    lines = "\n".join(f"{t} " + " ".join(str(int(v)) for v in row) for t, row in zip(times, raw))
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(lines + "\n")
    out = cxx({"main.cc": PROGRAM}, include_dirs=[SKETCH],
              args=[str(a) for a in (config.average_window_ms, config.threshold,
                                     config.suppression_ms, config.minimum_count, classes,
                                     mask, f.name)])
    Path(f.name).unlink()
    return [Detection(*map(int, line.split())) for line in out.splitlines()]


@pytest.mark.parametrize("config, step", [
    (DetectorConfig(), 20),
    (DetectorConfig(average_window_ms=1000, threshold=200, suppression_ms=1500), 40),
    (DetectorConfig(average_window_ms=2000, minimum_count=10), 5),  # more than 64 results
])
def test_cpp_detector_matches_python(cxx, config, step):
    rng = np.random.default_rng(step)
    times = np.cumsum(rng.integers(step // 2, 2 * step, size=3000))
    logits = rng.normal(0, 1, (len(times), 4))
    for start in rng.integers(0, len(times) - 60, size=40):  # bursts of a keyword
        logits[start:start + rng.integers(10, 60), rng.integers(2, 4)] += rng.uniform(2, 6)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    raw = np.clip(np.round(probs * 256) - 128, -128, 127).astype(np.int8)
    expected = streaming.detect_stream(times, streaming.scores_from_int8(raw), KEYWORDS, config)
    got = _cpp(cxx, times, raw, config)
    assert len(expected) > 5
    assert got == expected


def test_sketch_uses_the_notebook_detector_settings():
    text = (SKETCH / "wake_word.ino").read_text()
    values = re.search(r"DetectorConfig kDetectorConfig\{(\d+), (\d+), (\d+), (\d+)\};", text)
    config = DetectorConfig()
    assert tuple(map(int, values.groups())) == (
        config.average_window_ms, config.threshold, config.suppression_ms, config.minimum_count)
