"""The person_detection_patch sketch: its folder and copies of the shared C++, generated
files that are exactly the notebook's patch plan of the committed person_detection model,
a resolver for every op its models use, and host parity: person_patch.h compiled with the
host g++ (the models run in the tflite_micro wheel) gives, frame for frame, the scores the
layer-by-layer person_detection sketch gives, and feeds every patch the pixels the Python
camera path computes for it."""

import re
import struct
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import compile_program, registered_ops
from tests.patch_pipe import PIPE_RUNNER, serve
from tinyml_lab.chapters.person_detection import camera
from tinyml_lab.core.deployed import load_deployed
from tinyml_lab.core.tflm import MicroInterpreter, dequantize
from tinyml_lab.optimisation.patch import analyse
from tinyml_lab.optimisation.patch.geometry import Region, Span
from tinyml_lab.optimisation.patch.run import cut_region
from tinyml_lab.optimisation.patch.sketch import (
    GENERATED_FILES,
    read_patch_sketch,
    render_patch_sketch,
)

SKETCHES = Path(__file__).resolve().parents[1] / "arduino_sketches"
SKETCH = SKETCHES / "person_detection_patch"
LAYER_SKETCH = SKETCHES / "person_detection"
NOTEBOOK = "notebooks/07_memory_planning.ipynb"

PROGRAM = PIPE_RUNNER + r"""
#include "person_patch.h"
// argv: a file of whole QCIF RGB565 frames. Reports each frame's scores (float32).
int main(int, char** argv) {
  static uint8_t frame[camera_preprocess::kFrameBytes];
  static int8_t stage_output[kStageOutputBytes];
  const camera_preprocess::InputQuantizer quantize(kInputScale, kInputZeroPoint);
  pipe_runner::PipeRunner runner;
  FILE* f = std::fopen(argv[1], "rb");
  while (std::fread(frame, 1, sizeof frame, f) == sizeof frame) {
    float scores[kLabelCount];
    if (!person_patch::FrameScores(frame, quantize, runner, stage_output, scores)) return 3;
    pipe_runner::Report(scores, sizeof scores);
  }
  std::fclose(f);
  pipe_runner::Quit();
}
"""


@pytest.fixture(scope="module")
def sketch():
    return read_patch_sketch(SKETCH)


@pytest.fixture(scope="module")
def layer_model():
    return load_deployed(LAYER_SKETCH)


def test_sketch_folder_pinned_build_and_shared_sources():
    for name in ("person_detection_patch.ino", "sketch.yaml", "camera_preprocess.h",
                 "patch_runner.h", "person_patch.h", *GENERATED_FILES):
        assert (SKETCH / name).is_file(), name
    assert (SKETCH / "sketch.yaml").read_text().split("profiles:")[1] == \
        (LAYER_SKETCH / "sketch.yaml").read_text().split("profiles:")[1].replace(
            "shield\n", "shield (patch-based inference)\n")
    # camera_preprocess.h equals person_detection's: tests/test_shared_headers.py
    for portable in ("person_patch.h", "patch_runner.h", "camera_preprocess.h"):
        assert "#include <Arduino" not in (SKETCH / portable).read_text(), portable
    ino = (SKETCH / "person_detection_patch.ino").read_text()
    assert "alignas(16) uint8_t tensor_arena[kTensorArenaSize]" in ino
    assert "person_patch::FrameScores" in ino


def test_generated_files_are_the_notebooks_plan_of_the_committed_person_model(layer_model,
                                                                             sketch):
    """What notebook 07 writes with sketches_dir set: the default plan of the committed
    detector. A retrained person_detection model needs the patch sketch regenerated. (The
    instructions per frame it states are checked on the board build: test_board_patch.)"""
    report = analyse(layer_model.model)
    expected = render_patch_sketch(report.plan, NOTEBOOK, layer_model.labels, cost=sketch.cost)
    for name, text in expected.items():
        assert (SKETCH / name).read_text() == text, (
            f"{name} is not the patch plan of arduino_sketches/person_detection's model: run "
            "`python -m tinyml_lab course --only 07_memory_planning --update-sketches`")


def test_arena_is_the_largest_part_and_smaller_than_layer_by_layer(sketch, layer_model):
    from tinyml_lab.core.arena import sketch_arena_bytes

    parts = [sketch_arena_bytes(m) for m in (*sketch.stage_models, sketch.rest_model)]
    assert sketch.arena_bytes == max(parts)
    stage_output = int(np.prod(sketch.schedule["stage_output_shape"]))
    assert sketch.arena_bytes + stage_output < layer_model.arena_bytes
    assert sketch.source_sha256 == layer_model.model.sha256
    assert sketch.labels == layer_model.labels


def test_resolver_registers_every_op_of_every_model(sketch, cxx):
    ops = dict.fromkeys(n for m in (*sketch.stage_models, sketch.rest_model) for n in m.op_names)
    assert registered_ops(cxx, SKETCH) == tuple(ops)
    assert {"PAD", "CONV_2D", "DEPTHWISE_CONV_2D", "SOFTMAX"} <= set(ops)


def parity_frames(count: int = 4) -> np.ndarray:
    """Frames of generated scenes with and without people, as the camera would see them,
    a random frame and a white one."""
    from tinyml_lab.chapters.person_detection.scenes import make_scenes

    x, _ = make_scenes(count, seed=2031, workers=1)
    rng = np.random.default_rng(5)
    frames = []
    for picture in x[..., 0]:
        gray = np.round(picture * 255).astype(np.uint8)
        big = np.kron(gray, np.ones((3, 3), np.uint8))[:, :, None].repeat(3, axis=2)
        frames.append(camera.image_to_frame(big))
    frames.append(rng.integers(0, 65536, (camera.FRAME_HEIGHT, camera.FRAME_WIDTH),
                               dtype=np.uint16))
    frames.append(np.full((camera.FRAME_HEIGHT, camera.FRAME_WIDTH), 0xFFFF, np.uint16))
    return np.stack(frames)


def test_host_parity_same_scores_as_person_detection_on_the_same_frames(
        sketch, layer_model, tmp_path):
    exe = compile_program(tmp_path, {"main.cc": PROGRAM}, [SKETCH], flags=["-O1", "-Wextra"])
    frames = parity_frames()
    (tmp_path / "frames.bin").write_bytes(b"".join(camera.frame_to_bytes(f) for f in frames))
    interpreters = [MicroInterpreter.sized(m) for m in (*sketch.stage_models, sketch.rest_model)]
    session = serve([str(exe), str(tmp_path / "frames.bin")], interpreters)
    assert len(session.reports) == len(frames)

    settings = (SKETCH / "model_settings.h").read_text()
    scale = float(re.search(r"kInputScale = ([\d.e+-]+)f;", settings).group(1))
    zero = int(re.search(r"kInputZeroPoint = (-?\d+);", settings).group(1))
    layer = layer_model.interpreter()
    patches = sorted(sketch.schedule["patches"], key=lambda p: p["model"])
    per_frame = len(patches) + 1
    labels = {}
    for k, frame in enumerate(frames):
        picture = camera.preprocess_frame(frame, scale, zero)  # the layer sketch's input
        expected = dequantize(layer.invoke_raw(picture.reshape(1, 96, 96, 1)), layer.output)
        scores = np.array(struct.unpack(f"<{len(layer_model.labels)}f", session.reports[k]))
        assert np.array_equal(scores.astype(np.float32), expected.ravel()), (k, scores, expected)
        labels[k] = layer_model.labels[int(np.argmax(scores))]
        # the pixels each patch was fed are the camera path's, zero point past the edges
        for (model, data), p in zip(session.inputs[k * per_frame:], patches):
            r, c, h, w = p["input"]
            region = Region(Span(r, r + h), Span(c, c + w))
            assert model == p["model"]
            assert np.array_equal(np.frombuffer(data, np.int8),
                                  cut_region(picture[..., None], region, zero).ravel())
    assert len(set(labels.values())) == 2, labels  # both answers among the frames
