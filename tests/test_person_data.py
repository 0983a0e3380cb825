"""Person-detection data: generated scenes, the COCO Visual Wake Words builder."""

import json
import zipfile

import numpy as np
import pytest

from tinyml_lab.chapters.person_detection import coco
from tinyml_lab.chapters.person_detection.data import LABELS, generated_data
from tinyml_lab.chapters.person_detection.draw import Canvas, capsule, ellipse
from tinyml_lab.chapters.person_detection.scenes import (
    CONFUSERS,
    MIN_PERSON_AREA,
    _person,
    make_scenes,
    scene,
)
from tinyml_lab.core.errors import TinyMLError


def test_scenes_are_deterministic_balanced_and_in_range():
    x, y = make_scenes(40, seed=5)
    x2, y2 = make_scenes(40, seed=5)
    assert x.shape == (40, 96, 96, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert y.sum() == 20  # half with a person
    assert x.min() >= 0.0 and x.max() <= 1.0
    # a subset is the same pictures: scene i depends on (seed, i) only
    x3, _ = make_scenes(10, seed=5)
    np.testing.assert_array_equal(x3, x[:10])
    other, _ = make_scenes(10, seed=6)
    assert not np.allclose(other, x[:10])


def test_scenes_are_varied_not_one_template():
    x, _ = make_scenes(30, seed=1)
    flat = x.reshape(30, -1)
    corr = np.corrcoef(flat)
    assert np.max(corr[~np.eye(30, dtype=bool)]) < 0.98  # no two pictures nearly alike
    means = flat.mean(axis=1)
    assert means.max() - means.min() > 0.3  # dark and bright scenes


def test_person_class_pictures_contain_a_person():
    """Draw the same scene with and without its person: the person changes enough pixels."""
    for i in range(12):
        rng = np.random.default_rng([3, i])
        c = Canvas(96, 0.5)
        before = c.img.copy()
        _person(c, rng, feet=(48, 90), height=70)
        changed = np.mean(np.abs(c.img - before) > 0.02)
        assert changed >= MIN_PERSON_AREA
        assert changed < 0.5  # a figure, not a flood fill


def test_classes_do_not_differ_by_brightness_or_contrast():
    """A model must not be able to tell the classes apart from global statistics."""
    x, y = make_scenes(400, seed=11)
    flat = x.reshape(len(x), -1)
    for stat in (flat.mean(axis=1), flat.std(axis=1)):
        gap = abs(stat[y == 1].mean() - stat[y == 0].mean())
        assert gap < 0.5 * stat.std()


def test_every_confuser_draws_something():
    for name, draw in CONFUSERS.items():
        c = Canvas(96, 0.5)
        draw(c, np.random.default_rng(0), 48, 80, 60)
        assert np.mean(np.abs(c.img - 0.5) > 0.02) > 0.005, name


def test_primitives_are_soft_edged_and_clipped_to_the_canvas():
    c = Canvas(32, 0.0)
    ellipse(c, (16.5, 16.5), 6, 6, tone=1.0, roundness=0.0)
    assert c.img[16, 16] == pytest.approx(1.0)
    assert c.img[0, 0] == 0.0
    assert c.img[16, 22] == pytest.approx(0.5)  # the rim pixel is half covered
    capsule(c, (-50, -50), (-40, -40), 3, tone=1.0)  # off the canvas: nothing, no error
    capsule(c, (30, 16), (60, 16), 4, tone=0.5)
    assert c.img[16, 31] == pytest.approx(0.5, abs=0.2)


def test_generated_data_splits_differ_and_name_their_source():
    data = generated_data(8, 4, 4, seed=0)
    assert data.labels == LABELS == ("no_person", "person")
    assert "generated" in data.source
    assert (len(data.train), len(data.val), len(data.test)) == (8, 4, 4)
    assert not np.allclose(data.train.x[:4], data.val.x)


def test_scene_sizes():
    assert scene(np.random.default_rng(0), True, size=64).shape == (64, 64)


# ------------------------------------------------------------------ COCO Visual Wake Words

def _mini_coco(tmp_path):
    """A tiny COCO: four images; people covering 10%, 0.4% (too small) and none."""
    from PIL import Image

    images_dir = tmp_path / "val2017"
    images_dir.mkdir()
    images = []
    for i in range(4):
        name = f"{i:012d}.jpg"
        Image.new("RGB", (100, 50), (i * 40, 0, 0)).save(images_dir / name)
        images.append({"id": i, "file_name": name, "width": 100, "height": 50})
    anns = [
        {"id": 1, "image_id": 0, "category_id": 1, "bbox": [0, 0, 25, 20]},  # 10%: person
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 5]},  # 0.4%: no
        {"id": 3, "image_id": 2, "category_id": 18, "bbox": [0, 0, 50, 50]},  # a dog
        {"id": 4, "image_id": 3, "category_id": 1, "bbox": [0, 0, 6, 5]},  # 0.6%: person
    ]
    instances = {"images": images, "annotations": anns,
                 "categories": [{"id": 1, "name": "person"}, {"id": 18, "name": "dog"}]}
    ann_dir = tmp_path / "annotations"
    ann_dir.mkdir()
    path = ann_dir / "instances_val2017.json"
    path.write_text(json.dumps(instances))
    return path, images_dir


def test_vww_labels_follow_the_half_percent_rule(tmp_path):
    path, _ = _mini_coco(tmp_path)
    labels = coco.vww_labels(json.loads(path.read_text()))
    assert labels == {"000000000000.jpg": "person", "000000000001.jpg": "no_person",
                      "000000000002.jpg": "no_person", "000000000003.jpg": "person"}


def test_build_vww_writes_a_folder_the_loader_reads(tmp_path):
    path, images_dir = _mini_coco(tmp_path)
    out = tmp_path / "vww"
    summary = coco.build_vww(path, images_dir, out, progress=False)
    assert (summary.person, summary.no_person) == (2, 2)
    assert sorted(p.name for p in (out / "person").iterdir()) == [
        "000000000000.jpg", "000000000003.jpg"]
    limited = coco.build_vww(path, images_dir, tmp_path / "one", limit=1, progress=False)
    assert (limited.person, limited.no_person) == (1, 1)


def test_build_vww_errors(tmp_path):
    with pytest.raises(TinyMLError, match="not found"):
        coco.build_vww(tmp_path / "missing.json", tmp_path, tmp_path / "o")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(TinyMLError, match="not a COCO JSON"):
        coco.build_vww(bad, tmp_path, tmp_path / "o")
    bad.write_text(json.dumps({"images": [], "categories": [{"id": 3, "name": "car"}]}))
    with pytest.raises(TinyMLError, match="no 'person' category"):
        coco.build_vww(bad, tmp_path, tmp_path / "o")
    path, _ = _mini_coco(tmp_path)
    with pytest.raises(TinyMLError, match="missing"):
        coco.build_vww(path, tmp_path / "nowhere", tmp_path / "o", progress=False)


def test_download_coco_from_a_mirror(tmp_path):
    """The download path, over file:// from a local mirror laid out like COCO's server."""
    src = tmp_path / "src"
    src.mkdir()
    path, images_dir = _mini_coco(src)
    mirror = tmp_path / "mirror"
    (mirror / "annotations").mkdir(parents=True)
    (mirror / "zips").mkdir()
    with zipfile.ZipFile(mirror / coco.ANNOTATIONS_ZIP, "w") as z:
        z.write(path, "annotations/instances_val2017.json")
    with zipfile.ZipFile(mirror / "zips" / "val2017.zip", "w") as z:
        for p in images_dir.iterdir():
            z.write(p, f"val2017/{p.name}")
    root = coco.download_coco(tmp_path / "coco", "val2017", base_url=mirror.as_uri())
    assert (root / "annotations" / "instances_val2017.json").is_file()
    assert len(list((root / "val2017").iterdir())) == 4
    assert not list(root.glob("*.zip"))  # archives removed after unpacking
    with pytest.raises(TinyMLError, match="Could not download"):
        coco.download_coco(tmp_path / "other", "val2017", base_url=(tmp_path / "no").as_uri())
    with pytest.raises(TinyMLError, match="Unknown COCO split"):
        coco.download_coco(tmp_path / "other", "test2015")


def test_scenes_drawn_in_worker_processes_are_the_same():
    one, y1 = make_scenes(280, seed=4, workers=1, block=40)
    done = []
    two, y2 = make_scenes(280, seed=4, workers=2, block=40,  # 7 blocks, at most 4 in flight
                          progress=lambda n, total: done.append(n))
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(y1, y2)
    assert done == [40, 80, 120, 160, 200, 240, 280]  # copied in, in order, every block


def test_folder_data_reads_pictures_the_way_the_camera_sees_them(tmp_path):
    from PIL import Image

    from tinyml_lab.chapters.person_detection.camera import gray96, image_to_frame
    from tinyml_lab.chapters.person_detection.data import folder_data, load_image_96

    rng = np.random.default_rng(0)
    for label, count in (("person", 7), ("no_person", 6)):
        (tmp_path / label).mkdir()
        for i in range(count):
            size = (int(rng.integers(40, 300)), int(rng.integers(40, 300)))
            pixels = rng.integers(0, 256, size[::-1] + (3,), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / label / f"{i}.{'png' if i % 2 else 'jpg'}")
    (tmp_path / "person" / "notes.txt").write_text("not a picture, and not read")
    data = folder_data(tmp_path, val_fraction=0.2, test_fraction=0.2, seed=1)
    assert (len(data.train), len(data.val), len(data.test)) == (7, 3, 3)
    assert data.source == f"your pictures in {tmp_path} (6 no_person, 7 person)"
    all_y = np.concatenate([data.train.y, data.val.y, data.test.y])
    assert all_y.sum() == 7
    # every picture is the camera path's 96x96 gray image, scaled to [0, 1]
    picture = np.asarray(Image.open(tmp_path / "person" / "1.png"))
    expected = gray96(image_to_frame(picture))
    np.testing.assert_array_equal(load_image_96(tmp_path / "person" / "1.png"), expected)
    assert any(np.array_equal(x[:, :, 0], expected / np.float32(255))
               for x in np.concatenate([data.train.x, data.val.x, data.test.x]))


def test_folder_data_errors(tmp_path):
    from tinyml_lab.chapters.person_detection.data import folder_data

    with pytest.raises(TinyMLError, match="not a folder"):
        folder_data(tmp_path / "missing")
    (tmp_path / "person").mkdir()
    with pytest.raises(TinyMLError, match="no no_person/ subfolder"):
        folder_data(tmp_path)
    (tmp_path / "no_person").mkdir()
    with pytest.raises(TinyMLError, match="has no pictures"):
        folder_data(tmp_path)
    from PIL import Image

    for label in ("person", "no_person"):
        Image.new("L", (10, 10)).save(tmp_path / label / "a.png")
    with pytest.raises(TinyMLError, match="too few"):
        folder_data(tmp_path)
