"""`python -m tinyml_lab predict person_detection PICTURE [--json] [--sketch DIR]`: a picture
of any common kind goes through the camera path and the sketch's deployed model in TFLM;
the answer is the one the int8 model gives on that int8 picture; bad files get clear
errors. The model is the tiny trained stand-in of conftest.person_sketch."""

import json

import numpy as np
import pytest
from PIL import Image

from tests.conftest import blob_pictures
from tinyml_lab.chapters.person_detection.camera import image_to_frame, preprocess_frame, read_image
from tinyml_lab.cli import main
from tinyml_lab.core import tflm
from tinyml_lab.core.deployed import Prediction
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.predict import predict, predictor_names

LABELS = ["no_person", "person"]


def direct_scores(model, path) -> np.ndarray:
    """The same picture, by hand: camera path -> int8 -> TFLM -> dequantized scores."""
    inp, out = model.input_tensors[0], model.output_tensors[0]
    image = preprocess_frame(image_to_frame(read_image(path)), inp.scales[0], inp.zero_points[0])
    raw = tflm.MicroInterpreter(model).invoke_raw(image[None, :, :, None])[0]
    return (raw.astype(np.float32) - out.zero_points[0]) * np.float32(out.scales[0])


def write_pictures(folder):
    """The same kinds of files a learner will try: every common format and mode."""
    rng = np.random.default_rng(11)
    pictures, _ = blob_pictures(4, seed=5)
    person = Image.fromarray(pictures[1]).resize((240, 240))
    rgb = Image.merge("RGB", [person, person.rotate(90),
                              person.transpose(Image.Transpose.FLIP_TOP_BOTTOM)])
    made = {
        "rgb.png": rgb, "photo.jpg": rgb, "paint.bmp": rgb,
        "gray.png": person,
        "deep16.png": Image.fromarray(np.asarray(person, np.uint16) * 257),
        "alpha.png": Image.fromarray(np.dstack([np.asarray(rgb),
                                                rng.integers(0, 256, (240, 240), np.uint8)])),
        "palette.png": rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16),
        "odd_size.png": Image.fromarray(pictures[0]).resize((211, 37)),
        "tiny.png": Image.fromarray(pictures[1]).resize((3, 2)),
    }
    paths = {}
    for name, image in made.items():
        paths[name] = folder / name
        image.save(paths[name])
    assert Image.open(paths["deep16.png"]).mode.startswith("I")  # really 16-bit on disk
    return paths


def test_json_is_the_int8_models_answer_for_every_kind_of_picture(person_sketch, tmp_path,
                                                                  capsys):
    sketch, model = person_sketch
    for name, path in write_pictures(tmp_path).items():
        assert main(["predict", "person_detection", str(path), "--json", "--sketch",
                     str(sketch)]) == 0, name
        out = json.loads(capsys.readouterr().out)
        assert set(out) == {"label", "scores"} and list(out["scores"]) == LABELS, name
        assert sum(out["scores"].values()) == pytest.approx(1.0, abs=0.02), name
        expected = direct_scores(model, path)
        assert np.allclose([out["scores"][k] for k in LABELS], expected, rtol=0, atol=1e-6), name
        assert out["label"] == LABELS[int(np.argmax(expected))], name


def test_table_output_names_the_chapter_and_both_labels(person_sketch, tmp_path, capsys):
    path = tmp_path / "p.png"
    Image.fromarray(blob_pictures(2, seed=3)[0][1]).save(path)
    assert main(["predict", "person_detection", str(path), "--sketch",
                 str(person_sketch[0])]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] in ("person_detection: person", "person_detection: no_person")
    assert any("no_person" in line for line in lines[1:])
    assert any(line.split()[:1] == ["person"] for line in lines[1:])


def test_the_camera_path_keeps_what_the_model_learned(person_sketch, tmp_path):
    """Pictures like the training ones, saved as files and seen through the camera path
    (crop, resize, luma, int8): the model still tells a centred blob from none."""
    pictures, labels = blob_pictures(24, seed=99)
    right = 0
    for i, (picture, label) in enumerate(zip(pictures, labels)):
        path = tmp_path / f"{i}.png"
        Image.fromarray(picture).resize((176, 144)).save(path)
        right += predict("person_detection", path, person_sketch[0]).label == LABELS[label]
    assert right >= 20


@pytest.mark.parametrize("kind, message", [
    ("text", "not a picture"), ("empty", "empty"), ("truncated", "truncated or corrupt"),
    ("missing", "no such file"),
])
def test_bad_files_exit_2_naming_the_file(person_sketch, tmp_path, kind, message, capsys):
    path = tmp_path / f"{kind}.png"
    if kind == "text":
        path.write_text("I am a shopping list, renamed to .png")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        Image.fromarray(blob_pictures(1)[0][0]).save(tmp_path / "whole.png")
        data = (tmp_path / "whole.png").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    assert main(["predict", "person_detection", str(path), "--sketch",
                 str(person_sketch[0])]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and str(path) in err


def test_a_sketch_with_another_models_input_is_refused(sine_int8, tmp_path):
    from tinyml_lab.chapters.person_detection.predict import predict_file
    from tinyml_lab.core.export import export_to_sketch

    export_to_sketch(sine_int8, tmp_path / "sine", None, source="test", labels=("y",))
    Image.fromarray(np.zeros((9, 9), np.uint8)).save(tmp_path / "x.png")
    with pytest.raises(TinyMLError, match="not a 96x96 gray int8 picture"):
        predict_file(tmp_path / "x.png", tmp_path / "sine")
    with pytest.raises(TinyMLError, match="no generated model files"):
        predict_file(tmp_path / "x.png", tmp_path)


def test_registered_and_dispatched(person_sketch, tmp_path):
    from tinyml_lab.chapters import predictor
    from tinyml_lab.chapters.person_detection.predict import predict_file

    assert "person_detection" in predictor_names()
    assert predictor("person_detection") is predict_file
    Image.fromarray(np.full((50, 50), 128, np.uint8)).save(tmp_path / "grey.png")
    result = predict("person_detection", tmp_path / "grey.png", person_sketch[0])
    assert isinstance(result, Prediction) and result.label in LABELS
    assert list(result.scores) == LABELS
