"""The gesture sketches' portable C++ (imu_gesture.h) computes exactly what its Python twin
computes: the same windows from the same stream, the same normalised floats bit for bit,
the same int8 model input, the same CSV lines."""

from pathlib import Path

import numpy as np
import pytest

from tinyml_lab.chapters.gesture import features
from tinyml_lab.chapters.gesture.data import format_sample
from tinyml_lab.chapters.gesture.synthetic import make_person, simulate_stream
from tinyml_lab.core import tflm
from tinyml_lab.core.tflite_file import Tensor

SKETCHES = Path(__file__).resolve().parents[1] / "arduino_sketches"
GESTURE = SKETCHES / "gesture"

PROGRAM = r"""
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include "imu_gesture.h"
// stream mode: argv = threshold scale zero_point; stdin = samples, 6 floats per line.
// Prints, per captured window, "W <index of the completing sample>", the normalised floats
// and the int8 input. format mode: prints FormatImuLine of each line of stdin.
int main(int argc, char** argv) {
  std::vector<float> v;
  float x;
  while (std::scanf("%f", &x) == 1) v.push_back(x);
  const int n = static_cast<int>(v.size()) / kImuChannels;
  if (std::strcmp(argv[1], "format") == 0) {
    char line[96];
    for (int i = 0; i < n; ++i) {
      FormatImuLine(&v[i * kImuChannels], line, sizeof line);
      std::printf("%s\n", line);
    }
    return 0;
  }
  GestureRecorder recorder(std::strtof(argv[2], nullptr));
  const float scale = std::strtof(argv[3], nullptr);
  const int zero_point = std::atoi(argv[4]);
  static float window[kGestureValues];
  for (int i = 0; i < n; ++i) {
    if (!recorder.Add(&v[i * kImuChannels])) continue;
    std::memcpy(window, recorder.window(), sizeof window);
    NormalizeGestureWindow(window);
    std::printf("W %d\n", i);
    for (int k = 0; k < kGestureValues; ++k) std::printf("%.9g ", window[k]);
    std::printf("\n");
    for (int k = 0; k < kGestureValues; ++k) {
      std::printf("%d ", QuantizeToInt8(window[k], scale, zero_point));
    }
    std::printf("\n");
  }
}
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    import shutil
    import subprocess

    tmp = tmp_path_factory.mktemp("imu_gesture")
    (tmp / "main.cc").write_text(PROGRAM)
    exe = tmp / "imu_gesture_check"
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.fail("g++ is required for the C++ parity tests (apt-get install g++)")
    subprocess.run([gxx, "-std=c++17", "-Wall", "-Werror", f"-I{GESTURE}", "-o", str(exe),
                    str(tmp / "main.cc")], check=True)
    return exe


def run(exe, args, samples):
    import subprocess

    text = "\n".join(" ".join(f"{float(v):.9g}" for v in s) for s in samples)
    return subprocess.run([str(exe), *args], input=text, capture_output=True, text=True,
                          check=True).stdout


def parity_stream():
    """Simulated gestures from several people and boards (a Rev2 board read through its
    library included), a window pointing straight down, a window of zeros."""
    parts = []
    for index in range(6):
        person = make_person(11, index)
        for k, gesture in enumerate(("punch", "flex", "wave", "circle")):
            stream, _ = simulate_stream(gesture, person, np.random.default_rng([index, k]))
            parts.append(stream[: 250 + 10 * k])
    special = np.zeros((240, 6), dtype=np.float32)
    special[0, :3] = (3, 0, 0)
    special[1:120, :3] = (0.001, 0, -1)  # then 119 samples upside down
    special[120, :3] = (0, 0, 2.5)  # exactly at the threshold: triggers
    parts.append(special)  # then 119 samples of zeros
    return np.concatenate(parts).astype(np.float32)


def test_cpp_windows_normalisation_and_quantization_match_python(program):
    stream = parity_stream()
    scale, zero_point = 0.00392156886, -128
    out = run(program, ["stream", "2.5", f"{scale:.9g}", str(zero_point)], stream).split("\n")
    completed = [int(line.split()[1]) for line in out if line.startswith("W ")]
    floats = [np.array(out[i + 1].split(), dtype=np.float32) for i, line in enumerate(out)
              if line.startswith("W ")]
    ints = [np.array(out[i + 2].split(), dtype=np.int64) for i, line in enumerate(out)
            if line.startswith("W ")]

    triggers, windows = features.capture_windows(stream)
    assert len(windows) >= 20  # every gesture triggered, and the special windows too
    assert completed == (triggers + 119).tolist()
    normalised = features.normalize(windows)
    tensor = Tensor(0, "imu", (1, 119, 6), "int8", 0, False, False, (scale,), (zero_point,), 0)
    for k, window in enumerate(normalised):
        assert np.array_equal(floats[k], window.reshape(-1)), f"window {k} differs"
        q = tflm.quantize(window.reshape(-1), tensor).astype(np.int64)
        assert np.array_equal(ints[k], q), f"int8 input of window {k} differs"
    # the upside-down window took the half-turn branch (aZ came out at +1 g), the window of
    # zeros the identity
    assert np.allclose(windows[-2][:, 2], -1) and not windows[-1].any()
    assert np.allclose(features.align_to_gravity(windows[-2])[:, 2], 1, atol=1e-3)


def test_cpp_csv_lines_match_python(program):
    rng = np.random.default_rng(0)
    values = np.concatenate([
        rng.uniform(-4, 4, (200, 6)), rng.uniform(-2000, 2000, (200, 6)),
        (np.arange(-600, 600).reshape(-1, 6) + 0.5) / 1000,  # ties at half a thousandth
        [[np.nan, np.inf, -np.inf, 1e12, -1e12, -0.0001]],
    ]).astype(np.float32)
    cpp = run(program, ["format"], values).splitlines()
    assert cpp == [format_sample(s) for s in values]
    assert cpp[-1] == "nan,nan,nan,1000000.000,-1000000.000,0.000"
