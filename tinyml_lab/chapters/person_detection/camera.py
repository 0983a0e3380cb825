"""The person-detection camera path: the Python twin of the sketch's camera_preprocess.h.

A QCIF frame from the OV7675 (176 x 144 RGB565, one uint16 per pixel) is cropped to the
centre 144 x 144, area-averaged down to 96 x 96 and turned to gray with integer luma, then
quantized to the model's int8 input through a 256-entry table. Every step is integer
arithmetic (the table is float32 maths, the same as the C++), so this module and the board
give the same bytes; tests/test_person_camera_parity.py checks it with g++.

image_to_frame() goes the other way: the frame the camera would deliver pointing at any
picture, so pictures from disk (read_image) are judged exactly as the board would judge
them. The model is trained on gray96(frame) / 255.
"""

from __future__ import annotations

import numpy as np

from tinyml_lab.chapters.person_detection.images import read_image  # noqa: F401  (the camera path starts at a file)
from tinyml_lab.core.tflm import quantize_int8

FRAME_WIDTH, FRAME_HEIGHT = 176, 144  # QCIF
CROP_SIZE = FRAME_HEIGHT  # the largest centred square
CROP_LEFT = (FRAME_WIDTH - CROP_SIZE) // 2
CROP_TOP = (FRAME_HEIGHT - CROP_SIZE) // 2
SIZE = 96  # the model's input: SIZE x SIZE x 1
LUMA_WEIGHTS = (77, 150, 29)  # x / 256, BT.601 luma in integers; they sum to 256
WEIGHT_TOTAL = 9 * 256  # resize weights in thirds (3 x 3) times the luma scale


def frame_from_bytes(data: bytes) -> np.ndarray:
    """The bytes readFrame() fills (2 a pixel, high byte first) -> uint16 (144, 176)."""
    want = FRAME_WIDTH * FRAME_HEIGHT * 2
    if len(data) != want:
        raise ValueError(f"A QCIF RGB565 frame has {want} bytes, not {len(data)}.")
    return np.frombuffer(data, dtype=">u2").reshape(FRAME_HEIGHT, FRAME_WIDTH).astype(np.uint16)


def frame_to_bytes(frame: np.ndarray) -> bytes:
    """uint16 frame -> the bytes as the camera library stores them (high byte first)."""
    return np.asarray(frame, dtype=np.uint16).astype(">u2").tobytes()


def rgb565(rgb: np.ndarray) -> np.ndarray:
    """uint8 (..., 3) RGB -> uint16 RGB565, dropping the low bits as the sensor does."""
    rgb = np.asarray(rgb, dtype=np.uint16)
    return ((rgb[..., 0] >> 3) << 11) | ((rgb[..., 1] >> 2) << 5) | (rgb[..., 2] >> 3)


def rgb888(frame: np.ndarray) -> np.ndarray:
    """uint16 RGB565 -> uint8 (..., 3), each channel widened by repeating its top bits
    (31 -> 255 and 63 -> 255: white stays white)."""
    v = np.asarray(frame, dtype=np.uint16)
    r5, g6, b5 = v >> 11, (v >> 5) & 0x3F, v & 0x1F
    rgb = np.stack([(r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2)], -1)
    return rgb.astype(np.uint8)


def luma256(frame: np.ndarray) -> np.ndarray:
    """Luma of each pixel times 256 (0..65280), not yet rounded."""
    rgb = rgb888(frame).astype(np.uint32)
    return rgb @ np.array(LUMA_WEIGHTS, dtype=np.uint32)


def _resize_weights() -> np.ndarray:
    """(96, 144) weights in thirds: output o covers source [1.5 o, 1.5 o + 1.5), i.e.
    (2, 1) from 3(o // 2) for even o and (1, 2) one pixel later for odd o."""
    w = np.zeros((SIZE, CROP_SIZE), dtype=np.int64)
    for o in range(SIZE):
        first = (o // 2) * 3 + (o & 1)
        w[o, first:first + 2] = (1, 2) if o & 1 else (2, 1)
    return w


RESIZE = _resize_weights()


def _check_frame(frame: np.ndarray) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.shape != (FRAME_HEIGHT, FRAME_WIDTH) or frame.dtype != np.uint16:
        raise ValueError(f"Expected a QCIF RGB565 frame, uint16 ({FRAME_HEIGHT}, "
                         f"{FRAME_WIDTH}); got {frame.dtype} {frame.shape}.")
    return frame


def gray96(frame: np.ndarray) -> np.ndarray:
    """Frame -> uint8 (96, 96): crop, area-average resize and luma as one integer sum,
    rounded once (half up), like GrayPixel() in camera_preprocess.h."""
    crop = luma256(_check_frame(frame))[CROP_TOP:CROP_TOP + CROP_SIZE,
                                        CROP_LEFT:CROP_LEFT + CROP_SIZE].astype(np.int64)
    total = RESIZE @ crop @ RESIZE.T
    return ((total + WEIGHT_TOTAL // 2) // WEIGHT_TOTAL).astype(np.uint8)


def gray_to_input(gray: np.ndarray) -> np.ndarray:
    """uint8 gray pictures -> the float model input, gray / 255 in [0, 1] (float32)."""
    return np.asarray(gray, dtype=np.float32) / np.float32(255)


def quantize_lut(scale: float, zero_point: int) -> np.ndarray:
    """int8 (256,): the model input for each gray level, quantized as the board does."""
    return quantize_int8(gray_to_input(np.arange(256)), scale, zero_point)


def preprocess_frame(frame: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Frame -> int8 (96, 96), exactly what the sketch writes into the input tensor."""
    return quantize_lut(scale, zero_point)[gray96(frame)]


def _to_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint16:  # 0..65535 -> 0..255, rounded
        return ((image.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    return image.astype(np.uint8)


def flatten_alpha(rgba: np.ndarray) -> np.ndarray:
    """uint8 (h, w, 4) -> (h, w, 3) composited on white: a transparent picture looks, on
    a page or in an image viewer, as it would printed in front of the camera; on black,
    dark strokes and text on a transparent background would vanish."""
    rgba = rgba.astype(np.uint32)
    alpha = rgba[..., 3:]
    return ((rgba[..., :3] * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


def _as_rgb(image) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"Pictures are uint8 or uint16 arrays, not {image.dtype}.")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"A picture is (h, w) gray, (h, w, 3) RGB or (h, w, 4) RGBA; "
                         f"got shape {image.shape}.")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"The picture is empty (shape {image.shape}).")
    image = _to_uint8(image)
    if image.ndim == 2:
        return np.repeat(image[..., None], 3, axis=2)  # gray: R = G = B
    return flatten_alpha(image) if image.shape[2] == 4 else image


def image_to_frame(image) -> np.ndarray:
    """Any picture -> the QCIF RGB565 frame the camera would deliver filled by it: the
    centred 176:144 part, scaled to 176 x 144 (averaging when shrinking, bilinear when
    enlarging), RGB888 -> RGB565 by dropping low bits."""
    from PIL import Image

    rgb = _as_rgb(image)
    h, w = rgb.shape[:2]
    if w * FRAME_HEIGHT > h * FRAME_WIDTH:  # wider than QCIF: keep the middle columns
        cw, ch = h * FRAME_WIDTH / FRAME_HEIGHT, float(h)
    else:
        cw, ch = float(w), w * FRAME_HEIGHT / FRAME_WIDTH
    box = ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)
    method = Image.Resampling.BOX if cw >= FRAME_WIDTH else Image.Resampling.BILINEAR
    scaled = Image.fromarray(rgb, "RGB").resize((FRAME_WIDTH, FRAME_HEIGHT), method, box=box)
    return rgb565(np.asarray(scaled))
