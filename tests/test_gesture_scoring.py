"""labelled_files and score_files (behind benchmarks/gesture_recordings.py and
gesture_seed_spread.py): who recorded each file, and what a classifier made of its gestures."""

import numpy as np

from tinyml_lab.chapters.gesture.data import write_recordings
from tinyml_lab.chapters.gesture.predict import labelled_files, score_files

LABELS = ("punch", "flex", "wave", "circle")


def _still(n):
    """n gestures of a board lying flat: gravity on +z, nothing turning."""
    windows = np.zeros((n, 119, 6), np.float32)
    windows[..., 2] = 1.0
    return windows


def test_people_are_the_first_folder_level_and_every_file_is_accounted_for(tmp_path):
    class_folder, alone = tmp_path / "class", tmp_path / "carol"
    write_recordings(class_folder / "alice" / "punch.csv", _still(2))
    write_recordings(class_folder / "alice" / "flex.csv", _still(3))
    write_recordings(class_folder / "bob" / "session1" / "punch.csv", _still(1))
    write_recordings(class_folder / "bob" / "jump.csv", _still(2))
    (class_folder / "bob" / "broken.csv").write_text("not,a,recording\n")
    write_recordings(alone / "flex.csv", _still(1))

    files = labelled_files([class_folder, alone])
    assert [(person, path.relative_to(tmp_path).as_posix()) for person, path in files] == [
        ("alice", "class/alice/flex.csv"), ("alice", "class/alice/punch.csv"),
        ("bob", "class/bob/broken.csv"), ("bob", "class/bob/jump.csv"),
        ("bob", "class/bob/session1/punch.csv"), ("carol", "carol/flex.csv")]

    asked = []

    def always_punch(windows):
        asked.append(len(windows))
        return ["punch"] * len(windows)

    rows, people, true, said = score_files(files, always_punch, LABELS)
    assert asked == [3, 2, 2, 1, 1]  # every file read, the broken one excepted
    by_file = {(r[0], r[1]): r for r in rows}
    assert by_file[("alice", "flex.csv")][2:4] == [3, "0.00"]
    assert by_file[("alice", "punch.csv")][2:4] == [2, "1.00"]
    assert by_file[("bob", "jump.csv")][2:4] == [2, "-"]  # a gesture the model does not know
    assert by_file[("bob", "broken.csv")][4].startswith("not read: ")
    assert people.tolist() == ["alice"] * 5 + ["bob", "carol"]
    assert true.tolist() == ["flex"] * 3 + ["punch"] * 3 + ["flex"]
    assert said.tolist() == ["punch"] * 7
