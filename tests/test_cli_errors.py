"""The command line's expected failures are one line on stderr and exit status 2; output
into a closed pipe is no error; only bugs give a traceback."""

import errno
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, committed_model
from tinyml_lab import cli
from tinyml_lab.cli import main
from tinyml_lab.core import export, file_set

LABELS = "punch,flex,wave,circle"


@pytest.fixture()
def gesture_file(tmp_path):
    path = tmp_path / "gesture.tflite"
    path.write_bytes(committed_model("gesture").data)
    return path


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_a_sketch_that_is_a_file(tmp_path, gesture_file, capsys):
    target = tmp_path / "not_a_folder.ino"
    target.write_text("x")
    assert main(["export", str(gesture_file), "--sketch", str(target)]) == 2
    assert "is a file, not a sketch folder" in _one_error_line(capsys)
    assert main(["predict", "gesture", str(_recording(tmp_path)), "--sketch", str(target)]) == 2
    assert "is a file" in _one_error_line(capsys)


def _recording(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("aX,aY,aZ,gX,gY,gZ\n" + "0.1,0.2,1.0,3.0,4.0,5.0\n" * 119)
    return path


def test_course_out_that_is_a_file(tmp_path, capsys):
    out = tmp_path / "build"
    out.write_text("x")
    assert main(["course", "--out", str(out), "--only", "00_setup"]) == 2
    assert "is a file" in _one_error_line(capsys)


@pytest.mark.parametrize("code, strerror, fix", [
    (errno.EACCES, "Permission denied", "permissions"),
    (errno.EROFS, "Read-only file system", "read-only"),
    (errno.ENOSPC, "No space left on device", "disk is full"),
])
def test_os_errors_while_writing_are_one_line_with_the_fix(tmp_path, gesture_file, capsys,
                                                          monkeypatch, code, strerror, fix):
    def refuse(folder, files):
        raise OSError(code, strerror, str(folder / "model_data.h"))

    monkeypatch.setattr(file_set, "replace_files", refuse)
    assert main(["export", str(gesture_file), "--sketch", str(tmp_path / "s"),
                 "--estimate-cost"]) == 2
    line = _one_error_line(capsys)
    assert strerror in line and "model_data.h" in line and fix in line


def test_a_real_os_error_while_writing(tmp_path, gesture_file, capsys):
    """Not simulated, and real for root too (CI runs as root, who may write anywhere): the
    sketch folder's parent is a file."""
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where a folder should be")
    assert main(["export", str(gesture_file), "--sketch", str(blocker / "s"),
                 "--estimate-cost"]) == 2
    line = _one_error_line(capsys)
    assert "not_a_folder" in line and "Traceback" not in line


def test_a_damaged_model_data_cc(tmp_path, capsys):
    sketch = export.sketch_copy("gesture", tmp_path)
    export.export_to_sketch(committed_model("gesture"), sketch, None, "t", LABELS.split(","))
    recording = _recording(tmp_path)
    data = sketch / "model_data.cc"
    text = data.read_text()
    data.write_text(text.replace("0x", "0y", 1))
    assert main(["predict", "gesture", str(recording), "--sketch", str(sketch)]) == 2
    assert "not a byte" in _one_error_line(capsys)
    data.write_text(text[:len(text) // 2])
    assert main(["predict", "gesture", str(recording), "--sketch", str(sketch)]) == 2
    assert "No C byte array" in _one_error_line(capsys)
    data.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["predict", "gesture", str(recording), "--sketch", str(sketch)]) == 2
    assert "not a text file" in _one_error_line(capsys)
    first = text.index("0x", text.index("{"))
    data.write_text(text[:first] + ("0x00" if text[first:first + 4] != "0x00" else "0x01")
                    + text[first + 4:])
    assert main(["predict", "gesture", str(recording), "--sketch", str(sketch)]) == 2
    assert "the array was edited" in _one_error_line(capsys)


def test_bad_coco_json(tmp_path, capsys):
    (tmp_path / "annotations").mkdir()
    bad = tmp_path / "annotations" / "instances_val2017.json"
    for text in ("{not json", json.dumps([1, 2]), json.dumps({"categories": "person"})):
        bad.write_text(text)
        assert main(["vww", "--coco", str(tmp_path), "--out", str(tmp_path / "vww")]) == 2
        assert "COCO" in _one_error_line(capsys)


def test_info_into_a_closed_pipe_is_quiet(gesture_file):
    """`info MODEL | head -1`: the reader goes away; no BrokenPipeError traceback."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "tinyml_lab", "info", str(gesture_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # before it writes a line
    err = proc.stderr.read().decode()
    assert proc.wait() == cli.EXIT_BROKEN_PIPE
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_a_multi_line_message_becomes_one_line(capsys, monkeypatch):
    from tinyml_lab.core.errors import TinyMLError

    def fail(args):
        raise TinyMLError("first line\nsecond line\n\n  third")

    monkeypatch.setattr(cli, "_cmd_boards", fail)
    assert main(["boards"]) == 2
    assert _one_error_line(capsys) == "error: first line second line third"


def test_a_bug_still_gives_a_traceback(monkeypatch):
    monkeypatch.setattr(cli, "_cmd_boards", lambda args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        main(["boards"])


def test_ctrl_c_exits_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_boards", interrupted)
    assert main(["boards"]) == cli.EXIT_INTERRUPTED
    assert _one_error_line(capsys) == "error: interrupted"
