"""How much the gesture chapter's model owes to its training seed, on real people.

    python benchmarks/gesture_seed_spread.py FOLDER [FOLDER ...] [--seeds 0 1 2] [--data-seed 0]
        [--people 80] [--repetitions 10] [--epochs 60]

Simulates the people notebook 04 trains on in full mode (80 of them, 10 repetitions of each
gesture, split by person into 12 for testing, 8 for validation and the rest for training, all
by the data seed), then, for every training seed, trains the chapter's model with the
notebook's own recipe (tinyml_lab.chapters.gesture.training), converts it to int8 and scores
it in TFLM: on the simulated test people, and on the real recordings in FOLDER, one sub-folder
per person with punch.csv, flex.csv, ..., read and scored file by file as
benchmarks/gesture_recordings.py scores the sketch. Data seed 0 with training seed 0 is the
notebook's own full run, the one that made the committed sketch's model.

Prints a line per seed as it goes, then a table: per seed, the simulated test accuracy, the
mean over people of the per-person accuracy on the real recordings (what the next person can
expect) and each person's accuracy; per row, the spread over seeds (min, mean, max).
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

from tinyml_lab.chapters.gesture import synthetic
from tinyml_lab.chapters.gesture.data import load_recordings, split_by_person
from tinyml_lab.chapters.gesture.features import normalize
from tinyml_lab.chapters.gesture.predict import check_windows, labelled_files, score_files
from tinyml_lab.chapters.gesture.training import train_gesture_model
from tinyml_lab.core import convert, metrics, tflm
from tinyml_lab.core.report import format_table
from tinyml_lab.core.tflite_file import read_model

TEST_PEOPLE, VAL_PEOPLE = 12, 8  # notebook 04's split of simulated people


def simulated_split(people: int, repetitions: int, data_seed: int):
    """The notebook's simulated people, split by person; the recordings are written to a
    temporary folder, read back as the notebook reads them, and removed."""
    with tempfile.TemporaryDirectory(prefix="gesture_seed_spread_") as root:
        generated = synthetic.write_synthetic_recordings(root, people, repetitions,
                                                         seed=data_seed)
        data = load_recordings(generated.root, labels=synthetic.GESTURES,
                               source=synthetic.SOURCE)
    return split_by_person(data, TEST_PEOPLE, VAL_PEOPLE, seed=data_seed)


def classifier(int8_model, labels):
    """Raw windows -> label names, as the sketch answers: its normalisation, int8 in TFLM."""
    micro = tflm.MicroInterpreter(int8_model)

    def classify(windows):
        scores = micro.predict(normalize(check_windows(windows)))
        return [labels[i] for i in scores.argmax(axis=1)]

    return classify


def score_seed(split, files, epochs: int, seed: int) -> dict:
    """Train on one seed, convert to int8; its accuracies on simulated and real people."""
    x_train, x_val, x_test = (normalize(s.x) for s in (split.train, split.val, split.test))
    history = train_gesture_model(x_train, split.train.y, x_val, split.val.y, epochs,
                                  seed=seed, classes=len(split.train.labels))
    int8_model = read_model(convert.to_int8(history.model, x_train))
    labels = split.train.labels
    classify = classifier(int8_model, labels)
    simulated = metrics.accuracy([labels[i] for i in split.test.y], classify(split.test.x))
    rows, people, true, said = score_files(files, classify, labels)
    return {"validation": history.history["val_accuracy"][-1], "simulated": simulated,
            "people": metrics.accuracy_by_group(true, said, people), "rows": rows}


def spread_table(results: dict[int, dict]) -> str:
    """Rows: simulated test, real mean per person, each person; columns: seeds, then the
    spread over them."""
    seeds = list(results)
    people = sorted({p for r in results.values() for p in r["people"]})
    lines = [("simulated test people", [results[s]["simulated"] for s in seeds]),
             ("real: mean per person", [float(np.mean(list(results[s]["people"].values())))
                                        for s in seeds])]
    lines += [(f"  {p}", [results[s]["people"].get(p, np.nan) for s in seeds]) for p in people]
    return format_table(
        ["accuracy (int8, TFLM)", *(f"seed {s}" for s in seeds), "min", "mean", "max"],
        [[name, *(f"{v:.3f}" for v in values),
          *(f"{f(values):.3f}" for f in (np.nanmin, np.nanmean, np.nanmax))]
         for name, values in lines])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", help="real recordings, one sub-folder per person")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="training seeds (default: 0 1 2)")
    parser.add_argument("--data-seed", type=int, default=0,
                        help="seed of the simulated people and their split (default: 0)")
    parser.add_argument("--people", type=int, default=80,
                        help="simulated people (default: 80, the notebook's full mode)")
    parser.add_argument("--repetitions", type=int, default=10,
                        help="repetitions of each gesture per simulated person (default: 10)")
    parser.add_argument("--epochs", type=int, default=60, help="default: 60, as full mode")
    args = parser.parse_args(argv)

    files = labelled_files(args.folders)
    if not any(path.stem in synthetic.GESTURES for _, path in files):
        parser.error(f"no recordings named after a gesture ({', '.join(synthetic.GESTURES)}) "
                     f"under {', '.join(args.folders)}")
    print(f"simulating {args.people} people x {args.repetitions} repetitions of each gesture "
          f"(data seed {args.data_seed})", flush=True)
    split = simulated_split(args.people, args.repetitions, args.data_seed)
    print(split.description, flush=True)
    results = {}
    for seed in args.seeds:
        started = time.perf_counter()
        result = results[seed] = score_seed(split, files, args.epochs, seed)
        print(f"seed {seed}: {args.epochs} epochs in {time.perf_counter() - started:.0f} s; "
              f"validation {result['validation']:.3f}, simulated test "
              f"{result['simulated']:.3f}, real mean per person "
              f"{np.mean(list(result['people'].values())):.3f}", flush=True)
    for person, name, _, accuracy, said in results[args.seeds[0]]["rows"]:
        if accuracy == "-":
            why = said if said.startswith("not read") else "not a gesture the model knows"
            print(f"not scored: {person}/{name}: {why}")
    print()
    print(spread_table(results))


if __name__ == "__main__":
    main()
