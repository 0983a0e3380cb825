"""The sensor-test and capture sketches on the host: each .ino compiled with g++ against the
test doubles of the core, the PDM microphone, the camera and the IMUs (tests/fake_arduino),
run on known input, and what it prints read back by the Python side. So the board's bytes
and the computer's reading of them are checked together, without a board."""

import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import compile_program
from tinyml_lab.chapters.person_detection import camera
from tinyml_lab.chapters.person_detection.capture import ascii_preview, frame_stats
from tinyml_lab.chapters.wake_word.capture import sound_level
from tinyml_lab.core.serial_capture import BoardLink

ROOT = Path(__file__).resolve().parents[1]
SKETCHES = ROOT / "arduino_sketches"
FAKES = Path(__file__).parent / "fake_arduino"


class BytesPort:
    """A finished recording of what a board printed, read like a serial port."""

    def __init__(self, data: bytes):
        self.data, self.sent = data, b""

    def read(self, n: int) -> bytes:
        chunk, self.data = self.data[:n], self.data[n:]
        return chunk

    def write(self, data: bytes) -> None:
        self.sent += data


def build(tmp_path, sketch: str, main: str, flags=()) -> Path:
    return compile_program(tmp_path, {"main.cc": main}, include_dirs=[SKETCHES / sketch, FAKES],
                           flags=tuple(flags))


def run(exe: Path, stdin: bytes = b"") -> bytes:
    return subprocess.run([str(exe)], input=stdin, capture_output=True, check=True).stdout


def test_crc_and_command_parsing_match_python(tmp_path):
    main = r"""
#include <cstdio>
#include "capture_protocol.h"
int main() {
  const unsigned char data[] = "The quick brown fox jumps over the lazy dog";
  std::printf("%08lx\n", (unsigned long)capture::Crc32(data, sizeof data - 1));
  std::printf("%08lx\n", (unsigned long)capture::Crc32(data + 10, sizeof data - 11,
                                                       capture::Crc32(data, 10)));
  const char* lines[] = {"record", "record 1500", "record x", "recorder", "record 5 6"};
  for (const char* line : lines) {
    long v = -1;
    const int matched = capture::ParseCommand(line, "record", &v) ? 1 : 0;
    std::printf("%d %ld\n", matched, v);
  }
  capture::LineReader reader;
  for (const char* c = "frame\r\nga"; *c; ++c) if (reader.Add(*c)) std::printf("[%s]\n", reader.line());
}
"""
    exe = build(tmp_path, "audio_capture", main)
    out = run(exe).decode().split("\n")
    crc = f"{zlib.crc32(b'The quick brown fox jumps over the lazy dog'):08x}"
    assert out[:2] == [crc, crc]  # in one go and continued
    assert out[2:7] == ["1 -1", "1 1500", "0 -1", "0 -1", "0 -1"]
    assert out[7] == "[frame]"


AUDIO_MAIN = r"""
#include <cstdio>
#include <cmath>
#include "Arduino.h"
#include "audio_capture.ino"
// Plays a tone of rising loudness into the fake microphone whenever the sketch records.
int main() {
  static int16_t tone[16000];
  for (int i = 0; i < 16000; ++i) {
    tone[i] = (int16_t)std::lround(20000.0 * i / 16000 * std::sin(i * 0.05));
  }
  setup();
  for (int step = 0; step < 20; ++step) {
    loop();
    if (wanted > 0) PDM.Deliver(tone, 16000);
  }
  std::printf("gain %d\n", PDM.gain);
}
"""


def test_audio_capture_sends_the_recording_the_microphone_gave(tmp_path):
    exe = build(tmp_path, "audio_capture", AUDIO_MAIN)
    out = run(exe, b"gain 35\nrecord 500\nrecord 9000\nhello\n")
    said = []
    link = BoardLink(BytesPort(out), said.append, timeout_s=0.1)
    assert link.read_line() == "audio_capture ready; 16000 Hz, gain 20"
    assert link.wait_for("recording", "test") == "recording 500 ms"
    block = link.read_block("AUDIO", lambda f: int(f[1]) * 2)
    assert block.fields == ("16000", "8000")
    samples = np.frombuffer(block.data, "<i2")
    i = np.arange(8000)
    assert np.array_equal(samples, np.round(20000.0 * i / 16000 * np.sin(i * 0.05)))
    level = sound_level(samples)
    printed = link.read_line()
    assert printed == (f"level {level.rms_dbfs:.1f} dBFS rms, {level.peak_dbfs:.1f} dBFS peak, "
                       f"{level.clipped} clipped")
    rest = [link.read_line() for _ in range(3)]
    assert rest[0] == "error: record takes 1 to 2000 ms"
    assert rest[1].startswith("error: unknown command 'hello'")
    assert rest[2] == "gain 35"
    assert "board: gain 35" in said  # the reply to "gain 35", seen while waiting for "recording"


MICROPHONE_MAIN = r"""
#include <cstdio>
#include "Arduino.h"
#include "microphone_test.ino"
int main() {
  static int16_t quiet[1600], loud[1600];
  for (int i = 0; i < 1600; ++i) { quiet[i] = (i % 2) ? 30 : -30; loud[i] = (i % 4) ? 9000 : -32768; }
  setup();
  for (int report = 0; report < 2; ++report) {
    PDM.Deliver(report ? loud : quiet, 1600);
    delay(100);
    loop();
  }
}
"""


def test_microphone_test_prints_the_level_of_what_it_heard(tmp_path):
    exe = build(tmp_path, "microphone_test", MICROPHONE_MAIN)
    lines = run(exe).decode().splitlines()
    assert lines[0] == "microphone_test ready; 16000 Hz, gain 20"
    i = np.arange(1600)
    quiet = np.where(i % 2, 30, -30)
    loud = np.where(i % 4, 9000, -32768)
    for line, samples in zip(lines[1:], (quiet, loud)):
        level = sound_level(samples)
        assert line == f"rms_dbfs:{level.rms_dbfs:.1f},peak_dbfs:{level.peak_dbfs:.1f}"
    assert sound_level(loud).clipped == 400 and sound_level(quiet).clipped == 0


CAMERA_MAIN = r"""
#include <cstdio>
#include "Arduino.h"
#include "%s.ino"
int main(int, char** argv) {
  static unsigned char picture[176 * 144 * 2];
  FILE* f = std::fopen(argv[1], "rb");
  if (!f || std::fread(picture, 1, sizeof picture, f) != sizeof picture) return 2;
  std::fclose(f);
  Camera.next_frame = picture;
  setup();
  loop();
}
"""


def scene() -> np.ndarray:
    """A frame with a bright diagonal band on a dark, tinted background."""
    yy, xx = np.mgrid[0:camera.FRAME_HEIGHT, 0:camera.FRAME_WIDTH]
    rgb = np.zeros((camera.FRAME_HEIGHT, camera.FRAME_WIDTH, 3), np.uint8)
    rgb[..., 0] = 40 + (xx % 50)
    rgb[..., 2] = 90
    band = np.abs(yy - xx * 0.8) < 20
    rgb[band] = (250, 240, 200)
    return camera.rgb565(rgb)


def _run_camera_sketch(tmp_path, sketch, frame, stdin=b""):
    path = tmp_path / "frame.bin"
    path.write_bytes(camera.frame_to_bytes(frame))
    exe = compile_program(tmp_path, {"main.cc": CAMERA_MAIN % sketch},
                          include_dirs=[SKETCHES / sketch, FAKES])
    return subprocess.run([str(exe), str(path)], input=stdin, capture_output=True,
                          check=True).stdout


def test_camera_capture_sends_the_frame_as_the_camera_stored_it(tmp_path):
    frame = scene()
    out = _run_camera_sketch(tmp_path, "camera_capture", frame, b"frame\nsnap\n")
    link = BoardLink(BytesPort(out), lambda _: None, timeout_s=0.1)
    assert link.read_line() == "camera_capture ready; OV7675 176x144 RGB565"
    block = link.read_block("FRAME", lambda f: int(f[0]) * int(f[1]) * 2)
    assert block.fields == ("176", "144", "RGB565")
    assert np.array_equal(camera.frame_from_bytes(block.data), frame)
    assert link.read_line().startswith("error: unknown command 'snap'")


def test_camera_test_prints_the_stats_and_preview_the_python_twin_computes(tmp_path):
    frame = scene()
    lines = _run_camera_sketch(tmp_path, "camera_test", frame).decode().splitlines()
    stats = frame_stats(frame)
    assert lines[0] == "camera_test ready; OV7675 176x144 RGB565"
    assert lines[1] == (f"frame 1: mean {stats.mean}, min {stats.min}, max {stats.max} "
                        "(read 0 ms)")
    assert lines[2:] == ascii_preview(frame)
    assert len(lines[2:]) == 18 and {len(row) for row in lines[2:]} == {44}
    flat = np.full_like(frame, camera.rgb565(np.array([80, 80, 80], np.uint8)))
    first = _run_camera_sketch(tmp_path, "camera_test", flat).decode().splitlines()[1]
    assert first.endswith("flat: no picture, check the camera") and frame_stats(flat).flat


IMU_MAIN = r"""
#include <cstdio>
#include "imu_test.ino"
int main() {
  setup();
  for (int i = 0; i < 7; ++i) {
#if BOARD_REVISION == 1
    IMU.accel[0] = 0.01f * i; IMU.accel[2] = 1.0f; IMU.gyro[1] = -2.5f;
    IMU.accel_ready = IMU.gyro_ready = true;
#else
    fake_micros += 1000000 / 119 + 1;
#endif
    loop();
  }
}
"""


@pytest.mark.parametrize("revision", [1, 2])
def test_imu_test_names_the_imu_and_prints_plotter_lines(tmp_path, revision):
    exe = build(tmp_path, "imu_test", IMU_MAIN, flags=(f"-DBOARD_REVISION={revision}",))
    lines = run(exe).decode().splitlines()
    name = "LSM9DS1" if revision == 1 else "BMI270"
    assert lines[0].startswith("imu_test ready; IMU ") and name in lines[0]
    plotted = [line for line in lines[1:] if line.startswith("aX:")]
    assert len(plotted) == 2  # one sample in six
    fields = dict(item.split(":") for item in plotted[0].split(","))
    assert list(fields) == ["aX", "aY", "aZ", "gX", "gY", "gZ"]
    if revision == 1:
        assert (fields["aZ"], fields["gY"]) == ("1.000", "-2.50")
