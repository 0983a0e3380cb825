"""How the deployed gesture sketch does on recordings whose gesture is known, person by person.

Every <gesture>.csv under the given folders goes through `predict gesture` (the sketch's
normalisation, its deployed int8 model in TFLM) and is scored against its name. A folder's
sub-folders are people (a class: alice/punch.csv, bob/punch.csv; or one repository of
recordings each); a folder holding the files itself is one person. The figure that says what
the next person can expect is the mean of the per-person accuracies: pooling every gesture
would favour whoever recorded the most.

Usage: python benchmarks/gesture_recordings.py FOLDER [FOLDER ...] [--sketch DIR]
Prints what the reader did with each file, per-file and per-person accuracy, the mean per
person (overall and per gesture) and the confusion matrix. A file named after a gesture the
model does not know is listed but not scored; a file the reader refuses is listed with why.
"""

import argparse

import numpy as np

from tinyml_lab.chapters.gesture.predict import labelled_files, predict_windows, score_files
from tinyml_lab.core import metrics
from tinyml_lab.core.deployed import default_sketch, load_deployed
from tinyml_lab.core.report import format_table


def report(rows, people, true, said, labels) -> str:
    """The tables: files, people (accuracy per gesture and in all), means, confusion."""
    out = [format_table(["person", "file", "gestures", "accuracy", "the sketch said  [read]"],
                        rows)]
    if not len(true):
        return out[0] + "\nno gestures with a known label were scored"
    gestures = [g for g in labels if g in set(true)]
    index = {g: i for i, g in enumerate(labels)}
    t, p = np.array([index[g] for g in true]), np.array([index[g] for g in said])
    by_person = metrics.accuracy_by_group(t, p, people)
    table, per_gesture = [], {g: [] for g in gestures}
    for person, acc in by_person.items():
        cells = []
        for g in gestures:
            mine = (people == person) & (true == g)
            if mine.any():
                per_gesture[g].append(float(np.mean(said[mine] == g)))
                cells.append(f"{per_gesture[g][-1]:.2f}")
            else:
                cells.append("-")
        table.append([person, *cells, int(np.sum(people == person)), f"{acc:.2f}"])
    out.append(format_table(["person", *gestures, "gestures", "accuracy"], table))
    mean = float(np.mean(list(by_person.values())))
    out.append(f"mean per person: {mean:.3f} over {len(by_person)} people; "
               + ", ".join(f"{g} {np.mean(v):.3f}" for g, v in per_gesture.items())
               + f"; pooled {np.mean(true == said):.3f} ({int(np.sum(true == said))}/"
               f"{len(true)})")
    counts = metrics.confusion_matrix(t, p, len(labels))
    out.append("confusion (rows: what was done, columns: what the sketch said)\n" + format_table(
        ["done \\ said", *labels], [[g, *counts[index[g]].tolist()] for g in gestures]))
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--sketch", default=str(default_sketch("gesture")))
    args = parser.parse_args()
    labels = load_deployed(args.sketch).labels

    def classify(windows):
        return [p.label for p in predict_windows(windows, args.sketch)]

    print(report(*score_files(labelled_files(args.folders), classify, labels), labels))


if __name__ == "__main__":
    main()
