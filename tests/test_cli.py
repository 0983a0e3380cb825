import json
import subprocess
import sys

import pytest

from tinyml_lab.cli import main
from tinyml_lab.tflite_file import read_model


def test_info_json_lists_ops_and_io(sine_file, capsys):
    assert main(["info", str(sine_file), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    model = read_model(sine_file)
    assert info["ops"] == ["FULLY_CONNECTED"] and info["size_bytes"] == model.size_bytes
    assert info["inputs"][0]["dtype"] == "int8"
    assert info["inputs"][0]["zero_point"] == model.input_tensors[0].zero_points[0]


def test_info_table(sine_file, capsys):
    assert main(["info", str(sine_file)]) == 0
    out = capsys.readouterr().out
    assert "FULLY_CONNECTED" in out and "full int8: yes" in out


def test_info_on_a_non_model_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello, not a model")
    assert main(["info", str(bad)]) == 2
    assert "not a TFLite flatbuffer" in capsys.readouterr().err


def test_export_measures_the_arena_and_writes_the_sketch(sine_file, tmp_path, capsys):
    assert main(["export", str(sine_file), "--sketch", str(tmp_path / "sk")]) == 0
    out = capsys.readouterr().out
    assert "arena measured in TFLM" in out
    settings = (tmp_path / "sk" / "model_settings.h").read_text()
    assert "kTensorArenaSize" in settings


def test_export_of_a_float_model_fails_cleanly(tmp_path, sine_float, capsys):
    path = tmp_path / "f.tflite"
    path.write_bytes(sine_float)
    assert main(["export", str(path), "--sketch", str(tmp_path / "sk")]) == 2
    assert "not fully int8" in capsys.readouterr().err
    assert not (tmp_path / "sk").exists()


def test_module_entry_point_runs():
    done = subprocess.run([sys.executable, "-m", "tinyml_lab", "boards"], capture_output=True,
                          text=True)
    assert done.returncode == 0 and "nano33ble" in done.stdout


def test_unknown_notebook_filter_is_refused(capsys):
    assert main(["course", "--quick", "--only", "no_such_chapter", "--out", "unused"]) == 2
    assert "No notebook matches" in capsys.readouterr().err


def test_usage_errors_exit_nonzero():
    with pytest.raises(SystemExit):
        main(["info"])
