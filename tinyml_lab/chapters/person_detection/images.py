"""Read picture files (PNG, JPEG, BMP and whatever else Pillow opens) as numpy arrays.

The person-detection chapter judges pictures from disk the way the board judges camera
frames, so a picture must arrive as the person who took it sees it: EXIF orientation
applied, palettes and CMYK turned into RGB, 16-bit gray kept at 16 bits (Pillow's own
conversion to 8 bits clips it to white instead of scaling). Reading is strict: a file
that is missing, empty, truncated or not a picture gets an error naming the file and the
fix, never a half-decoded picture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import TinyMLError


class ImageFileError(TinyMLError):
    """A picture file the course cannot read."""


SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")
ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
FIX = "Save it as PNG, JPEG or BMP and try again."


def read_image(path: str | Path) -> np.ndarray:
    """One picture as uint8 (h, w) gray, uint16 (h, w) gray (16-bit files), uint8 (h, w, 3)
    RGB or uint8 (h, w, 4) RGBA (pictures with transparency), upright."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise ImageFileError(f"{path}: no such file. Give the path of a picture file.")
    if not path.is_file():
        raise ImageFileError(f"{path} is not a file. Give the path of a picture file.")
    if path.stat().st_size == 0:
        raise ImageFileError(f"{path} is empty (0 bytes): not a picture. {FIX}")
    try:
        with Image.open(path) as opened:
            opened.load()  # decode now: a truncated file fails here, not half-read later
            image = ImageOps.exif_transpose(opened)
    except UnidentifiedImageError as exc:
        raise ImageFileError(f"{path} is not a picture Pillow can read ({exc}). {FIX}") from exc
    except Image.DecompressionBombError as exc:
        raise ImageFileError(f"{path} is too large to decode safely ({exc}). "
                             "Scale it down first.") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageFileError(f"{path} is truncated or corrupt ({exc}). Re-save or re-download "
                             f"it. {FIX}") from exc
    return _to_array(image, path)


def _to_array(image, path: Path) -> np.ndarray:
    mode = image.mode
    if mode in SIXTEEN_BIT_MODES:
        # I;16* hold 0..65535; mode I (32-bit) is how Pillow may hand over 16-bit files
        return np.clip(np.asarray(image, dtype=np.int64), 0, 65535).astype(np.uint16)
    if mode == "F":
        raise ImageFileError(f"{path} is a floating-point picture, which has no fixed white "
                             "level. Save it as an 8- or 16-bit PNG.")
    if mode in ("L", "1"):
        return np.asarray(image.convert("L"), dtype=np.uint8)
    if mode in ALPHA_MODES or "transparency" in image.info:
        return np.asarray(image.convert("RGBA"), dtype=np.uint8)
    try:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)  # P, CMYK, YCbCr, LAB, HSV...
    except (ValueError, OSError) as exc:
        raise ImageFileError(f"{path}: cannot turn its {mode} pixels into RGB ({exc}). "
                             f"{FIX}") from exc
