"""The person_detection sketch: its folder and pinned build, its generated resolver, and the
whole .ino compiled on the host against test doubles of the Arduino core, the camera
library (both its released and its newer begin()) and the TFLM interpreter: setup() starts
the camera in QCIF RGB565, loop() puts the camera path's int8 picture into the model input,
prints both scores dequantized with the model's output parameters and lights the LED."""

import re
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import check_committed_sketch, registered_ops
from tinyml_lab.chapters.person_detection import camera

SKETCH = Path(__file__).resolve().parents[1] / "arduino_sketches" / "person_detection"
FAKE_ARDUINO = Path(__file__).parent / "fake_arduino"
FAKE_TFLM = Path(__file__).parent / "fake_tflm"

MAIN = r"""
#include <cstdio>
int main(int, char** argv) {
  static unsigned char picture[camera_preprocess::kFrameBytes];
  FILE* f = std::fopen(argv[1], "rb");
  if (!f || std::fread(picture, 1, sizeof picture, f) != sizeof picture) return 2;
  std::fclose(f);
  Camera.next_frame = picture;
  setup();
  loop();
  std::printf("camera %d %d %d %d %d\n", Camera.resolution, Camera.format, Camera.fps,
              Camera.camera_name, Camera.frames_read);
  std::printf("leds %d %d %d\n", digitalRead(LEDR), digitalRead(LEDG), digitalRead(LEDB));
}
"""


def test_sketch_folder_and_pinned_build():
    for name in ("person_detection.ino", "sketch.yaml", "camera_preprocess.h"):
        assert (SKETCH / name).is_file(), name
    profile = (SKETCH / "sketch.yaml").read_text()
    for pin in ("fqbn: arduino:mbed_nano:nano33ble", "arduino:mbed_nano (4.0.10)",
                "Chirale_TensorFLowLite (2.0.0)", "Arduino_OV767X (0.0.2)"):
        assert pin in profile, pin
    ino = (SKETCH / "person_detection.ino").read_text()
    assert "alignas(16) uint8_t tensor_arena[kTensorArenaSize]" in ino
    assert "#include <Arduino" not in (SKETCH / "camera_preprocess.h").read_text()


def test_generated_resolver_registers_every_op(person_sketch, cxx):
    sketch, model = person_sketch
    check_committed_sketch(sketch, model)
    assert registered_ops(cxx, sketch) == model.op_names


def frame_with_first_pixels(first: int, second: int) -> np.ndarray:
    """A frame whose 96x96 picture starts with gray levels about `first` then `second`:
    the interpreter double's output tensor shares the input's memory, so these two int8
    pixels come back as the two scores."""
    frame = np.zeros((camera.FRAME_HEIGHT, camera.FRAME_WIDTH), np.uint16)
    left = camera.CROP_LEFT
    frame[:2, left:left + 2] = camera.rgb565(np.array([first] * 3, np.uint8))
    frame[:2, left + 2:left + 3] = camera.rgb565(np.array([second] * 3, np.uint8))
    return frame


@pytest.mark.parametrize("library", ["newer", "0.0.2"])
@pytest.mark.parametrize("first, second", [(40, 230), (230, 40)])
def test_the_whole_sketch_runs_one_frame(person_sketch, tmp_path, cxx, library, first, second):
    sketch, model = person_sketch
    frame = frame_with_first_pixels(first, second)
    (tmp_path / "frame.bin").write_bytes(camera.frame_to_bytes(frame))
    define = "#define FAKE_OV767X_RELEASE_0_0_2\n" if library == "0.0.2" else ""
    source = define + (sketch / "person_detection.ino").read_text() + MAIN
    out = cxx({"main.cc": source, "model_data.cc": (sketch / "model_data.cc").read_text()},
              include_dirs=[sketch, FAKE_ARDUINO, FAKE_TFLM],
              args=[str(tmp_path / "frame.bin")])
    lines = out.strip().splitlines()
    arena = re.search(r"kTensorArenaSize = (\d+);", (sketch / "model_settings.h").read_text())
    assert lines[0] == f"person_detection ready; arena used 0 of {arena.group(1)} bytes"
    camera_name = "1" if library == "newer" else "-1"  # OV7675, or no such argument
    assert lines[-2].split() == ["camera", "3", "2", "1", camera_name, "1"]  # QCIF RGB565 1 fps

    inp, outp = model.input_tensors[0], model.output_tensors[0]
    q = camera.preprocess_frame(frame, inp.scales[0], inp.zero_points[0]).reshape(-1)[:2]
    scores = (q.astype(np.float32) - outp.zero_points[0]) * np.float32(outp.scales[0])
    assert q[0] != q[1]
    report = lines[-3].split()  # person: 0.87 no_person: 0.13 (invoke 10 ms)
    assert report[0::2][:2] == ["person:", "no_person:"] and report[4] == "(invoke"
    assert float(report[1]) == pytest.approx(scores[1], abs=0.005)  # labels: no_person, person
    assert float(report[3]) == pytest.approx(scores[0], abs=0.005)
    person = scores[1] > scores[0]
    red, green, blue = lines[-1].split()[1:]
    assert (red, green, blue) == (("1", "0", "1") if person else ("0", "1", "1"))  # active low
