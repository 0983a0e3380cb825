import json
import subprocess
import sys

import pytest

from tinyml_lab.cli import main
from tinyml_lab.core.tflite_file import read_model


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


def test_export_computes_the_arena_and_writes_the_sketch(sine_file, tmp_path, capsys):
    from tinyml_lab.core.arena import sketch_arena_bytes

    # --estimate-cost: this test is about the arena; the measured cost is the board tests'
    # (measuring here would wait minutes for the board library the session is still building)
    assert main(["export", str(sine_file), "--sketch", str(tmp_path / "sk"),
                 "--estimate-cost"]) == 0
    expected = sketch_arena_bytes(sine_file)
    assert f"kTensorArenaSize {expected:,} B (computed" in capsys.readouterr().out
    settings = (tmp_path / "sk" / "model_settings.h").read_text()
    assert f"kTensorArenaSize = {expected};" in settings


def test_arena_json_has_the_documented_keys(sine_file, capsys):
    assert main(["arena", str(sine_file), "--json", "--target", "python"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("used_bytes", "head_bytes", "tail_bytes", "min_arena_bytes"):
        assert isinstance(result[key], int)
    assert result["used_bytes"] == result["head_bytes"] + result["tail_bytes"]


def test_arena_measure_prints_both_columns(sine_file, capsys):
    assert main(["arena", str(sine_file), "--target", "python", "--measure"]) == 0
    out = capsys.readouterr().out
    assert "measured (host TFLM)" in out and "memory peaks at" in out
    used = [line for line in out.splitlines() if line.startswith("used (head + tail)")][0]
    est, real = used.split()[-2:]
    assert est == real


def test_arena_on_a_truncated_file_is_a_clear_error(sine_file, tmp_path, capsys):
    cut = tmp_path / "cut.tflite"
    cut.write_bytes(sine_file.read_bytes()[:500])
    assert main(["arena", str(cut)]) == 2
    assert "truncated or corrupt" in capsys.readouterr().err


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
