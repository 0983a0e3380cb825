"""The person-detection sketch's camera_preprocess.h computes exactly what its Python twin
(tinyml_lab.chapters.person_detection.camera) computes: the same 96x96 gray picture and the same int8 model
input, byte for byte, on random, gradient, extreme and picture-made frames, for several
input quantizations."""

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import compile_program
from tinyml_lab.chapters.person_detection import camera

SKETCH = Path(__file__).resolve().parents[1] / "arduino_sketches" / "person_detection"

PROGRAM = r"""
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "camera_preprocess.h"
using namespace camera_preprocess;
// argv: frames file (whole QCIF RGB565 frames, as readFrame stores them), output file,
// then scale zero_point pairs. Writes, per frame, the gray picture (FrameToGray96) and the
// int8 input for each pair (FrameToInt8, the sketch's path).
int main(int argc, char** argv) {
  FILE* in = std::fopen(argv[1], "rb");
  FILE* out = std::fopen(argv[2], "wb");
  if (!in || !out) return 2;
  std::vector<InputQuantizer> quantizers;
  for (int i = 3; i + 1 < argc; i += 2) {
    quantizers.emplace_back(std::strtof(argv[i], nullptr), std::atoi(argv[i + 1]));
  }
  static uint8_t frame[kFrameBytes];
  static uint8_t gray[kImagePixels];
  static int8_t input[kImagePixels];
  while (std::fread(frame, 1, kFrameBytes, in) == static_cast<size_t>(kFrameBytes)) {
    FrameToGray96(frame, gray);
    std::fwrite(gray, 1, kImagePixels, out);
    for (const InputQuantizer& q : quantizers) {
      FrameToInt8(frame, q, input);
      std::fwrite(input, 1, kImagePixels, out);
    }
  }
  std::fclose(in);
  return std::fclose(out);
}
"""

QUANTIZATIONS = [  # (scale as the generated model_settings.h writes it, zero point)
    ("0.00392156886", -128),  # 1/255: the usual [0, 1] input
    ("0.00784313772", -128),  # 2/255: every odd gray level lands near a half step
    ("0.0078125", 0),
    ("0.00370000000", -120),  # saturates at 127 before white
    ("0.0200000014", 10),
    ("0.000123456", 3),  # most levels saturate
]


def parity_frames() -> np.ndarray:
    """Random frames, gradients through each channel, extremes, a picture seen by the
    camera, and frames whose two bytes differ only in one bit field."""
    rng = np.random.default_rng(7)
    h, w = camera.FRAME_HEIGHT, camera.FRAME_WIDTH
    frames = [rng.integers(0, 65536, (h, w), dtype=np.uint16) for _ in range(3)]
    ramp_x = np.tile(np.arange(w), (h, 1))
    ramp_y = np.tile(np.arange(h)[:, None], (1, w))
    frames += [
        ((ramp_x * 31 // (w - 1)) << 11).astype(np.uint16),  # red, left to right
        ((ramp_y * 63 // (h - 1)) << 5).astype(np.uint16),  # green, top to bottom
        ((ramp_x + ramp_y) % 32).astype(np.uint16),  # blue, diagonal saw
        np.zeros((h, w), np.uint16),
        np.full((h, w), 0xFFFF, np.uint16),
        np.where((ramp_x + ramp_y) % 2, 0xFFFF, 0).astype(np.uint16),  # checkerboard
        np.full((h, w), 0xF800, np.uint16),
        np.full((h, w), 0x07E0, np.uint16),
        np.full((h, w), 0x001F, np.uint16),
        (rng.integers(0, 256, (h, w)) << 8).astype(np.uint16),  # high byte only
        rng.integers(0, 256, (h, w)).astype(np.uint16),  # low byte only
        camera.image_to_frame(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)),
    ]
    return np.stack(frames)


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("camera_preprocess")
    exe = compile_program(tmp, {"main.cc": PROGRAM}, [SKETCH], flags=["-O1", "-Wextra"])
    return exe, tmp


def test_cpp_gray_and_int8_input_match_python(program):
    import subprocess

    exe, tmp = program
    frames = parity_frames()
    (tmp / "frames.bin").write_bytes(b"".join(camera.frame_to_bytes(f) for f in frames))
    args = [str(a) for pair in QUANTIZATIONS for a in pair]
    subprocess.run([str(exe), str(tmp / "frames.bin"), str(tmp / "out.bin"), *args], check=True)
    per_frame = 1 + len(QUANTIZATIONS)
    out = np.fromfile(tmp / "out.bin", dtype=np.uint8).reshape(len(frames), per_frame, 96, 96)
    for k, frame in enumerate(frames):
        gray = camera.gray96(frame)
        assert np.array_equal(out[k, 0], gray), f"gray picture of frame {k} differs"
        for j, (scale, zero_point) in enumerate(QUANTIZATIONS, 1):
            expected = camera.preprocess_frame(frame, float(scale), zero_point)
            assert np.array_equal(out[k, j].view(np.int8), expected), \
                f"int8 input of frame {k} with scale {scale}, zero point {zero_point} differs"
    # the frames exercised the whole range: black and white, saturation at both ends
    assert out[:, 0].min() == 0 and out[:, 0].max() == 255
    inputs = out[:, 1:].view(np.int8)
    assert inputs.min() == -128 and inputs.max() == 127


def test_cpp_reads_the_bytes_high_byte_first(program):
    """A frame of pure red written high byte first is red to both; the same values with
    the bytes swapped would be a different colour, so byte order is really tested."""
    import subprocess

    exe, tmp = program
    red = np.full((camera.FRAME_HEIGHT, camera.FRAME_WIDTH), 0xF800, np.uint16)
    data = camera.frame_to_bytes(red)
    assert data[:2] == b"\xf8\x00"
    (tmp / "red.bin").write_bytes(data)
    subprocess.run([str(exe), str(tmp / "red.bin"), str(tmp / "red_out.bin")], check=True)
    gray = np.fromfile(tmp / "red_out.bin", dtype=np.uint8)
    assert (gray == (77 * 255 + 128) // 256).all()  # the red weight of the luma
