"""The sketches' IMU wrapper (imu_reader.h), compiled with the host g++ for both board
revisions against test doubles of the two IMU libraries (tests/fake_arduino): the right
library is chosen at compile time, both give 119 samples a second in g and deg/s, and the
Rev2 library's mirrored axes are undone."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKETCH = ROOT / "arduino_sketches" / "gesture"
FAKES = Path(__file__).parent / "fake_arduino"

REV1 = r"""
#include <cstdio>
#include "imu_reader.h"
int main() {
  if (!imu_reader::Begin()) return 3;
  std::printf("%s\n", imu_reader::Name());
  float s[6];
  std::printf("none %d\n", imu_reader::Read(s));
  IMU.accel_ready = true;
  std::printf("accel only %d\n", imu_reader::Read(s));
  IMU.gyro_ready = true;
  IMU.accel[0] = 0.125f; IMU.accel[1] = -0.5f; IMU.accel[2] = 0.75f;
  IMU.gyro[0] = 10.5f; IMU.gyro[1] = -20.25f; IMU.gyro[2] = 1999.0f;
  const int got = imu_reader::Read(s);
  std::printf("both %d %g %g %g %g %g %g\n", got, s[0], s[1], s[2], s[3], s[4], s[5]);
  std::printf("again %d\n", imu_reader::Read(s));
  IMU.present = 0;
  std::printf("absent %d\n", imu_reader::Begin());
}
"""

REV2 = r"""
#include <cstdio>
#include "imu_reader.h"
int main() {
  fake_micros = 5000;
  if (!imu_reader::Begin()) return 3;
  std::printf("%s\n", imu_reader::Name());
  const bmi2_dev& dev = imu_reader::Sensor().bmi2;
  std::printf("accel odr %d range %d gyro odr %d range %d enabled %d wire1 %d\n",
              dev.applied[BMI2_ACCEL].cfg.acc.odr, dev.applied[BMI2_ACCEL].cfg.acc.range,
              dev.applied[BMI2_GYRO].cfg.gyr.odr, dev.applied[BMI2_GYRO].cfg.gyr.range,
              dev.enabled, imu_reader::Sensor().wire_ == &Wire1);
  fake_chip_accel[0] = 0.125f; fake_chip_accel[1] = -0.5f; fake_chip_accel[2] = 0.75f;
  fake_chip_gyro[0] = 10.5f; fake_chip_gyro[1] = -20.25f; fake_chip_gyro[2] = 1999.0f;
  float s[6];
  int samples = 0;
  for (int step = 0; step < 10000; ++step) {  // one second in 100 us steps
    samples += imu_reader::Read(s);
    fake_micros += 100;
  }
  std::printf("per second %d\n", samples);
  std::printf("sample %g %g %g %g %g %g\n", s[0], s[1], s[2], s[3], s[4], s[5]);
  fake_micros += 50000;  // busy for 50 ms (printing, inference): no burst of stale samples
  int burst = 0;
  for (int i = 0; i < 5; ++i) burst += imu_reader::Read(s);
  std::printf("after a pause %d\n", burst);
}
"""


def build_and_run(tmp_path, program, revision):
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.fail("g++ is required for the C++ tests (apt-get install g++)")
    (tmp_path / "main.cc").write_text(program)
    exe = tmp_path / "prog"
    cmd = [gxx, "-std=c++17", "-Wall", "-Werror", f"-I{SKETCH}", f"-I{FAKES}",
           "-o", str(exe), str(tmp_path / "main.cc")]
    if revision is not None:
        cmd.insert(1, f"-DBOARD_REVISION={revision}")
    build = subprocess.run(cmd, capture_output=True, text=True)
    if build.returncode != 0:
        return None, build.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True, check=True)
    return run.stdout.splitlines(), build.stderr


def test_rev1_reads_the_lsm9ds1_when_both_sensors_have_data(tmp_path):
    lines, _ = build_and_run(tmp_path, REV1, 1)
    assert lines[0] == "Nano 33 BLE Sense Rev1 (LSM9DS1)"
    assert lines[1:3] == ["none 0", "accel only 0"]
    assert lines[3] == "both 1 0.125 -0.5 0.75 10.5 -20.25 1999"
    assert lines[4] == "again 0" and lines[5] == "absent 0"


def test_rev2_runs_the_bmi270_at_200hz_samples_at_119hz_and_undoes_the_mirror(tmp_path):
    lines, _ = build_and_run(tmp_path, REV2, 2)
    assert lines[0] == "Nano 33 BLE Sense Rev2 (BMI270 + BMM150)"
    assert lines[1] == "accel odr 9 range 1 gyro odr 9 range 0 enabled 3 wire1 1"
    assert lines[2] in ("per second 119", "per second 120")
    # the fake library mirrors the chip's axes as the real one does; the wrapper gives the
    # chip's own (right-handed) axes back, in the same units as Rev1
    assert lines[3] == "sample 0.125 -0.5 0.75 10.5 -20.25 1999"
    assert lines[4] == "after a pause 1"


@pytest.mark.parametrize("revision, message", [
    (3, "BOARD_REVISION must be 1"), (None, "Define BOARD_REVISION as 1")])
def test_a_missing_or_unknown_revision_stops_the_build_with_a_reason(tmp_path, revision,
                                                                     message):
    lines, errors = build_and_run(tmp_path, REV1, revision)
    assert lines is None and message in errors


CAPTURE_MAIN = r"""
#include <cstdio>
#include <vector>
#include "imu_capture.ino"
// Feeds a stream of samples (stdin, 6 per line) through the Rev1 fake IMU, one sample per
// 1/119 s, and lets the sketch print what a board would print.
int main() {
  std::vector<float> v;
  float x;
  while (std::scanf("%f", &x) == 1) v.push_back(x);
  setup();
  for (size_t i = 0; i + 6 <= v.size(); i += 6) {
    for (int c = 0; c < 3; ++c) { IMU.accel[c] = v[i + c]; IMU.gyro[c] = v[i + 3 + c]; }
    IMU.accel_ready = IMU.gyro_ready = true;
    loop();
    loop();  // no new data: nothing happens
  }
}
"""


def test_the_capture_sketch_prints_what_the_loader_reads_and_the_trigger_cuts(tmp_path):
    """imu_capture.ino itself, compiled for the host with the fake board and a simulated
    stream: its Serial output is a valid recordings file holding exactly the windows the
    Python twin cuts from the same stream, to the printed three decimals."""
    import numpy as np

    from tinyml_lab.chapters.gesture.data import parse_recordings
    from tinyml_lab.chapters.gesture.features import capture_windows
    from tinyml_lab.chapters.gesture.synthetic import make_person, simulate_stream

    parts = [simulate_stream(g, make_person(3, k), np.random.default_rng(k))[0][:260]
             for k, g in enumerate(("punch", "flex", "wave", "circle") * 2)]
    rest = np.tile(np.float32([0, 0, 1, 0, 0, 0]), (150, 1))  # the board put down at the end
    stream = np.concatenate(parts + [rest])
    gxx = shutil.which("g++")
    (tmp_path / "main.cc").write_text(CAPTURE_MAIN)
    exe = tmp_path / "capture"
    subprocess.run([gxx, "-std=c++17", "-Wall", "-Werror", "-DBOARD_REVISION=1", "-x", "c++",
                    f"-I{ROOT / 'arduino_sketches' / 'imu_capture'}", f"-I{FAKES}",
                    "-o", str(exe), str(tmp_path / "main.cc")], check=True)
    text = "\n".join(" ".join(f"{v:.9g}" for v in s) for s in stream)
    printed = subprocess.run([str(exe)], input=text, capture_output=True, text=True,
                             check=True).stdout
    assert printed.startswith("aX,aY,aZ,gX,gY,gZ\n")
    recorded = parse_recordings(printed, "serial")
    _, windows = capture_windows(stream)
    assert len(recorded) == len(windows) >= 4
    assert np.allclose(recorded, windows, atol=0.0005 + 1e-6)
