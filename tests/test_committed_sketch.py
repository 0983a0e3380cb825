"""The committed hello_sine sketch model: int8, small, accurate, and runnable in TFLM with
the resolver and arena constant committed beside it."""

import re
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import check_committed_sketch
from tinyml_lab.core import tflm
from tinyml_lab.core.export import read_c_array
from tinyml_lab.core.tflite_file import read_model

SKETCH = Path(__file__).resolve().parents[1] / "arduino_sketches" / "hello_sine"


@pytest.fixture(scope="module")
def deployed():
    return read_model(read_c_array((SKETCH / "model_data.cc").read_text()))


def test_sketch_folder_is_complete():
    for name in ("hello_sine.ino", "sketch.yaml", "sine_io.h", "model_data.h", "model_data.cc",
                 "model_ops.h", "model_settings.h"):
        assert (SKETCH / name).is_file(), name


def test_model_is_int8_and_within_hello_world_size(deployed):
    assert deployed.is_full_int8
    assert deployed.size_bytes <= 2704


def test_generated_files_name_this_model(deployed):
    for name in ("model_data.h", "model_data.cc", "model_ops.h", "model_settings.h"):
        assert f"sha256 {deployed.sha256}" in (SKETCH / name).read_text(), name


def test_resolver_and_arena_constant(deployed):
    check_committed_sketch(SKETCH, deployed)


def test_runs_in_tflm_and_is_accurate(deployed):
    from tinyml_lab.core.arena import estimate_arena

    # the host runtime has 64-bit structs: give it the arena computed for itself
    host_arena = estimate_arena(deployed, "python").min_arena_bytes
    x = np.linspace(0, 2 * np.pi, 1000, dtype=np.float32).reshape(-1, 1)
    y = tflm.MicroInterpreter(deployed, arena_size=host_arena).predict(x)
    assert float(np.mean(np.abs(np.sin(x) - y))) <= 0.05


def test_quantization_constants_match_the_model(deployed):
    settings = (SKETCH / "model_settings.h").read_text()
    scale = re.search(r"kInputScale = ([0-9.e+-]+)f;", settings).group(1)
    assert float(scale) == pytest.approx(deployed.input_tensors[0].scales[0], rel=1e-7)
