"""Visual wake words data: is there a person in this 96x96 grayscale picture?

Three sources, and the loaders say which one they used (never a silent fallback):
- generated: scenes drawn by tinyml_lab.chapters.person_detection.scenes, deterministic by seed, offline;
- a folder of your own pictures with person/ and no_person/ subfolders (PNG, JPEG, BMP...);
- Visual Wake Words built from COCO when online (tinyml_lab.chapters.person_detection.coco), which writes
  exactly such a folder.
Folder pictures go through the sketch's own camera path (tinyml_lab.chapters.person_detection.camera: what
the OV7675 would deliver pointing at the picture, then crop, resize and grayscale), so the
model trains on what the board will see.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import TinyMLError

LABELS = ("no_person", "person")
SIZE = 96
SOURCE = ("generated: 96x96 grayscale scenes (indoor, outdoor, textures) with articulated, "
          "dressed people at every distance, or with confusers (poles, coats, chairs, plants, "
          "animals, lamps, clocks), uneven light, blur and sensor noise; deterministic by seed")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


@dataclass(frozen=True)
class Split:
    x: np.ndarray  # (n, 96, 96, 1) float32 in [0, 1]: gray / 255
    y: np.ndarray  # (n,) int32 index into LABELS (1 = person)

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class VisionData:
    train: Split
    val: Split
    test: Split
    source: str
    labels: tuple[str, ...] = LABELS


def generated_data(train: int, val: int, test: int, seed: int = 0,
                   progress: bool = False) -> VisionData:
    """Generated scenes; the three splits use different seeds, so no picture repeats."""
    from tinyml_lab.chapters.person_detection.scenes import make_scenes

    splits = []
    for name, count, offset in (("train", train, 0), ("val", val, 1), ("test", test, 2)):
        bar = _progress(f"drawing {name} scenes") if progress else None
        splits.append(Split(*make_scenes(count, seed * 3 + offset + 1000, progress=bar)))
    return VisionData(*splits, source=SOURCE)


def image_files(root: str | Path) -> dict[str, list[Path]]:
    """The pictures under root/person and root/no_person, sorted; clear errors otherwise."""
    root = Path(root)
    if not root.is_dir():
        raise TinyMLError(f"{root} is not a folder. A person-detection folder has two "
                          "subfolders, person/ and no_person/, of PNG/JPEG/BMP pictures.")
    files = {}
    for label in LABELS:
        sub = root / label
        if not sub.is_dir():
            raise TinyMLError(f"{root} has no {label}/ subfolder: put pictures with a person "
                              "in person/ and pictures without one in no_person/.")
        files[label] = sorted(p for p in sub.rglob("*")
                              if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if not files[label]:
            raise TinyMLError(f"{sub} has no pictures ({', '.join(IMAGE_SUFFIXES)}).")
    return files


def load_image_96(path: str | Path) -> np.ndarray:
    """One picture as the sketch sees it: uint8 (96, 96) gray, via the camera path."""
    from tinyml_lab.chapters.person_detection.camera import gray96, image_to_frame, read_image

    return gray96(image_to_frame(read_image(path)))


def folder_data(root: str | Path, val_fraction: float = 0.15, test_fraction: float = 0.15,
                seed: int = 0, progress: bool = False) -> VisionData:
    """Your own pictures, split at random (seeded) into train / val / test."""
    files = image_files(root)
    paths = [(p, i) for i, label in enumerate(LABELS) for p in files[label]]
    bar = _progress(f"reading {root}") if progress else None
    x = np.empty((len(paths), SIZE, SIZE, 1), np.float32)
    for k, (path, _) in enumerate(paths):
        x[k, :, :, 0] = load_image_96(path) / np.float32(255)
        if bar:
            bar(k + 1, len(paths))
    y = np.array([i for _, i in paths], np.int32)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test, n_val = int(round(test_fraction * len(y))), int(round(val_fraction * len(y)))
    if len(y) - n_test - n_val < 2 or min(n_test, n_val) < 1:
        raise TinyMLError(f"{root} has {len(y)} pictures: too few to split into train, "
                          "validation and test sets (collect at least a few dozen per class).")
    test, val, train = np.split(order, [n_test, n_test + n_val])
    counts = ", ".join(f"{len(files[label])} {label}" for label in LABELS)
    return VisionData(Split(x[train], y[train]), Split(x[val], y[val]), Split(x[test], y[test]),
                      source=f"your pictures in {root} ({counts})")


def _progress(what: str):
    """A text progress callback (n, total): one line at each tenth of the way."""
    shown = [-1]

    def show(n, total):
        tenth = 10 * n // max(total, 1)
        if tenth > shown[0]:
            shown[0] = tenth
            print(f"{what}: {n}/{total}", flush=True)
    return show


def plot_samples(split: Split, labels=LABELS, rows: int = 3, cols: int = 8, seed: int = 0,
                 scores=None):
    """A grid of pictures with their labels (and, given scores, the model's P(person))."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    picks = rng.choice(len(split), size=min(rows * cols, len(split)), replace=False)
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.8 * rows))
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, i in zip(np.ravel(axes), picks):
        ax.imshow(split.x[i, :, :, 0], cmap="gray", vmin=0, vmax=1)
        title = labels[split.y[i]]
        if scores is not None:
            title += f"\nP(person) {scores[i]:.2f}"
        ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig
