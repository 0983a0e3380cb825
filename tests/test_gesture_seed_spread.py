"""benchmarks/gesture_seed_spread.py end to end on a tiny run: simulated people to train on,
two simulated people standing in for the real recordings, one seed, two epochs."""

import subprocess
import sys

from tinyml_lab.chapters.gesture.synthetic import write_synthetic_recordings
from tinyml_lab.core.paths import REPO_ROOT


def test_the_benchmark_prints_a_line_per_seed_and_the_spread_per_person(tmp_path):
    write_synthetic_recordings(tmp_path / "real", 2, 1, seed=7, gestures=("punch", "flex"))
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "gesture_seed_spread.py"),
         str(tmp_path / "real"), "--seeds", "3", "--people", "21", "--repetitions", "1",
         "--epochs", "2"], capture_output=True, text=True, check=True)
    out = done.stdout
    assert "1 train, 8 validation, 12 test people" in out
    assert out.count("seed 3: 2 epochs in ") == 1
    table = out.split("\n\n")[-1].splitlines()
    assert table[0].split() == ["accuracy", "(int8,", "TFLM)", "seed", "3", "min", "mean", "max"]
    names = [line.split()[0] for line in table[4:]]
    assert table[2].startswith("simulated test people") and table[3].startswith("real: mean")
    assert names == ["person_000", "person_001"]
