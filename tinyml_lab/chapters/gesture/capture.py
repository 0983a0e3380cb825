"""Record gestures from a board running the imu_capture sketch: `python -m tinyml_lab capture`.

The board prints the IMU_Capture format over USB serial. Lines are read as they come, every
complete gesture (119 valid samples, then a blank line) is appended to the recordings file
at once, and everything else is reported and skipped: a gesture cut short (the board was
reset, or the port opened in the middle of one), a sample the IMU failed to read, a line
that is not data (a message from the board). The file therefore only ever holds gestures
the loader accepts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.chapters.gesture.data import (
    SAMPLES_PER_GESTURE,
    RecordingFormatError,
    check_gesture_name,
    is_header,
    parse_sample,
    read_recordings_file,
    write_recordings,
)
from tinyml_lab.core.errors import TinyMLError

BAUD_RATE = 115200


class SerialCaptureError(TinyMLError):
    """The serial port cannot be used, or the recordings file cannot take more gestures."""


class GestureCollector:
    """Turns lines from the board into whole, validated gestures."""

    def __init__(self):
        self.samples: list[list[float]] = []
        self.discarding = False  # after a bad sample, until the gesture's blank line
        self.lines = 0

    def feed(self, line: str) -> tuple[str, object] | None:
        """One line in; ("gesture", array (119, 6)), ("skipped", why), ("message", text),
        or None while a gesture is still coming."""
        self.lines += 1
        text = line.strip()
        if not text:
            self.discarding = False
            if not self.samples:
                return None
            samples, self.samples = self.samples, []
            if len(samples) == SAMPLES_PER_GESTURE:
                return "gesture", np.asarray(samples, dtype=np.float32)
            return "skipped", (f"an incomplete gesture ({len(samples)} of "
                               f"{SAMPLES_PER_GESTURE} samples)")
        if is_header(text):
            self.discarding = False
            return self._interrupted("the board restarted") or ("header", text)
        try:
            sample = parse_sample(text, f"serial line {self.lines}")
        except RecordingFormatError as exc:
            if self.samples:
                self.samples = []
                self.discarding = True
                return "skipped", f"a gesture with a bad sample ({exc})"
            return "message", text
        if self.discarding:
            return None
        if len(self.samples) == SAMPLES_PER_GESTURE:
            self.samples = []
            return "skipped", "a gesture longer than 119 samples (a blank line was lost)"
        self.samples.append(sample)
        return None

    def _interrupted(self, why: str):
        if self.samples:
            n, self.samples = len(self.samples), []
            return "skipped", f"an incomplete gesture ({n} samples; {why})"
        return None


@dataclass(frozen=True)
class CaptureResult:
    path: Path
    new: int
    total: int
    skipped: int


def open_port(port: str, baud_rate: int = BAUD_RATE):
    """Open a serial port or a pyserial URL (loop:// for tests) with a short read timeout."""
    import serial

    try:
        return serial.serial_for_url(port, baudrate=baud_rate, timeout=0.2)
    except (serial.SerialException, ValueError, OSError) as exc:
        raise SerialCaptureError(
            f"Cannot open serial port {port} ({exc}). Is the board plugged in and running "
            "imu_capture, and is the Arduino Serial Monitor (or any other program) closed? "
            "Ports: COM3 on Windows, /dev/ttyACM0 on Linux, /dev/cu.usbmodem... on macOS."
        ) from None


def check_output(path: str | Path, gesture: str) -> tuple[Path, int]:
    """The recordings file to append to, and how many gestures it already holds."""
    check_gesture_name(gesture)
    path = Path(path)
    if path.suffix != ".csv" or path.stem != gesture:
        raise SerialCaptureError(
            f"Save {gesture} gestures in a file named {gesture}.csv (got {path.name}): the "
            "file name is the gesture's label when the recordings are loaded.")
    if not path.exists():
        return path, 0
    try:
        existing = read_recordings_file(path)
    except RecordingFormatError as exc:
        raise SerialCaptureError(f"Not appending to a broken recordings file: {exc}") from None
    if existing.dropped_rows:
        raise SerialCaptureError(f"Not appending to a broken recordings file: "
                                 f"{existing.summary}. Fix or remove those rows first.")
    return path, len(existing)


def capture(port, path: str | Path, gesture: str, count: int | None = None,
            seconds: float | None = None, echo=print) -> CaptureResult:
    """Read gestures from an open serial port into path until `count` new gestures (or
    `seconds`) or Ctrl-C; returns how many were added."""
    path, total = check_output(path, gesture)
    collector = GestureCollector()
    new = skipped = 0
    buffer = b""
    deadline = None if seconds is None else time.monotonic() + seconds
    echo(f"Recording {gesture} into {path} ({total} already there). Move the board sharply "
         "to record a gesture; Ctrl-C to stop.")
    try:
        while (count is None or new < count) and (deadline is None or
                                                  time.monotonic() < deadline):
            chunk = port.read(max(1, getattr(port, "in_waiting", 0)))
            if not chunk:
                continue
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                event = collector.feed(raw.decode("utf-8", errors="replace"))
                if event is None or event[0] == "header":
                    continue
                kind, value = event
                if kind == "gesture":
                    write_recordings(path, [value], append=path.exists())
                    new += 1
                    total += 1
                    echo(f"{gesture}: {total} in {path.name} ({new} new)")
                    if count is not None and new >= count:
                        break
                elif kind == "skipped":
                    skipped += 1
                    echo(f"skipped {value}")
                else:
                    echo(f"board: {value}")
    except KeyboardInterrupt:
        echo("stopped")
    return CaptureResult(path, new, total, skipped)
