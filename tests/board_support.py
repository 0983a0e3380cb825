"""Shared pieces of the board tests (tests/test_board_*.py): the skip rule, the one library
build per test session, the committed sketch models and a few real inputs for each.

Where the Arm toolchain, QEMU, the pinned core or the TFLM library is missing, the board
tests are skipped with find_inputs()'s one line saying what to install, never passed.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tinyml_lab.core.board.inputs import find_inputs
from tinyml_lab.export import read_c_array
from tinyml_lab.tflite_file import TFLiteModel, read_model
from tinyml_lab.tflm import quantize

SKETCHES = Path(__file__).resolve().parents[1] / "arduino_sketches"
MODEL_SKETCHES = ("hello_sine", "wake_word", "person_detection", "gesture")


def board_inputs(need_qemu: bool = True):
    found = find_inputs(need_qemu)
    if isinstance(found, str):
        pytest.skip(found)
    return found


@pytest.fixture(scope="session")
def board_runner(request):
    """The library and runner, built once per session (minutes the first time, then
    taken from build/board/); the build's progress is shown even under pytest's capture."""
    from tinyml_lab.core.board.build import build_runner

    inputs = board_inputs()
    capture = request.config.pluginmanager.getplugin("capturemanager")

    def echo(line):
        with capture.global_and_fixture_disabled():
            print(line, flush=True)

    return build_runner(inputs, echo=echo)


def sketch_model(name: str) -> tuple[TFLiteModel, int]:
    """A committed sketch's own model bytes and its kTensorArenaSize."""
    folder = SKETCHES / name
    model = read_model(read_c_array((folder / "model_data.cc").read_text()))
    settings = (folder / "model_settings.h").read_text()
    arena = int(re.search(r"kTensorArenaSize\s*=\s*(\d+)\s*;", settings).group(1))
    return model, arena


def real_inputs(name: str, model: TFLiteModel, count: int = 3) -> list[np.ndarray]:
    """A few quantized inputs of the kind each sketch sees, from the course's offline data."""
    tensor = model.input_tensors[0]
    if name == "hello_sine":
        x = np.linspace(0.3, 2 * np.pi - 0.3, count, dtype=np.float32).reshape(-1, 1)
        return list(quantize(x, tensor))
    if name == "gesture":
        from tinyml_lab.data.imu_synthetic import GESTURES, make_people, record_gesture
        from tinyml_lab.features.imu import normalize

        person = make_people(1, seed=2027)[0]
        rng = np.random.default_rng(2027)
        windows = [np.round(record_gesture(GESTURES[k % len(GESTURES)], person, rng)[0], 3)
                   for k in range(count)]
        return list(quantize(normalize(np.array(windows)), tensor).reshape(count, *tensor.shape))
    if name == "person_detection":
        from tinyml_lab.data.vision.scenes import make_scenes

        x, _ = make_scenes(count, seed=2027, workers=1)
        return list(quantize(x, tensor).reshape(count, *tensor.shape))
    if name == "wake_word":
        from tinyml_lab.audio import SAMPLE_RATE, fit_to_clip, resample
        from tinyml_lab.data.espeak import Voice, speak_batch
        from tinyml_lab.features.log_mel import log_mel_int8

        rate, sounds = speak_batch([(w, Voice()) for w in ("yes", "no", "left")][:count])
        clips = [fit_to_clip(resample(s, rate, SAMPLE_RATE))[0] for s in sounds]
        scale, zero = float(tensor.scales[0]), int(tensor.zero_points[0])
        return [log_mel_int8(c, scale, zero).reshape(tensor.shape) for c in clips]
    raise KeyError(name)
