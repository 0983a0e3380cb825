"""The person-detection camera path in Python (tinyml_lab.chapters.person_detection.camera): the maths of the
crop, resize, luma and int8 table, and pictures from disk turned into the frame the camera
would deliver (tinyml_lab.chapters.person_detection.images.read_image, image_to_frame)."""

import numpy as np
import pytest
from PIL import Image

from tinyml_lab.chapters.person_detection import camera
from tinyml_lab.chapters.person_detection.images import read_image
from tinyml_lab.core import tflm
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import Tensor

H, W = camera.FRAME_HEIGHT, camera.FRAME_WIDTH


def uniform(value) -> np.ndarray:
    return np.full((H, W), value, np.uint16)


def test_rgb565_round_trips_and_widens_to_full_scale():
    every = np.arange(65536, dtype=np.uint16)
    assert np.array_equal(camera.rgb565(camera.rgb888(every)), every)
    assert camera.rgb888(np.uint16(0xFFFF)).tolist() == [255, 255, 255]
    assert camera.rgb888(np.uint16(0x8410)).tolist() == [132, 130, 132]  # 16, 32, 16
    assert camera.rgb565(np.array([255, 0, 7], np.uint8)) == 0xF800  # low bits dropped
    raw = camera.frame_to_bytes(uniform(0x1234))
    assert raw[:2] == b"\x12\x34" and len(raw) == H * W * 2
    assert np.array_equal(camera.frame_from_bytes(raw), uniform(0x1234))
    with pytest.raises(ValueError, match="50688 bytes"):
        camera.frame_from_bytes(raw[:-1])


@pytest.mark.parametrize("value, gray", [
    (0x0000, 0), (0xFFFF, 255),
    (0xF800, 77), (0x07E0, 149), (0x001F, 29),  # round(w * 255 / 256) for each channel
])
def test_known_luma_of_uniform_frames(value, gray):
    out = camera.gray96(uniform(value))
    assert out.shape == (96, 96) and out.dtype == np.uint8
    assert (out == gray).all()


def test_any_uniform_frame_stays_uniform_at_its_rounded_luma():
    rng = np.random.default_rng(1)
    for value in rng.integers(0, 65536, 40):
        r, g, b = camera.rgb888(np.uint16(value)).astype(int)
        expected = int(np.floor((77 * r + 150 * g + 29 * b) / 256 + 0.5))
        assert (camera.gray96(uniform(value)) == expected).all(), hex(value)


def test_crop_keeps_the_centre_square():
    frame = uniform(0xFFFF)
    frame[:, camera.CROP_LEFT:camera.CROP_LEFT + camera.CROP_SIZE] = 0
    assert camera.CROP_LEFT == 16 and not camera.gray96(frame).any()  # the white sides cut
    frame = uniform(0)
    frame[:, camera.CROP_LEFT] = 0xFFFF  # first column of the crop: half-covered output 0
    out = camera.gray96(frame)
    assert (out[:, 0] == round(255 * 2 / 3)).all() and not out[:, 1:].any()


def test_area_average_weights_and_mirror_symmetry():
    frame = uniform(0)
    frame[0, camera.CROP_LEFT] = 0xFFFF  # one source pixel, 2/3 x 2/3 of output (0, 0)
    out = camera.gray96(frame)
    assert out[0, 0] == round(255 * 4 / 9) and out.sum() == out[0, 0]
    frame = uniform(0)
    frame[1, camera.CROP_LEFT + 1] = 0xFFFF  # shared by outputs 0 and 1 on both axes
    out = camera.gray96(frame)
    assert (out[:2, :2] == round(255 / 9)).all() and out.sum() == 4 * out[0, 0]
    rng = np.random.default_rng(2)
    frame = rng.integers(0, 65536, (H, W), dtype=np.uint16)
    assert np.array_equal(camera.gray96(frame[:, ::-1]), camera.gray96(frame)[:, ::-1])
    assert np.array_equal(camera.gray96(frame[::-1]), camera.gray96(frame)[::-1])
    crop = camera.luma256(frame)[:, 16:160] / 256  # the average brightness is kept
    assert abs(camera.gray96(frame).mean() - crop.mean()) < 0.5


@pytest.mark.parametrize("scale, zero_point", [(1 / 255, -128), (0.0078125, 0), (0.01, -3)])
def test_table_is_the_runtimes_quantization_of_gray_over_255(scale, zero_point):
    lut = camera.quantize_lut(scale, zero_point)
    assert lut.shape == (256,) and lut.dtype == np.int8
    tensor = Tensor(0, "image", (1, 96, 96, 1), "int8", 0, False, False, (scale,),
                    (zero_point,), 0)
    assert np.array_equal(lut, tflm.quantize(np.arange(256) / np.float32(255), tensor))
    assert (np.diff(lut.astype(int)) >= 0).all()
    frame = np.random.default_rng(3).integers(0, 65536, (H, W), dtype=np.uint16)
    assert np.array_equal(camera.preprocess_frame(frame, scale, zero_point),
                          lut[camera.gray96(frame)])


def test_frames_are_checked():
    with pytest.raises(ValueError, match="QCIF"):
        camera.gray96(np.zeros((96, 96), np.uint16))
    with pytest.raises(ValueError, match="QCIF"):
        camera.gray96(uniform(0).astype(np.int32))


# ------------------------------------------------------------------ pictures -> frames

def test_uniform_pictures_of_any_kind_and_size_give_the_truncated_colour():
    for shape in [(1, 1), (3, 500), (1000, 7), (144, 176), (97, 96)]:
        gray = np.full(shape, 200, np.uint8)
        frame = camera.image_to_frame(gray)
        assert frame.shape == (H, W) and frame.dtype == np.uint16
        assert (frame == camera.rgb565(np.array([200, 200, 200], np.uint8))).all(), shape
    rgb = np.zeros((50, 80, 3), np.uint8)
    rgb[...] = (10, 100, 250)
    assert (camera.image_to_frame(rgb) == camera.rgb565(rgb[0, 0])).all()
    sixteen = np.full((40, 40), 200 * 257, np.uint16)  # 16-bit: 200/255 of full scale
    assert np.array_equal(camera.image_to_frame(sixteen), camera.image_to_frame(gray[:40, :3]))
    assert (camera.image_to_frame(np.full((8, 8), 65535, np.uint16)) == 0xFFFF).all()
    assert np.array_equal(camera.image_to_frame(gray[..., None]), camera.image_to_frame(gray))


def test_alpha_is_composited_on_white():
    rgba = np.zeros((30, 30, 4), np.uint8)
    rgba[..., :3] = (0, 0, 255)
    assert (camera.image_to_frame(rgba) == 0xFFFF).all()  # fully transparent: white
    rgba[..., 3] = 255
    assert (camera.image_to_frame(rgba) == 0x001F).all()  # opaque: the colour itself
    rgba[..., 3] = 128
    half = camera.flatten_alpha(rgba)[0, 0]
    assert half.tolist() == [127, 127, 255]


def test_the_centre_of_wide_and_tall_pictures_is_kept():
    wide = np.zeros((144, 352, 3), np.uint8)
    wide[:, 88:264] = (0, 0, 255)  # the middle 176 columns blue, the sides black
    assert (camera.image_to_frame(wide) == 0x001F).all()
    tall = np.zeros((576, 176, 3), np.uint8)
    tall[216:360] = (255, 0, 0)  # the middle 144 rows red, above and below black
    assert (camera.image_to_frame(tall) == 0xF800).all()
    tall[252:324] = (0, 255, 0)  # the middle half of those green
    frame = camera.image_to_frame(tall)
    assert (frame[37:107] == 0x07E0).all() and (frame[:35] == 0xF800).all()
    assert (frame[-35:] == 0xF800).all()


def test_bad_picture_arrays_are_refused():
    for bad in [np.zeros((0, 5), np.uint8), np.zeros((5, 5, 2), np.uint8),
                np.zeros((5, 5), np.float32), np.zeros(5, np.uint8)]:
        with pytest.raises(ValueError):
            camera.image_to_frame(bad)


# ------------------------------------------------------------------ files

def test_read_image_modes(tmp_path):
    rng = np.random.default_rng(4)
    rgb = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "a.png")
    Image.fromarray(rgb).save(tmp_path / "a.bmp")
    assert np.array_equal(read_image(tmp_path / "a.png"), rgb)
    assert np.array_equal(read_image(tmp_path / "a.bmp"), rgb)
    Image.fromarray(rgb).save(tmp_path / "a.jpg", quality=95)
    jpeg = read_image(tmp_path / "a.jpg")
    assert jpeg.shape == rgb.shape and jpeg.dtype == np.uint8

    gray = rng.integers(0, 256, (11, 13), dtype=np.uint8)
    Image.fromarray(gray).save(tmp_path / "g.png")
    assert np.array_equal(read_image(tmp_path / "g.png"), gray)

    deep = (np.arange(12 * 10, dtype=np.uint16).reshape(12, 10) * 500)
    Image.fromarray(deep).save(tmp_path / "deep.png")  # a 16-bit grayscale PNG
    out = read_image(tmp_path / "deep.png")
    assert out.dtype == np.uint16 and np.array_equal(out, deep)

    palette = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    palette.save(tmp_path / "p.png")
    assert np.array_equal(read_image(tmp_path / "p.png"), np.asarray(palette.convert("RGB")))
    palette.save(tmp_path / "pt.png", transparency=0)
    assert read_image(tmp_path / "pt.png").shape == (20, 30, 4)

    rgba = np.dstack([rgb, rng.integers(0, 256, (20, 30), dtype=np.uint8)])
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    assert np.array_equal(read_image(tmp_path / "rgba.png"), rgba)
    Image.fromarray(gray).convert("LA").save(tmp_path / "la.png")
    la = read_image(tmp_path / "la.png")
    assert la.shape == (11, 13, 4) and np.array_equal(la[..., 0], gray)
    assert (la[..., 3] == 255).all()

    Image.fromarray(rgb).convert("CMYK").save(tmp_path / "cmyk.jpg")
    assert read_image(tmp_path / "cmyk.jpg").shape == (20, 30, 3)
    Image.fromarray(gray > 128).save(tmp_path / "bits.png")
    assert set(np.unique(read_image(tmp_path / "bits.png"))) <= {0, 255}


def test_read_image_applies_exif_orientation(tmp_path):
    stored = np.zeros((20, 40, 3), np.uint8)
    stored[0, 0] = (255, 255, 255)  # a marker in the stored top-left corner
    image = Image.fromarray(stored)
    exif = image.getexif()
    exif[0x0112] = 6  # Orientation: the camera was turned; view rotated 90 degrees clockwise
    image.save(tmp_path / "turned.png", exif=exif)
    upright = read_image(tmp_path / "turned.png")
    assert upright.shape == (40, 20, 3)
    assert (upright[0, -1] == 255).all() and upright.sum() == 3 * 255


def test_unreadable_files_name_the_file_and_the_fix(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("hello, I am a text file")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 90).save(tmp_path / "whole.png")
    whole = (tmp_path / "whole.png").read_bytes()
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(whole[:len(whole) // 2])
    cases = [(text, "not a picture"), (empty, "empty"), (truncated, "truncated or corrupt"),
             (tmp_path / "missing.png", "no such file"), (tmp_path, "not a file")]
    for path, message in cases:
        with pytest.raises(TinyMLError, match=message) as info:
            read_image(path)
        assert str(path) in str(info.value)


def test_camera_module_reads_files_too(tmp_path):
    Image.fromarray(np.full((10, 10), 77, np.uint8)).save(tmp_path / "x.png")
    assert (camera.gray96(camera.image_to_frame(camera.read_image(tmp_path / "x.png")))
            == camera.gray96(camera.image_to_frame(np.full((3, 3), 77, np.uint8)))).all()
