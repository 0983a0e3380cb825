"""How the wake_word sketch's model does on real recordings it never heard.

    python benchmarks/wake_word_real.py DIR [--sketch DIR] [--misses] [--stream]

DIR holds one subfolder per label (yes/, no/, unknown/, silence/) of WAV files, e.g. Speech
Commands clips of speakers outside its train partition, or your class's recordings. Every file
goes through the sketch's frontend and the model bytes of its model_data.cc in TFLM, exactly
as `python -m tinyml_lab predict wake_word FILE.wav` answers it
(tinyml_lab.chapters.wake_word.predict.evaluate_folder). Prints per-class accuracy, balanced
accuracy (the mean over classes, so a rare class counts as much as a common one) and the
confusion matrix; --misses lists every file the model got wrong. --stream also plays every
file once, end to end, over a real room 50 dB below full scale, with the model run at the
sketch's own cadence and the command detector on its scores
(tinyml_lab.chapters.wake_word.predict.stream_folder): hits, misses, wrong words and false
alarms per hour.
"""

from __future__ import annotations

import argparse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="folder with <label>/*.wav")
    parser.add_argument("--sketch", help="sketch folder (default: the committed one)")
    parser.add_argument("--misses", action="store_true", help="list every file missed")
    parser.add_argument("--stream", action="store_true",
                        help="also score the files as one stream, as the board hears it")
    args = parser.parse_args()

    from tinyml_lab.chapters.wake_word.predict import evaluate_folder
    from tinyml_lab.core.report import format_table

    result = evaluate_folder(args.folder, args.sketch)
    labels = result.labels
    print(f"{len(result.files)} recordings from {args.folder}\n")
    print(format_table(["class", "clips", "accuracy"], [
        [name, int(result.counts[labels.index(name)].sum()), f"{a:.3f}"]
        for name, a in result.per_class.items()]))
    print(f"\nbalanced accuracy: {result.balanced:.3f}")
    print(f"lowest class: {min(result.per_class.values()):.3f}")
    print("\nconfusion (rows: what was said; columns: what the model answered)")
    print(format_table(["said \\ answered", *labels], [
        [name, *(int(c) for c in result.counts[i])] for i, name in enumerate(labels)
        if result.counts[i].sum()]))
    if args.misses:
        print("\nmissed:")
        for path, truth, answer, scores in result.misses():
            shown = " ".join(f"{n} {s:.2f}" for n, s in zip(labels, scores))
            print(f"  {truth}/{path.name}: {answer}  ({shown})")
    if args.stream:
        from tinyml_lab.chapters.wake_word.predict import stream_folder

        played = stream_folder(args.folder, args.sketch)
        s = played.score
        print(f"\nstream of {played.seconds / 60:.1f} min over a real room at -50 dBFS, model "
              f"every {played.every} rows ({played.every * 20} ms):")
        print(f"{s.events} keywords said, {s.hits} detected ({s.hit_rate:.0%}), {s.misses} "
              f"missed, {s.wrong} wrong word; {s.false_alarms} false alarm"
              f"{'' if s.false_alarms == 1 else 's'} "
              f"= {played.false_alarms_per_hour:.0f} per hour")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
