"""The committed gesture sketch model: int8, at most 20 KB, every op registered, runs in TFLM
with the committed arena, and recognises simulated people it never saw."""

import re
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import check_committed_sketch
from tinyml_lab.chapters.gesture.features import normalize
from tinyml_lab.chapters.gesture.synthetic import GESTURES, make_people, record_gesture
from tinyml_lab.core.deployed import load_deployed
from tinyml_lab.core.export import read_c_array
from tinyml_lab.core.tflite_file import read_model

SKETCH = Path(__file__).resolve().parents[1] / "arduino_sketches" / "gesture"
MAX_BYTES = 20 * 1024
TARGET = 0.85  # accuracy on unseen simulated people (the notebook's full run measures ~0.9)


@pytest.fixture(scope="module")
def deployed():
    return read_model(read_c_array((SKETCH / "model_data.cc").read_text()))


def test_sketch_folder_is_complete():
    for name in ("gesture.ino", "sketch.yaml", "imu_gesture.h", "imu_reader.h", "model_data.h",
                 "model_data.cc", "model_ops.h", "model_settings.h"):
        assert (SKETCH / name).is_file(), name
    yaml = (SKETCH / "sketch.yaml").read_text()
    for pin in ("arduino:mbed_nano (4.0.10)", "Chirale_TensorFLowLite (2.0.0)",
                "Arduino_LSM9DS1 (1.1.1)", "Arduino_BMI270_BMM150 (1.2.3)"):
        assert pin in yaml


def test_model_is_int8_and_at_most_20_kb(deployed):
    assert deployed.is_full_int8
    assert deployed.size_bytes <= MAX_BYTES
    assert tuple(deployed.input_tensors[0].shape) == (1, 119, 6)


def test_generated_files_name_this_model_and_its_labels(deployed):
    for name in ("model_data.h", "model_data.cc", "model_ops.h", "model_settings.h"):
        assert f"sha256 {deployed.sha256}" in (SKETCH / name).read_text(), name
    assert load_deployed(SKETCH).labels == GESTURES


def test_resolver_and_arena_constant(deployed):
    check_committed_sketch(SKETCH, deployed)


def test_runs_in_tflm_and_recognises_unseen_people(deployed):
    settings = (SKETCH / "model_settings.h").read_text()
    scale = re.search(r"kInputScale = ([0-9.e+-]+)f;", settings).group(1)
    assert float(scale) == pytest.approx(deployed.input_tensors[0].scales[0], rel=1e-7)
    # people of another seed than the notebook's: none of them was in training
    x, y = [], []
    for k, person in enumerate(make_people(12, seed=2026)):
        for label, gesture in enumerate(GESTURES):
            for rep in range(5):
                rng = np.random.default_rng([2026, k, label, rep])
                x.append(np.round(record_gesture(gesture, person, rng)[0], 3))
                y.append(label)
    scores = load_deployed(SKETCH).interpreter().predict(normalize(np.array(x)))  # host arena
    accuracy = float(np.mean(scores.argmax(axis=1) == np.array(y)))
    assert accuracy >= TARGET, f"accuracy on unseen people {accuracy:.3f}"
