"""Talking to a capture sketch over USB serial: commands out, checked blocks of data back.

The capture sketches (arduino_sketches/audio_capture, camera_capture; their protocol is in
capture_protocol.h) answer a command line with one block: a header line naming what follows
and its CRC-32, the raw bytes, and a line "END". Everything else the board prints is a message
for the person at the computer. This module opens the port, sends commands and reads blocks,
and refuses (with the reason) a block that is cut short, garbled or fails its CRC, so a
recording is saved only when it arrived whole.
"""

from __future__ import annotations

import re
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core.errors import TinyMLError

BAUD_RATE = 115200
HEADERS = ("AUDIO", "FRAME")
PORT_HINT = ("Ports: COM3 on Windows, /dev/ttyACM0 on Linux, /dev/cu.usbmodem... on macOS; "
             "the Arduino IDE's Tools > Port menu shows the board's.")


class SerialCaptureError(TinyMLError):
    """The serial port cannot be used, or the board sent something that is not a block."""


_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def check_name(kind: str, name: str, example: str) -> str:
    """A label or speaker name that is safe in a file or folder name, or a clear error."""
    if not _NAME.fullmatch(name or ""):
        raise SerialCaptureError(f"{kind} {name!r} is not usable in a file name: use lower-case "
                                 f"letters, digits, - and _ (e.g. {example}).")
    return name


@dataclass(frozen=True)
class CaptureResult:
    """What a capture session added: the files saved in `folder`, and how many recordings
    arrived but were refused (too quiet, clipped, a blank frame)."""

    folder: Path
    saved: tuple[Path, ...]
    skipped: int


def open_port(port: str, baud_rate: int = BAUD_RATE, sketch: str = "the capture sketch"):
    """Open a serial port or a pyserial URL (loop:// in tests) with a short read timeout."""
    import serial

    try:
        return serial.serial_for_url(port, baudrate=baud_rate, timeout=0.2)
    except (serial.SerialException, ValueError, OSError) as exc:
        raise SerialCaptureError(
            f"Cannot open serial port {port} ({exc}). Is the board plugged in and running "
            f"{sketch}, and is the Arduino Serial Monitor (or any other program) closed? "
            f"{PORT_HINT}") from None


@dataclass(frozen=True)
class Block:
    kind: str  # AUDIO or FRAME
    fields: tuple[str, ...]  # the header's words after the kind, CRC excluded
    data: bytes


class BoardLink:
    """Lines and blocks from an open port (anything with read(n), write(bytes))."""

    def __init__(self, port, echo=print, timeout_s: float = 10.0, clock=time.monotonic):
        self.port, self.echo, self.timeout_s, self.clock = port, echo, timeout_s, clock
        self._buffer = b""

    def send(self, command: str) -> None:
        self.port.write(command.encode("ascii") + b"\n")

    def _fill(self, deadline: float, what: str) -> None:
        chunk = self.port.read(max(1, getattr(self.port, "in_waiting", 0) or 1))
        if chunk:
            self._buffer += chunk
        elif self.clock() > deadline:
            raise SerialCaptureError(
                f"The board sent nothing for {self.timeout_s:g} s while {what}. Is it running "
                "the capture sketch (flash it again; a double tap on reset starts the "
                "bootloader, a single one restarts the sketch)?")

    def read_line(self, what: str = "waiting for a line") -> str:
        deadline = self.clock() + self.timeout_s
        while b"\n" not in self._buffer:
            self._fill(deadline, what)
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", errors="replace")

    def read_bytes(self, count: int, what: str) -> bytes:
        deadline = self.clock() + self.timeout_s
        while len(self._buffer) < count:
            before = len(self._buffer)
            self._fill(deadline, what)
            if len(self._buffer) > before:
                deadline = self.clock() + self.timeout_s  # still coming: wait on
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def wait_for(self, prefix: str, what: str) -> str:
        """Lines until one starts with `prefix` (returned); board messages are echoed and an
        "error: ..." line from the board is raised."""
        while True:
            line = self.read_line(what)
            if line.startswith(prefix):
                return line
            self._message(line)

    def _message(self, line: str) -> None:
        if line.startswith("error:"):
            raise SerialCaptureError(f"The board says: {line[6:].strip()}")
        if line.strip():
            self.echo(f"board: {line.strip()}")

    def read_block(self, kind: str, size_of) -> Block:
        """The next block of `kind`; `size_of(fields)` says how many data bytes its header
        announces. Messages before it are echoed; a damaged block is an error."""
        while True:
            line = self.read_line(f"waiting for the board's {kind} block")
            words = line.split()
            if words and words[0] in HEADERS:
                break
            self._message(line)
        if words[0] != kind:
            raise SerialCaptureError(f"Expected a {kind} block, the board sent {words[0]}: is "
                                     "it running the right capture sketch?")
        try:
            crc = int(words[-1], 16)
            fields = tuple(words[1:-1])
            size = int(size_of(fields))
        except (ValueError, IndexError, TypeError):
            raise SerialCaptureError(f"A garbled {kind} header: {line!r}.") from None
        if not 0 < size <= 4 * 1024 * 1024:
            raise SerialCaptureError(f"A {kind} header announcing {size} bytes: {line!r}.")
        data = self.read_bytes(size, f"receiving {size:,} bytes of {kind}")
        end = self.read_line("waiting for END")
        if not end:
            end = self.read_line("waiting for END")
        if end != "END" or zlib.crc32(data) != crc:
            raise SerialCaptureError(
                f"The {kind} block arrived damaged (CRC {zlib.crc32(data):08x}, the board "
                f"says {crc:08x}{'' if end == 'END' else '; no END line'}): bytes were lost "
                "on the cable. Try again; if it repeats, use another USB cable or port.")
        return Block(kind, fields, data)
