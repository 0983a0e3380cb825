"""How the deployed gesture sketch does on recordings whose gesture is known: every
<gesture>.csv under the given folders goes through `predict gesture` (the sketch's
normalisation, its deployed int8 model in TFLM), and each file's gestures are scored against
its name. For real recordings from your class, or any IMU_Capture files.

Usage: python benchmarks/gesture_recordings.py FOLDER [FOLDER ...] [--sketch DIR]
A file named after a gesture the model does not know is listed but not scored.
"""

import argparse
from collections import Counter
from pathlib import Path

from tinyml_lab.chapters.gesture.data import RecordingFormatError, read_recordings
from tinyml_lab.chapters.gesture.predict import predict_windows
from tinyml_lab.core.deployed import default_sketch, load_deployed
from tinyml_lab.core.report import format_table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--sketch", default=str(default_sketch("gesture")))
    args = parser.parse_args()
    labels = load_deployed(args.sketch).labels
    rows, right, scored = [], 0, 0
    for folder in args.folders:
        for path in sorted(Path(folder).rglob("*.csv")):
            try:
                windows = read_recordings(path)
            except RecordingFormatError as exc:
                rows.append([str(path), "-", "-", f"not read: {str(exc)[:60]}"])
                continue
            answers = [p.label for p in predict_windows(windows, args.sketch)]
            said = ", ".join(f"{k} {v}" for k, v in Counter(answers).most_common())
            if path.stem in labels:
                hits = sum(a == path.stem for a in answers)
                right, scored = right + hits, scored + len(answers)
                rows.append([str(path), len(answers), f"{hits / len(answers):.2f}", said])
            else:
                rows.append([str(path), len(answers), "-", said])
    print(format_table(["file", "gestures", "accuracy", "the sketch said"], rows))
    if scored:
        print(f"\noverall: {right}/{scored} = {right / scored:.3f}")


if __name__ == "__main__":
    main()
