"""Build the Visual Wake Words set from COCO (when online): person/ and no_person/ folders.

Visual Wake Words (Chowdhery et al., 2019) labels a COCO image "person" when at least one
person's bounding box covers more than 0.5% of the image, else "no_person". This module
reads COCO's own instances JSON with the standard library (no pycocotools needed), so the
only optional part is the download itself: annotations (about 250 MB) and one image split
(val2017 about 1 GB, train2017 about 18 GB). The result is a folder that
tinyml_lab.chapters.person_detection.data.folder_data (and the notebook's `images_dir` parameter) reads.

    python -m tinyml_lab vww --download --split val2017 --coco datasets/coco --out datasets/vww
"""

from __future__ import annotations

import json
import math
import shutil
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from tinyml_lab.core.errors import TinyMLError

MIN_AREA = 0.005  # share of the image a person's box must cover
COCO_URL = "http://images.cocodataset.org"
ANNOTATIONS_ZIP = "annotations/annotations_trainval2017.zip"
SPLITS = ("train2017", "val2017")


@dataclass(frozen=True)
class VWWSummary:
    person: int
    no_person: int
    out_dir: Path


def _not_coco(what: str) -> TinyMLError:
    return TinyMLError(f"Not a COCO instances file: {what}. Use annotations/instances_<split>"
                       ".json from COCO's annotations_trainval2017.zip (or --download).")


def _records(instances: dict, key: str, fields: tuple[str, ...]) -> list[dict]:
    items = instances.get(key, [])
    if not isinstance(items, list):
        raise _not_coco(f"'{key}' is a {type(items).__name__}, not a list")
    for i, item in enumerate(items):
        missing = [f for f in fields if not isinstance(item, dict) or f not in item]
        if missing:
            raise _not_coco(f"{key}[{i}] has no {', '.join(map(repr, missing))}")
        for field in fields:
            if field.endswith("id") and (isinstance(item[field], bool)
                                         or not isinstance(item[field], (int, str))):
                raise _not_coco(f"{key}[{i}].{field} is {item[field]!r}, not a number or name")
    return items


def _number(value, where: str, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise _not_coco(f"{where} is {value!r}, not a {'positive' if positive else 'non-negative'}"
                        " number")
    return float(value)


def check_file_name(name, where: str = "an image") -> str:
    """A COCO file_name must be a plain file name: a path (`../../x.jpg`, `/etc/x`) would
    read, and write, outside the images and output folders."""
    if not isinstance(name, str) or name in ("", ".", "..") or \
            PurePosixPath(name).name != name or PureWindowsPath(name).name != name:
        raise _not_coco(f"{where} has file_name {name!r}; COCO file names are plain names "
                        "like 000000397133.jpg, without folders")
    return name


def vww_labels(instances: dict, min_area: float = MIN_AREA) -> dict[str, str]:
    """file_name -> "person" / "no_person" by the Visual Wake Words rule."""
    if not isinstance(instances, dict):
        raise _not_coco(f"the JSON holds a {type(instances).__name__}, not an object")
    categories = _records(instances, "categories", ("id", "name"))
    person_ids = {c["id"] for c in categories if c["name"] == "person"}
    if not person_ids:
        raise TinyMLError("These annotations have no 'person' category: is this a COCO "
                          "instances_*.json file?")
    images = {}
    for i, im in enumerate(_records(instances, "images", ("id", "file_name", "width", "height"))):
        check_file_name(im["file_name"], f"images[{i}]")
        size = (_number(im["width"], f"images[{i}].width", positive=True)
                * _number(im["height"], f"images[{i}].height", positive=True))
        images[im["id"]] = (im["file_name"], size)
    share = dict.fromkeys(images, 0.0)
    for i, ann in enumerate(_records(instances, "annotations", ("image_id", "category_id"))):
        if ann["category_id"] in person_ids and ann["image_id"] in images:
            box = ann.get("bbox")
            if not isinstance(box, list) or len(box) != 4:
                raise _not_coco(f"annotations[{i}].bbox is {box!r}, not [x, y, width, height]")
            w, h = (_number(v, f"annotations[{i}].bbox") for v in box[2:])
            image = ann["image_id"]
            share[image] = max(share[image], w * h / images[image][1])
    return {images[i][0]: ("person" if s > min_area else "no_person") for i, s in share.items()}


def build_vww(annotations: str | Path, images_dir: str | Path, out_dir: str | Path,
              min_area: float = MIN_AREA, limit: int | None = None,
              progress: bool = True) -> VWWSummary:
    """Sort COCO images into out_dir/person and out_dir/no_person (copies, not moves).
    limit keeps the first `limit` images of each class (sorted by name)."""
    annotations, images_dir, out_dir = Path(annotations), Path(images_dir), Path(out_dir)
    if not annotations.is_file():
        raise TinyMLError(f"{annotations} not found: download COCO's annotations (or pass "
                          "--download) first.")
    try:
        instances = json.loads(annotations.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise TinyMLError(f"{annotations} is not a COCO JSON file: {exc}") from None
    try:
        labels = vww_labels(instances, min_area)
    except TinyMLError as exc:
        raise TinyMLError(f"{annotations}: {exc}") from None
    counts = {"person": 0, "no_person": 0}
    todo = sorted(labels.items())
    for label in counts:
        (out_dir / label).mkdir(parents=True, exist_ok=True)
    for k, (name, label) in enumerate(todo):
        if limit is not None and counts[label] >= limit:
            continue
        source = images_dir / name
        if not source.is_file():
            raise TinyMLError(f"{source} is missing: the images folder does not match the "
                              f"annotations ({annotations.name}).")
        shutil.copyfile(source, out_dir / label / name)
        counts[label] += 1
        if progress and (k + 1) % 500 == 0:
            print(f"\rsorted {k + 1}/{len(todo)} images", end="", flush=True)
    if progress:
        print(f"\r{counts['person']} person, {counts['no_person']} no_person -> {out_dir}")
    return VWWSummary(counts["person"], counts["no_person"], out_dir)


def download_coco(root: str | Path, split: str = "val2017", base_url: str = COCO_URL) -> Path:
    """Download and unpack COCO's annotations and one image split into root (once)."""
    if split not in SPLITS:
        raise TinyMLError(f"Unknown COCO split {split!r}: choose one of {', '.join(SPLITS)}.")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for remote, done in ((ANNOTATIONS_ZIP, root / "annotations" / f"instances_{split}.json"),
                         (f"zips/{split}.zip", root / split)):
        if done.exists():
            continue
        archive = root / Path(remote).name
        url = f"{base_url.rstrip('/')}/{remote}"
        print(f"downloading {url}", flush=True)
        try:
            with urllib.request.urlopen(url, timeout=60) as response, open(archive, "wb") as f:
                shutil.copyfileobj(response, f, length=1 << 20)
        except (urllib.error.URLError, OSError) as exc:
            archive.unlink(missing_ok=True)
            raise TinyMLError(f"Could not download {url} ({exc}). Building Visual Wake Words "
                              "needs the internet; offline, the notebook uses generated scenes "
                              "or your own images_dir.") from None
        with zipfile.ZipFile(archive) as z:
            z.extractall(root)
        archive.unlink()
    return root
