"""COCO annotations as a careless or hostile file has them: a file_name that is a path
(`../../x.jpg`) never reads or writes outside the images and output folders, and malformed
JSON is a message that says where, never a KeyError or ZeroDivisionError."""

import json

import pytest

from tinyml_lab.chapters.person_detection import coco
from tinyml_lab.core.errors import TinyMLError


def _instances(file_name="000000000001.jpg", **image):
    return {"images": [{"id": 1, "file_name": file_name, "width": 100, "height": 100, **image}],
            "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 50, 50]}],
            "categories": [{"id": 1, "name": "person"}]}


@pytest.mark.parametrize("name", ["../../x.jpg", "../x.jpg", "/etc/passwd", "sub/x.jpg",
                                  "..", "", "C:\\\\x.jpg", "a\\\\..\\\\b.jpg"])
def test_file_names_that_are_paths_are_refused(tmp_path, name):
    images, out = tmp_path / "images", tmp_path / "deep" / "out"
    images.mkdir()
    (tmp_path / "x.jpg").write_bytes(b"jpeg")
    annotations = tmp_path / "instances.json"
    annotations.write_text(json.dumps(_instances(name)))
    with pytest.raises(TinyMLError, match="plain names.*without folders"):
        coco.build_vww(annotations, images, out, progress=False)
    assert not out.exists()  # refused before anything was written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["images", "instances.json", "x.jpg"]


@pytest.mark.parametrize("instances, where", [
    ([1, 2], "the JSON holds a list"),
    ({"categories": "person"}, "'categories' is a str"),
    ({"categories": [{"name": "person"}]}, r"categories\[0\] has no 'id'"),
    (_instances(width=0), r"images\[0\].width is 0"),
    (_instances(height="100"), r"images\[0\].height is '100'"),
    ({**_instances(), "annotations": [{"image_id": 1, "category_id": 1, "bbox": "0,0,5,5"}]},
     r"annotations\[0\].bbox is '0,0,5,5'"),
    ({**_instances(), "annotations": [{"image_id": 1, "category_id": 1,
                                       "bbox": [0, 0, float("nan"), 5]}]},
     r"annotations\[0\].bbox is nan"),
    ({**_instances(), "images": [{"id": [1], "file_name": "a.jpg", "width": 1, "height": 1}]},
     r"images\[0\].id is \[1\]"),
    ({**_instances(), "annotations": [{"image_id": 1}]},
     r"annotations\[0\] has no 'category_id'"),
])
def test_malformed_annotations_say_where(tmp_path, instances, where):
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(instances))
    with pytest.raises(TinyMLError, match=f"instances.json: Not a COCO instances file: "
                                          f"{where}"):
        coco.build_vww(path, tmp_path, tmp_path / "out", progress=False)


def test_deeply_nested_json_is_a_message(tmp_path):
    path = tmp_path / "instances.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(TinyMLError, match="not a COCO JSON file"):
        coco.build_vww(path, tmp_path, tmp_path / "out", progress=False)
