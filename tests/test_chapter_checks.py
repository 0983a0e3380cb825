"""The chapters' task checks: a right answer passes, the usual wrong ones fail with the hint
that fits them, and nothing raises."""

import math

import numpy as np

from tinyml_lab import checks
from tinyml_lab.chapters.gesture import checks as gesture_checks
from tinyml_lab.chapters.gesture.features import scale
from tinyml_lab.chapters.person_detection import camera
from tinyml_lab.chapters.person_detection import checks as person_checks
from tinyml_lab.chapters.sine import checks as sine_checks
from tinyml_lab.chapters.wake_word import checks as wake_checks
from tinyml_lab.chapters.wake_word import streaming
from tinyml_lab.core import tflm
from tinyml_lab.core.tflite_file import read_model, strip_names


def test_sine_conversion(sine_int8):
    model = read_model(sine_int8)
    inp, out = model.input_tensors[0], model.output_tensors[0]

    def to_int8(x):
        return int(tflm.quantize(np.float32([x]), inp)[0])

    def from_int8(q):
        return (q - out.zero_points[0]) * out.scales[0]

    assert sine_checks.check_input_output_conversion(to_int8, from_int8, model, echo=False)
    unclipped = sine_checks.check_input_output_conversion(
        lambda x: round(x / inp.scales[0]) + inp.zero_points[0], from_int8, model, echo=False)
    assert not unclipped and "[-128, 127]" in unclipped.message
    wrong_tensor = sine_checks.check_input_output_conversion(
        to_int8, lambda q: (q - inp.zero_points[0]) * inp.scales[0], model, echo=False)
    assert not wrong_tensor and "output tensor" in wrong_tensor.message


def test_small_sine_target(sine_int8):
    assert not (big := sine_checks.check_small_sine(sine_int8, echo=False))
    assert "tensor names: strip_names" in big.message
    stripped = strip_names(sine_int8)
    small = sine_checks.check_small_sine(stripped, max_bytes=len(stripped), max_error=1.0,
                                         echo=False)
    assert small, small.message
    assert not sine_checks.check_small_sine(b"not a model", echo=False)


def test_average_scores():
    def right(times, scores, now, window):
        keep = now - np.asarray(times) < window
        return np.asarray(scores)[keep].sum(axis=0) // keep.sum()

    def mean(times, scores, now, window):
        keep = now - np.asarray(times) < window
        return np.asarray(scores)[keep].mean(axis=0)

    def everything(times, scores, now, window):
        return np.asarray(scores).sum(axis=0) // len(scores)

    assert wake_checks.check_average_scores(right, echo=False)
    assert "floor the average" in wake_checks.check_average_scores(mean, echo=False).message
    assert "keep only" in wake_checks.check_average_scores(everything, echo=False).message


def _stream():
    """Scores every 20 ms: keywords 1 and 2 said in turn (a score bump), noise between."""
    rng = np.random.default_rng(0)
    times = np.arange(0, 8000, 20)
    scores = np.zeros((len(times), 3), np.int64)
    scores[:, 0] = 200
    events = []
    for k, start in enumerate(range(500, 7000, 1500)):
        label = 1 + k % 2
        inside = (times >= start) & (times < start + 600)
        scores[inside, label] = 150 + 80 * (k % 3 == 0) + rng.integers(0, 40, inside.sum())
        scores[inside, 0] = 30
        events.append(streaming.Event(start, start + 600, label))
    noisy = rng.random(len(times)) < 0.05
    scores[noisy, 1] = 255
    scores[noisy, 0] = 0
    return times, scores, events, [1, 2]


def test_detector_choice():
    times, scores, events, keywords = _stream()
    hits, best = wake_checks.best_on_grid(times, scores, events, keywords)
    assert best is not None and hits > 0
    assert wake_checks.check_detector_choice(best, times, scores, events, keywords, echo=False)
    silent = streaming.DetectorConfig(threshold=255)
    never = wake_checks.check_detector_choice(silent, times, scores, events, keywords,
                                              echo=False)
    assert not never and "lower the threshold" in never.message
    eager = wake_checks.check_detector_choice(
        streaming.DetectorConfig(average_window_ms=20, threshold=100, minimum_count=1),
        times, scores, events, keywords, echo=False)
    assert not eager and "raise the threshold" in eager.message
    assert not wake_checks.check_detector_choice(0.5, times, scores, events, keywords,
                                                 echo=False)


def test_threshold_from_the_roc():
    rng = np.random.default_rng(1)
    true = np.arange(1000) % 2
    score = np.clip(rng.normal(0.35 + 0.3 * true, 0.15), 0, 1)
    empty = np.sort(score[true == 0])
    good = float(empty[int(0.95 * len(empty))])  # 5 % of the empty scenes above it
    assert person_checks.check_threshold(good, true, score, echo=False)
    low = person_checks.check_threshold(0.3, true, score, echo=False)
    assert not low and "raise the threshold" in low.message
    high = person_checks.check_threshold(0.95, true, score, echo=False)
    assert not high and "lower the threshold" in high.message
    fpr, tpr = person_checks.rates_at(good, true, score)
    assert fpr <= 0.05 and tpr > 0.5
    assert "do not separate" not in person_checks.check_threshold(good, true, score,
                                                                  echo=False).message
    at_chance = person_checks.check_threshold(1.0, true, np.full(1000, 0.52), echo=False)
    assert at_chance and "do not separate" in at_chance.message


def test_rgb565_widening():
    def right(p):
        return tuple(int(v) for v in camera.rgb888(np.uint16(p)))

    def shifted(p):
        return ((p >> 11) << 3, ((p >> 5) & 63) << 2, (p & 31) << 3)

    assert person_checks.check_rgb565_to_rgb888(right, echo=False)
    assert "248" in person_checks.check_rgb565_to_rgb888(shifted, echo=False).message


def test_imu_scaling():
    assert gesture_checks.check_scaling(scale, echo=False)

    def gyro_wrong(w):
        out = scale(w)
        out[:, 3:] = (w[:, 3:] + 2000) / 2000
        return out

    failed = gesture_checks.check_scaling(gyro_wrong, echo=False)
    assert not failed and "(g + 2000) / 4000" in failed.message


def test_most_confused_pair():
    counts = np.array([[20, 1, 0, 0], [0, 15, 6, 1], [0, 3, 17, 0], [2, 0, 0, 18]])
    labels = ("punch", "flex", "wave", "circle")
    assert gesture_checks.most_confused_pair(counts) == (1, 2)
    assert gesture_checks.check_most_confused(("flex", "wave"), counts, labels, echo=False)
    assert not gesture_checks.check_most_confused(("wave", "flex"), counts, labels, echo=False)
    assert not gesture_checks.check_most_confused(("flex", "flex"), counts, labels, echo=False)
    assert not gesture_checks.check_most_confused(("kick", "wave"), counts, labels, echo=False)


def test_multiplier_and_shift():
    def right(real):
        fraction, shift = math.frexp(real)
        m = math.floor(fraction * 2**31 + 0.5)
        return (m // 2, shift + 1) if m == 2**31 else (m, shift)

    def truncated(real):
        fraction, shift = math.frexp(real)
        return int(fraction * 2**31), shift

    assert checks.check_multiplier_and_shift(right, echo=False)
    wrong = checks.check_multiplier_and_shift(truncated, echo=False)
    assert not wrong and "nearest" in wrong.message
    unscaled = checks.check_multiplier_and_shift(lambda r: (int(r * 2**31), 0), echo=False)
    assert not unscaled and "[2^30, 2^31)" in unscaled.message
