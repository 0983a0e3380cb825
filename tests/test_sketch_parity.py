"""The sketch's hand-written C++ must compute what the Python twin computes."""

from pathlib import Path

import numpy as np

from tinyml_lab.core import tflm
from tinyml_lab.core.tflite_file import Tensor

SKETCH = Path(__file__).resolve().parents[1] / "arduino_sketches" / "hello_sine"

PROGRAM = r"""
#include <cstdio>
#include <cstdlib>
#include "sine_io.h"
int main(int argc, char** argv) {
  const float scale = std::strtof(argv[1], nullptr);
  const int zero_point = std::atoi(argv[2]);
  float x;
  while (std::scanf("%f", &x) == 1) {
    const int8_t q = QuantizeToInt8(x, scale, zero_point);
    std::printf("%d %.9g\n", q, DequantizeInt8(q, scale, zero_point));
  }
}
"""


def _build(tmp_path) -> Path:
    import shutil
    import subprocess

    exe = tmp_path / "sine_io_check"
    (tmp_path / "main.cc").write_text(PROGRAM)
    subprocess.run([shutil.which("g++"), "-std=c++17", "-Wall", "-Werror", f"-I{SKETCH}",
                    "-o", str(exe), str(tmp_path / "main.cc")], check=True)
    return exe


def _run(exe, values, scale, zero_point):
    import subprocess

    text = "\n".join(f"{v:.9g}" for v in values)
    out = subprocess.run([str(exe), f"{scale:.9g}", str(zero_point)], input=text,
                         capture_output=True, text=True, check=True).stdout
    pairs = [line.split() for line in out.splitlines() if line]
    return np.array([int(p[0]) for p in pairs]), np.array([float(p[1]) for p in pairs])


def test_cpp_quantization_matches_python(tmp_path):
    exe = _build(tmp_path)
    rng = np.random.default_rng(0)
    for scale, zero_point in [(0.0245712, -128), (0.5, 0), (0.00497819, 3)]:
        t = Tensor(0, "t", (1, 1), "int8", 0, False, False, (scale,), (zero_point,), 0)
        ties = (np.arange(-300, 300) + 0.5) * scale  # exact .5 steps: rounding direction shows
        values = np.concatenate([rng.uniform(-8, 8, 2000), ties, [0.0, 1e9, -1e9]])
        values = values.astype(np.float32)
        q_cpp, real_cpp = _run(exe, values, scale, zero_point)
        q_py = tflm.quantize(values, t).astype(int)
        assert np.array_equal(q_cpp, q_py)
        assert np.allclose(real_cpp, tflm.dequantize(q_py.astype(np.int8), t), rtol=1e-6)
