"""Shared pieces of the board tests (tests/test_board_*.py): the committed sketch models and
a few real inputs for each. The skip rule and the one library build per test session are
the `board_inputs` and `board_runner` fixtures in conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinyml_lab.core.deployed import load_deployed
from tinyml_lab.core.tflite_file import TFLiteModel
from tinyml_lab.core.tflm import quantize

SKETCHES = Path(__file__).resolve().parents[1] / "arduino_sketches"
MODEL_SKETCHES = ("hello_sine", "wake_word", "person_detection", "gesture")


def sketch_model(name: str) -> tuple[TFLiteModel, int]:
    """A committed sketch's own model bytes and its kTensorArenaSize."""
    deployed = load_deployed(SKETCHES / name)
    return deployed.model, deployed.arena_bytes


def real_inputs(name: str, model: TFLiteModel, count: int = 3) -> list[np.ndarray]:
    """A few quantized inputs of the kind each sketch sees, from the course's offline data."""
    tensor = model.input_tensors[0]
    if name == "hello_sine":
        x = np.linspace(0.3, 2 * np.pi - 0.3, count, dtype=np.float32).reshape(-1, 1)
        return list(quantize(x, tensor))
    if name == "gesture":
        from tinyml_lab.chapters.gesture.features import normalize
        from tinyml_lab.chapters.gesture.synthetic import GESTURES, make_people, record_gesture

        person = make_people(1, seed=2027)[0]
        rng = np.random.default_rng(2027)
        windows = [np.round(record_gesture(GESTURES[k % len(GESTURES)], person, rng)[0], 3)
                   for k in range(count)]
        return list(quantize(normalize(np.array(windows)), tensor).reshape(count, *tensor.shape))
    if name == "person_detection":
        from tinyml_lab.chapters.person_detection.scenes import make_scenes

        x, _ = make_scenes(count, seed=2027, workers=1)
        return list(quantize(x, tensor).reshape(count, *tensor.shape))
    if name == "wake_word":
        from tinyml_lab.chapters.wake_word.audio import SAMPLE_RATE, fit_to_clip, resample
        from tinyml_lab.chapters.wake_word.espeak import Voice, speak_batch
        from tinyml_lab.chapters.wake_word.log_mel import log_mel_int8

        rate, sounds = speak_batch([(w, Voice()) for w in ("yes", "no", "left")][:count])
        clips = [fit_to_clip(resample(s, rate, SAMPLE_RATE))[0] for s in sounds]
        scale, zero = float(tensor.scales[0]), int(tensor.zero_points[0])
        return [log_mel_int8(c, scale, zero).reshape(tensor.shape) for c in clips]
    raise KeyError(name)
