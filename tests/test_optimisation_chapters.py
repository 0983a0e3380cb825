"""The optimisation chapters end to end: their quick-mode summaries from the shared course run,
and the structured-pruning benchmark on a model and data of one's own."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinyml_lab.core.tflite_file import read_model

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.notebooks
def test_quantization_chapter_summary(quick_course):
    out, summaries, _ = quick_course
    cnn = summaries["shapes_cnn"]
    assert cnn.chapter == "05_quantization" and cnn.fits
    assert cnn.metric > 1 / 6  # better than chance after quick training, measured in TFLM
    model = read_model(out / "05_quantization" / "shapes_int8.tflite")
    assert model.is_full_int8 and model.size_bytes == cnn.int8_bytes
    float_model = read_model(out / "05_quantization" / "shapes_float32.tflite")
    assert cnn.int8_bytes < float_model.size_bytes / 3


@pytest.mark.notebooks
def test_pruning_chapter_summary(quick_course):
    out, summaries, _ = quick_course
    pruned, original = summaries["shapes_cnn_pruned"], summaries["shapes_cnn"]
    assert pruned.chapter == "06_pruning" and pruned.fits
    assert pruned.int8_bytes <= original.int8_bytes / 2  # the structure is the same in quick mode
    assert pruned.arena_bytes < original.arena_bytes
    assert pruned.metric > 1 / 6
    model = read_model(out / "06_pruning" / "shapes_pruned_int8.tflite")
    assert model.is_full_int8 and model.size_bytes == pruned.int8_bytes


@pytest.mark.notebooks
def test_memory_planning_chapter_summary(quick_course):
    """Chapter 07 exports the patch sketch into its own copy (never the committed one) with
    outputs identical to the person detector's and a smaller arena."""
    from tinyml_lab.core.deployed import load_deployed
    from tinyml_lab.optimisation.patch.sketch import read_patch_sketch

    out, summaries, _ = quick_course
    patched = summaries["person_detect_patch"]
    assert patched.chapter == "07_memory_planning" and patched.fits and patched.metric == 1.0
    sketch = read_patch_sketch(out / "07_memory_planning" / "sketches" / "person_detection_patch")
    layer = load_deployed(REPO / "arduino_sketches" / "person_detection")  # what 07 splits
    assert sketch.arena_bytes < patched.arena_bytes < layer.arena_bytes
    assert (out / "07_memory_planning" / "patch_plan" / "schedule.json").is_file()


def test_benchmark_prints_bytes_macs_arena_and_accuracy(tmp_path):
    from tinyml_lab.chapters.shapes.data import make_shapes_data
    from tinyml_lab.chapters.shapes.model import shapes_cnn
    from tinyml_lab.core.training import seed_everything

    seed_everything(0)
    data = make_shapes_data(120, seed=0)
    model = shapes_cnn(filters=(4, 8, 8))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(data.train.x, data.train.y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    np.savez(tmp_path / "d.npz", x_train=data.train.x, y_train=data.train.y,
             x_test=data.test.x, y_test=data.test.y)
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "structured_pruning.py"), "--model",
         str(tmp_path / "m.keras"), "--data", str(tmp_path / "d.npz"), "--keep", "0.5",
         "--epochs", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "c2 8->4" in out and "int8 bytes" in out and "MACs" in out and "arena used" in out
    assert "original" in out and "pruned (keep 50%)" in out
    assert "structured pruning target" in out


def test_benchmark_refuses_incomplete_data(tmp_path):
    np.savez(tmp_path / "d.npz", x_train=np.zeros((2, 3)))
    (tmp_path / "m.keras").write_bytes(b"")
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "structured_pruning.py"), "--model",
         str(tmp_path / "m.keras"), "--data", str(tmp_path / "d.npz")],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "lacks" in done.stdout and "np.savez" in done.stdout
