"""How the person-detection sketch's model does on real photographs it never saw.

    python benchmarks/person_real_photos.py DIR [--sketch DIR] [--quiet]
    python benchmarks/person_real_photos.py --skimage   # needs `pip install scikit-image`

DIR holds person/ and no_person/ pictures (your own, or `python -m tinyml_lab vww`). With
--skimage it uses the real photographs that ship inside the scikit-image wheel (public-domain
sample pictures, not committed here): the astronaut and cameraman portraits and the 100 face
crops of its Labeled Faces in the Wild subset as person; the cat, coffee, rocket, motorcycle,
coins, bricks, grass, gravel, moon and other photos, and the 100 non-face crops of the same
subset, as no_person. Every picture goes through the sketch's camera path and the committed
model bytes in TFLM (tinyml_lab.predict); the script prints accuracy per group, the confusion,
each class's accuracy, the balanced accuracy (their mean) and the ROC AUC.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

import numpy as np

SKIMAGE_PERSON = ("astronaut.png", "camera.png")
SKIMAGE_NO_PERSON = ("chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png",
                     "coins.png", "brick.png", "grass.png", "gravel.png", "moon.png",
                     "clock_motion.png", "hubble_deep_field.jpg", "horse.png", "page.png")


def skimage_folder(out: Path) -> Path:
    """Write scikit-image's bundled real photos into out/person and out/no_person."""
    from PIL import Image

    spec = importlib.util.find_spec("skimage")
    if spec is None or spec.origin is None:
        sys.exit("scikit-image is not installed: pip install scikit-image (only this "
                 "benchmark needs it).")
    data = Path(spec.origin).parent / "data"
    for label, names in (("person", SKIMAGE_PERSON), ("no_person", SKIMAGE_NO_PERSON)):
        (out / label).mkdir(parents=True, exist_ok=True)
        for name in names:
            Image.open(data / name).save(out / label / f"photo_{Path(name).stem}.png")
    faces = np.load(data / "lfw_subset.npy")  # 100 faces, then 100 non-faces, 25x25 in [0, 1]
    for i, img in enumerate(faces):
        label = "person" if i < 100 else "no_person"
        Image.fromarray((img * 255).round().astype(np.uint8)).save(out / label / f"lfw_{i:03d}.png")
    return out


def score_folder(folder: Path, sketch: str | None, quiet: bool):
    """(truth index, P(person), group) of every picture, through the sketch's camera path."""
    from tinyml_lab.chapters.person_detection.data import LABELS, image_files
    from tinyml_lab.predict import predict

    files = image_files(folder)
    rows = []
    for truth, label in enumerate(LABELS):
        for path in files[label]:
            answer = predict("person_detection", path, sketch)
            rows.append((truth, answer.scores["person"], f"{label}/{path.stem.split('_')[0]}"))
            if not quiet and not path.stem.startswith("lfw"):
                print(f"{label:9s} {path.name:28s} -> {answer.label:9s} "
                      f"P(person) {answer.scores['person']:.2f}")
    return rows


def print_figures(rows) -> None:
    """Balanced accuracy (the mean of the two classes' accuracies: a set with more of one
    class cannot flatter a model that favours it), each class, the confusion and the AUC."""
    from tinyml_lab.chapters.person_detection.data import LABELS
    from tinyml_lab.core import metrics

    truth = np.array([r[0] for r in rows])
    score = np.array([r[1] for r in rows])
    said = (score > 0.5).astype(int)  # the sketch's rule: person when P(person) > 0.5
    groups: dict[str, list[bool]] = {}
    for (t, _, group), s in zip(rows, said):
        groups.setdefault(group, []).append(t == s)
    print()
    for group, right in sorted(groups.items()):
        print(f"{group:20s} {np.mean(right):.3f} of {len(right)}")
    counts = metrics.confusion_matrix(truth, said, len(LABELS))
    print("\ntruth / sketch says   " + "".join(f"{label:>11s}" for label in LABELS))
    for i, label in enumerate(LABELS):
        print(f"{label:22s}" + "".join(f"{n:11d}" for n in counts[i]))
    print()
    for label, recall in zip(LABELS, metrics.per_class_accuracy(counts)):
        print(f"accuracy on {label + ':':11s} {recall:.3f} of {int(np.sum(truth == LABELS.index(label)))}")
    print(f"accuracy:              {metrics.accuracy(truth, said):.3f} of {len(truth)}")
    print(f"balanced accuracy:     {metrics.balanced_accuracy(counts):.3f}")
    fpr, tpr, _ = metrics.roc_curve(truth, score)
    print(f"ROC AUC:               {metrics.auc(fpr, tpr):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", help="folder with person/ and no_person/")
    parser.add_argument("--skimage", action="store_true",
                        help="use the real photos inside the scikit-image package")
    parser.add_argument("--sketch", help="sketch folder (default: the committed one)")
    parser.add_argument("--quiet", action="store_true", help="only the figures, not each picture")
    args = parser.parse_args()
    if not args.folder and not args.skimage:
        parser.error("give a folder or --skimage")

    with tempfile.TemporaryDirectory() as tmp:
        folder = skimage_folder(Path(tmp)) if args.skimage else Path(args.folder)
        rows = score_folder(folder, args.sketch, args.quiet)
    print_figures(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
