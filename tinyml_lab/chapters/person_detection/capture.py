"""Take photos with the board's camera (camera_capture sketch): `python -m tinyml_lab capture camera`.

Each frame is the camera's own QCIF RGB565 picture, checked on arrival (whole, CRC-32, the
size asked for, not one flat colour) and saved as a 176 x 144 PNG in FOLDER/<label>/: the
layout folder_data() reads (person/ and no_person/). A PNG of the frame goes back through
camera.image_to_frame() to the very same frame, so the notebook trains on what the board saw.
Each saved frame is shown as text in the terminal, the same preview the camera_test sketch
prints (frame_preview.h is the C++ twin of frame_stats and ascii_preview).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.chapters.person_detection import camera
from tinyml_lab.chapters.person_detection.data import LABELS
from tinyml_lab.core.files import first_free, write_atomically
from tinyml_lab.core.serial_capture import BoardLink, CaptureResult, SerialCaptureError, check_name

SKETCH = "camera_capture"
CELL_WIDTH, CELL_HEIGHT = 4, 8  # one character covers 4 x 8 pixels
RAMP = " .:-=+*#%@"  # dark to bright
FLAT_RANGE = 8  # gray levels: a frame within this range is one colour everywhere


def gray(frame: np.ndarray) -> np.ndarray:
    """Integer BT.601 luma of each pixel, 0..255 (frame_preview.h's Gray())."""
    return (camera.luma256(frame) >> 8).astype(np.int64)


@dataclass(frozen=True)
class FrameStats:
    mean: int
    min: int
    max: int

    @property
    def flat(self) -> bool:
        return self.max - self.min < FLAT_RANGE


def frame_stats(frame: np.ndarray) -> FrameStats:
    g = gray(frame)
    return FrameStats(int(g.sum() // g.size), int(g.min()), int(g.max()))


def ascii_preview(frame: np.ndarray) -> list[str]:
    """The frame as 18 lines of 44 characters, dark to bright."""
    g = gray(frame)
    rows, cols = g.shape[0] // CELL_HEIGHT, g.shape[1] // CELL_WIDTH
    cells = g[:rows * CELL_HEIGHT, :cols * CELL_WIDTH].reshape(rows, CELL_HEIGHT, cols,
                                                                CELL_WIDTH)
    means = cells.sum(axis=(1, 3)) // (CELL_WIDTH * CELL_HEIGHT)
    return ["".join(RAMP[m * len(RAMP) // 256] for m in row) for row in means]


def save_png(path: Path, frame: np.ndarray) -> Path:
    """The frame as an RGB PNG, written whole or not at all."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(camera.rgb888(frame), "RGB").save(buffer, format="PNG")
    return write_atomically(path, buffer.getvalue())


def next_frame_path(folder: Path, label: str) -> Path:
    """<label>_<nnnn>.png with the first n from 1 not taken."""
    return first_free(folder, lambda n: f"{label}_{n:04d}.png", start=1)


def capture_camera(port, folder: str | Path, label: str, count: int = 10,
                   interval_s: float = 2.0, preview: bool = True, echo=print,
                   timeout_s: float = 10.0) -> CaptureResult:
    """Ask the board for frames until `count` good ones are saved in folder/label/ (at most
    3 x count attempts), `interval_s` apart so the scene can change between them."""
    check_name("Label", label, LABELS[1])
    if count < 1:
        raise SerialCaptureError(f"--count must be at least 1, not {count}.")
    target = Path(folder) / label
    target.mkdir(parents=True, exist_ok=True)
    if label not in LABELS:
        echo(f"note: the person-detection notebook reads {' and '.join(LABELS)}/ folders; "
             f"{label}/ will be ignored by it.")
    link = BoardLink(port, echo, timeout_s)
    size = camera.FRAME_WIDTH * camera.FRAME_HEIGHT * 2
    echo(f"Taking {count} photo(s) for {label} into {target}, one every {interval_s:g} s; "
         "Ctrl-C to stop.")
    saved, skipped = [], 0
    try:
        for _attempt in range(3 * count):
            if len(saved) == count:
                break
            if saved or skipped:
                time.sleep(interval_s)
            link.send("frame")
            block = link.read_block("FRAME", lambda f: int(f[0]) * int(f[1]) * 2)
            if block.fields != (str(camera.FRAME_WIDTH), str(camera.FRAME_HEIGHT), "RGB565") \
                    or len(block.data) != size:
                raise SerialCaptureError(
                    f"The board sent a {' '.join(block.fields)} frame; the course's camera "
                    f"path reads {camera.FRAME_WIDTH} {camera.FRAME_HEIGHT} RGB565. Flash the "
                    "course's camera_capture sketch again.")
            frame = camera.frame_from_bytes(block.data)
            stats = frame_stats(frame)
            if stats.flat:
                skipped += 1
                echo(f"skipped: the frame is one flat colour (gray {stats.min}..{stats.max}): "
                     "is the lens covered, or the camera not seated in the shield's socket?")
                continue
            path = save_png(next_frame_path(target, label), frame)
            saved.append(path)
            echo(f"[{len(saved)}/{count}] saved {path.name} (gray mean {stats.mean}, "
                 f"{stats.min}..{stats.max})")
            if preview:
                for row in ascii_preview(frame):
                    echo("    " + row)
    except KeyboardInterrupt:
        echo("stopped")
    return CaptureResult(target, tuple(saved), skipped)
