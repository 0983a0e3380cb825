"""IMU_Capture recordings: written as the board prints them, read strictly, errors that name
the file, the line and the fix."""

import numpy as np
import pytest

from tinyml_lab.chapters.gesture import data as imu
from tinyml_lab.chapters.gesture.data import RecordingFormatError
from tinyml_lab.core.errors import TinyMLError


def blocks(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, imu.SAMPLES_PER_GESTURE, imu.CHANNELS))
    x[..., 3:] *= 300
    return np.round(x, 3).astype(np.float32)


def csv_text(block_list, header=imu.HEADER_LINE, newline="\n"):
    body = "".join(imu.format_block(b) for b in block_list)
    return (header + "\n" + body).replace("\n", newline)


def test_format_sample_rounds_half_away_from_zero_like_the_sketch():
    assert imu.format_sample([0.0005, -0.0005, 1.2344, -1.2346, 0.0, -0.0001]) == \
        "0.001,-0.001,1.234,-1.235,0.000,0.000"
    assert imu.format_sample([2000, -2000, 4, -4, 12.5, float("nan")]) == \
        "2000.000,-2000.000,4.000,-4.000,12.500,nan"
    with pytest.raises(TinyMLError, match="6 values"):
        imu.format_sample([1, 2, 3])


def test_written_recordings_read_back_identically(tmp_path):
    data = blocks(3)
    path = imu.write_recordings(tmp_path / "punch.csv", data)
    text = path.read_text()
    assert text.startswith("aX,aY,aZ,gX,gY,gZ\n") and text.endswith("\n\n")
    assert text.count("\n\n") == 3
    assert np.array_equal(imu.read_recordings(path), data)


def test_append_adds_blocks_and_refuses_a_broken_file(tmp_path):
    path = imu.write_recordings(tmp_path / "flex.csv", blocks(2))
    imu.write_recordings(path, blocks(1, seed=1), append=True)
    got = imu.read_recordings(path)
    assert got.shape == (3, 119, 6)
    assert np.array_equal(got[2], blocks(1, seed=1)[0])
    path.write_text(path.read_text() + "1,2,3\n")
    with pytest.raises(RecordingFormatError, match=r"Not appending to flex\.csv: .*line 362: 3 values"):
        imu.write_recordings(path, blocks(1), append=True)


def test_windows_line_endings_bom_and_a_repeated_header_are_fine():
    text = csv_text(blocks(2), newline="\r\n")
    assert imu.parse_recordings("\ufeff" + text.replace("\ufeff", ""), "a.csv").shape[0] == 2
    twice = csv_text(blocks(1)) + csv_text(blocks(1, seed=3))
    read = imu.parse_recordings_file(twice, "b.csv")
    assert read.gestures.shape == (2, 119, 6) and read.dropped_rows == 0


def test_a_clean_file_says_how_it_was_read():
    read = imu.parse_recordings_file(csv_text(blocks(3)), "punch.csv")
    assert np.array_equal(read.gestures, blocks(3))
    assert read.summary == "punch.csv: 3 gestures of 119 rows between blank lines"
    assert read.rows == 357 and read.dropped_rows == 0 and read.notes == ()


def test_without_blank_lines_every_119_rows_are_a_gesture_as_the_tutorial_reads_them():
    text = csv_text(blocks(3)).replace("\n\n", "\n")
    read = imu.parse_recordings_file(text, "p.csv")
    assert np.array_equal(read.gestures, blocks(3))
    assert read.how == "split 357 rows every 119 into 3 gestures (no blank lines between gestures)"
    cut = "\n".join(text.split("\n")[:-2]) + "\n"  # the last gesture one row short
    read = imu.parse_recordings_file(cut, "p.csv")
    assert np.array_equal(read.gestures, blocks(3)[:2]) and read.dropped_rows == 118
    assert read.summary == ("p.csv: split 356 rows every 119 into 2 gestures (no blank lines "
                            "between gestures), dropped a last gesture of 118 rows")


def test_a_quoted_header_and_columns_in_another_order_are_read_by_name():
    data = blocks(2)
    quoted = csv_text(data, header='"aX","aY","aZ","gX","gY","gZ"')
    assert np.array_equal(imu.parse_recordings(quoted, "q.csv"), data)
    swapped = data[..., [3, 4, 5, 0, 1, 2]]
    text = csv_text(swapped, header="gX,gY,gZ,aX,aY,aZ")
    read = imu.parse_recordings_file(text, "s.csv")
    assert np.array_equal(read.gestures, data)
    assert "columns gX,gY,gZ,aX,aY,aZ read by name" in read.summary
    lines = csv_text(data).split("\n")
    with_time = "\n".join(["t,aX,aY,aZ,gX,gY,gZ"] + [f"{i},{line}" if line else line
                                                     for i, line in enumerate(lines[1:])])
    assert np.array_equal(imu.parse_recordings(with_time, "t.csv"), data)


@pytest.mark.parametrize("mutate, kept, note", [
    (lambda lines: lines[:50] + lines[51:], [1, 2], "dropped a gesture of 118 rows at line 2"),
    (lambda lines: lines[:-3], [0, 1], "dropped a last gesture of 118 rows at line 242"),
    (lambda lines: lines[:7] + ["0.1,0.2,0.3,nan,2,3"] + lines[8:], [1, 2],
     "line 8: gX is 'nan' (a failed IMU read): line dropped"),
    (lambda lines: lines[:5] + ["Failed to initialize IMU!"] + lines[5:], [0, 1, 2],
     "line 6: 1 values where the header has 6: line dropped"),
    (lambda lines: lines[:5] + ["0.1,0.2,x,1,2,3"] + lines[5:], [0, 1, 2],
     "line 6: aZ is 'x', not a number: line dropped"),
    (lambda lines: lines[:5] + ["0.1,0.2,0.3,1,2,3,4"] + lines[5:], [0, 1, 2],
     "line 6: 7 values where the header has 6"),
    (lambda lines: lines[:120] + lines[121:], [0, 1, 2],
     "line 2: 238 rows without a blank line, split into 2 gestures"),
    (lambda lines: lines[:30] + ["aX,aY,aZ,gX,gY,gZ"] + lines[30:], [1, 2],
     "dropped a gesture of 29 rows at line 2"),
])
def test_what_cannot_be_a_gesture_is_dropped_and_named(mutate, kept, note):
    lines = csv_text(blocks(3)).split("\n")
    read = imu.parse_recordings_file("\n".join(mutate(lines)), "punch.csv")
    assert np.array_equal(read.gestures, blocks(3)[kept])
    assert note in read.summary, read.summary
    assert read.rows - read.dropped_rows == 119 * len(kept)


@pytest.mark.parametrize("mutate, message", [
    (lambda lines: ["accel_x,accel_y,accel_z,gx,gy,gz"] + lines[1:],
     r"punch\.csv, line 1: the header is .*; aX, aY, aZ are missing"),
    (lambda lines: ["aX,aY,aZ,gX,gY"] + lines[1:], r"line 1: .*gZ is missing"),
    (lambda lines: lines[1:], r"line 1: .*Add the header"),
    (lambda lines: [lines[0].replace(",", ";")] + lines[1:], r"semicolons"),
    (lambda lines: lines[:30], r"no whole gesture: .*longest run here is 29 rows"),
])
def test_what_cannot_be_read_is_refused_naming_the_file_line_and_fix(mutate, message):
    lines = csv_text(blocks(2)).split("\n")
    with pytest.raises(RecordingFormatError, match=message):
        imu.parse_recordings("\n".join(mutate(lines)), "punch.csv")


def test_empty_and_headless_files_are_refused(tmp_path):
    with pytest.raises(RecordingFormatError, match="is empty"):
        imu.parse_recordings("\n\n", "x.csv")
    with pytest.raises(RecordingFormatError, match="no whole gesture"):
        imu.parse_recordings(imu.HEADER_LINE + "\n", "x.csv")
    with pytest.raises(RecordingFormatError, match="No recordings file"):
        imu.read_recordings(tmp_path / "missing.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(RecordingFormatError, match="not a text file"):
        imu.read_recordings(tmp_path / "bin.csv")


def make_class(root, people=("ann", "bob", "cy", "dee"), gestures=("punch", "flex"), n=2):
    for k, person in enumerate(people):
        for j, gesture in enumerate(gestures):
            imu.write_recordings(root / person / f"{gesture}.csv", blocks(n, seed=10 * k + j))


def test_a_class_folder_loads_with_people_and_labels_in_order(tmp_path):
    make_class(tmp_path)
    data = imu.load_recordings(tmp_path, labels=("punch", "flex"))
    assert data.x.shape == (16, 119, 6) and data.labels == ("punch", "flex")
    assert data.counts() == {"punch": 8, "flex": 8}
    assert data.person_names == ["ann", "bob", "cy", "dee"]
    first = data.x[(data.people == "bob") & (data.y == 1)]
    assert np.array_equal(first, blocks(2, seed=11))
    default = imu.load_recordings(tmp_path)
    assert default.labels == ("flex", "punch")  # alphabetical without labels


def test_one_persons_folder_loads_and_splits_by_repetition(tmp_path):
    for j, g in enumerate(("punch", "flex")):
        imu.write_recordings(tmp_path / f"{g}.csv", blocks(5, seed=j))
    data = imu.load_recordings(tmp_path)
    assert set(data.people) == {tmp_path.name}
    with pytest.raises(TinyMLError, match="needs at least 3 people"):
        imu.split_by_person(data, 1, 1)
    split = imu.split_recordings(data, seed=0)
    assert len(split.train) + len(split.val) + len(split.test) == 10
    assert "same people" in split.description


def test_split_by_person_keeps_people_apart(tmp_path):
    make_class(tmp_path, people=tuple(f"p{i}" for i in range(7)))
    data = imu.load_recordings(tmp_path)
    split = imu.split_by_person(data, test_people=2, val_people=1, seed=3)
    train, val, test = (set(s.people) for s in (split.train, split.val, split.test))
    assert len(test) == 2 and len(val) == 1 and len(train) == 4
    assert not (train & test) and not (train & val) and not (val & test)
    again = imu.split_by_person(data, test_people=2, val_people=1, seed=3)
    assert set(again.test.people) == test


def test_folder_problems_are_explained(tmp_path):
    with pytest.raises(RecordingFormatError, match="No recordings folder"):
        imu.load_recordings(tmp_path / "nope")
    with pytest.raises(RecordingFormatError, match="No <gesture>.csv files"):
        imu.load_recordings(tmp_path)
    make_class(tmp_path)
    with pytest.raises(RecordingFormatError, match="flex, which are not among the labels"):
        imu.load_recordings(tmp_path, labels=("punch",))
    with pytest.raises(RecordingFormatError, match="No recordings of wave"):
        imu.load_recordings(tmp_path, labels=("punch", "flex", "wave"))
    imu.write_recordings(tmp_path / "punch.csv", blocks(1))
    with pytest.raises(RecordingFormatError, match="both at its top level and in sub-folders"):
        imu.load_recordings(tmp_path)


def test_gesture_names_must_be_usable_labels(tmp_path):
    imu.write_recordings(tmp_path / "Punch 2.csv", blocks(1))
    with pytest.raises(TinyMLError, match="lower-case letters"):
        imu.load_recordings(tmp_path)
