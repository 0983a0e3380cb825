"""The gesture sketch on the host: every gesture in an IMU_Capture CSV file goes through the
sketch's normalisation (tinyml_lab.chapters.gesture.features, the twin of imu_gesture.h) and the sketch's
deployed int8 model in the TFLM runtime, quantized and dequantized as gesture.ino does; and
folders of recordings whose gesture is known, scored person by person with any classifier
(`labelled_files`, `score_files`: behind benchmarks/gesture_recordings.py, which scores the
sketch, and benchmarks/gesture_seed_spread.py, which scores models retrained over seeds)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import numpy as np

from tinyml_lab.chapters.gesture.data import (
    ACCEL_LIMIT_G,
    CHANNELS,
    GYRO_LIMIT_DPS,
    SAMPLES_PER_GESTURE,
    RecordingFormatError,
    check_sensor_range,
    read_recordings_file,
)
from tinyml_lab.chapters.gesture.features import normalize
from tinyml_lab.core.deployed import (
    Prediction,
    default_sketch,
    load_deployed,
    predictions_from_scores,
)
from tinyml_lab.core.errors import TinyMLError


def check_windows(windows) -> np.ndarray:
    """Gesture windows as float32 (n, 119, 6), every value one an IMU can measure."""
    try:
        values = np.asarray(windows, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"Gesture windows are an array of numbers shaped (n, "
                        f"{SAMPLES_PER_GESTURE}, {CHANNELS}), got {type(windows).__name__}.") \
            from None
    if values.ndim != 3 or values.shape[1:] != (SAMPLES_PER_GESTURE, CHANNELS):
        raise TinyMLError(f"Gesture windows have shape (n, {SAMPLES_PER_GESTURE}, {CHANNELS}) "
                          f"(samples of aX,aY,aZ,gX,gY,gZ), got {values.shape}.")
    limits = np.array([ACCEL_LIMIT_G] * 3 + [GYRO_LIMIT_DPS] * 3)
    bad = np.argwhere(~(np.abs(values) <= limits))
    if len(bad):
        gesture, sample, _ = bad[0]
        check_sensor_range(values[gesture, sample], f"gesture {gesture}, sample {sample}")
    return values.astype(np.float32)


def predict_windows(windows, sketch_dir: str | Path | None = None) -> list[Prediction]:
    """Raw gesture windows (n, 119, 6) in g and deg/s -> the sketch's answers."""
    windows = check_windows(windows)
    deployed = load_deployed(sketch_dir or default_sketch("gesture"))
    want = (1, SAMPLES_PER_GESTURE, CHANNELS)
    shape = tuple(deployed.model.input_tensors[0].shape)
    if shape != want:
        raise TinyMLError(f"The model in {deployed.sketch_dir} takes input {shape}, not a "
                          f"gesture window {want}: is that the gesture sketch?")
    scores = deployed.interpreter().predict(normalize(windows))
    return predictions_from_scores(scores, deployed.labels)


def predict_file(path: Path, sketch_dir: Path | None = None) -> list[Prediction]:
    """The sketch's answer for every gesture in the file; each carries the reader's account
    of how it cut the file into gestures (and what it dropped), which the CLI prints."""
    read = read_recordings_file(path)
    return [dataclasses.replace(p, notes=(read.summary,))
            for p in predict_windows(read.gestures, sketch_dir)]


def labelled_files(folders) -> list[tuple[str, Path]]:
    """(person, file) for every CSV: the first folder level under FOLDER names the person."""
    found = []
    for folder in map(Path, folders):
        for path in sorted(folder.rglob("*.csv")):
            inside = path.relative_to(folder).parts
            found.append((inside[0] if len(inside) > 1 else folder.name, path))
    return found


def score_files(files, classify, labels):
    """Read and classify every file; classify maps raw windows (n, 119, 6) to label names.
    Returns (file rows, people, true labels, answers) for the scored gestures."""
    rows, people, true, said = [], [], [], []
    for person, path in files:
        try:
            read = read_recordings_file(path)
        except RecordingFormatError as exc:
            rows.append([person, path.name, "-", "-", f"not read: {exc}"])
            continue
        answers = list(classify(read.gestures))
        told = ", ".join(f"{k} {v}" for k, v in Counter(answers).most_common())
        if path.stem in labels:
            hits = sum(a == path.stem for a in answers)
            rows.append([person, path.name, len(answers), f"{hits / len(answers):.2f}",
                         f"{told}  [{read.summary.split(': ', 1)[1]}]"])
            people += [person] * len(answers)
            true += [path.stem] * len(answers)
            said += answers
        else:
            rows.append([person, path.name, len(answers), "-", told])
    return rows, np.asarray(people), np.asarray(true), np.asarray(said)
