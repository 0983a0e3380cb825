"""Flashing a sketch, and the line it prints when it starts.

Every course sketch prints one start line once TFLM has allocated its tensors:

    <sketch> ready; arena used N of M bytes[; more]

M is the sketch's kTensorArenaSize, N is what TFLM's arena_used_bytes() reports on the board.
tinyml_lab.core.arena computes N for the board's build (Cortex-M4 + CMSIS-NN) without a board,
so the notebooks print the exact line to expect, and a learner who sees another N knows the
board runs another library build than the one the course was checked against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core.errors import TinyMLError

READY = re.compile(r"^(?P<sketch>\w+) ready; arena used (?P<used>\d+) of (?P<size>\d+) bytes"
                   r"(?:; (?P<more>.*))?$")
BAUD_RATE = 115200


def ready_line(sketch: str, used_bytes: int, arena_bytes: int, more: str = "") -> str:
    """The start line a sketch prints; `more` is what the sketch adds after a "; "."""
    line = f"{sketch} ready; arena used {int(used_bytes)} of {int(arena_bytes)} bytes"
    return f"{line}; {more}" if more else line


@dataclass(frozen=True)
class ReadyLine:
    sketch: str
    used_bytes: int
    arena_bytes: int
    more: str = ""


def parse_ready_line(line: str) -> ReadyLine:
    """A sketch's start line read back (e.g. from a Serial Monitor copy)."""
    match = READY.match(line.strip())
    if not match:
        raise TinyMLError(f"Not a sketch start line: {line.strip()!r}; expected "
                          "'<sketch> ready; arena used N of M bytes'.")
    return ReadyLine(match["sketch"], int(match["used"]), int(match["size"]),
                     match["more"] or "")


def flash_instructions(sketch_dir: str | Path, used_bytes: int, arena_bytes: int,
                       more: str = "") -> str:
    """What to do with an exported sketch folder, and what the board should answer."""
    sketch_dir = Path(sketch_dir).resolve()
    name = sketch_dir.name
    expected = ready_line(name, used_bytes, arena_bytes, more)
    return "\n".join([
        f"Sketch folder: {sketch_dir}",
        (f"  Arduino IDE: open {sketch_dir / (name + '.ino')}, board 'Arduino Nano 33 BLE', "
        "Upload."),
        (f"  or: cd {sketch_dir} && arduino-cli compile --profile nano33ble "
        "&& arduino-cli upload -p PORT --profile nano33ble"),
        f"Then open the Serial Monitor at {BAUD_RATE} baud. The first line should be:",
        f"  {expected}",
        (f"N = {used_bytes} is the arena TFLM uses on the board, computed here for the Nano's "
        f"build (Cortex-M4, CMSIS-NN); M = {arena_bytes} is kTensorArenaSize. Compare N with "
        "what your board prints: the same number means the board runs the build the course "
        "checked; another N means another library version (see the README's troubleshooting "
        "table)."),
    ])
