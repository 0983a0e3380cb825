"""IMU values no sensor can measure (1e39 is finite in Python, and flips the model's answer)
are refused with the file, the line and the fix, in files and in arrays."""

import numpy as np
import pytest

from tinyml_lab.chapters.gesture import data as imu
from tinyml_lab.chapters.gesture.data import RecordingFormatError
from tinyml_lab.chapters.gesture.predict import check_windows, predict_windows
from tinyml_lab.cli import main
from tinyml_lab.core.errors import TinyMLError


def _lines(value: str, column: int = 0) -> list[str]:
    sample = ["0.100", "-0.200", "0.980", "12.000", "-3.000", "0.500"]
    lines = [imu.HEADER_LINE] + [",".join(sample)] * imu.SAMPLES_PER_GESTURE
    broken = list(sample)
    broken[column] = value
    lines[40] = ",".join(broken)
    return lines


@pytest.mark.parametrize("value, column, message", [
    ("1e39", 0, r"punch\.csv, line 41: aX is 1e\+39 g, beyond the \+-24 g"),
    ("-25", 2, r"line 41: aZ is -25 g"),
    ("2500", 4, r"line 41: gY is 2500 deg/s, beyond the \+-2294 deg/s"),
    ("1e308", 5, r"line 41: gZ is 1e\+308 deg/s"),
])
def test_values_beyond_any_imu_are_refused_with_file_line_and_fix(value, column, message):
    with pytest.raises(RecordingFormatError, match=message + ".*record it again"):
        imu.parse_recordings("\n".join(_lines(value, column)) + "\n", "punch.csv")


def test_strong_but_real_motion_is_read():
    """16 g (the BMI270's widest range) and 2000 deg/s are measurable."""
    windows = imu.parse_recordings("\n".join(_lines("16.000", 1)) + "\n", "punch.csv")
    assert windows[0, 39, 1] == np.float32(16.0)


def test_the_command_line_says_it_in_one_line(tmp_path, capsys):
    path = tmp_path / "punch.csv"
    path.write_text("\n".join(_lines("1e39")) + "\n")
    assert main(["predict", "gesture", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: punch.csv, line 41: aX") and len(err.splitlines()) == 1


def test_arrays_are_checked_too():
    window = np.zeros((2, imu.SAMPLES_PER_GESTURE, imu.CHANNELS))
    window[1, 7, 3] = 1e39
    with pytest.raises(RecordingFormatError, match="gesture 1, sample 7: gX is 1e\\+39"):
        predict_windows(window)
    window[1, 7, 3] = np.nan
    with pytest.raises(RecordingFormatError, match="gesture 1, sample 7: gX is nan"):
        check_windows(window)
    with pytest.raises(TinyMLError, match=r"shape \(n, 119, 6\).*got \(119, 6\)"):
        check_windows(window[0])
    with pytest.raises(TypeError, match="array of numbers"):
        check_windows("punch")
