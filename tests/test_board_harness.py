"""The board harness itself: it finds its inputs or says what to install, it builds once,
and its instruction count is exact on loops of known length."""

import re

import pytest

from tinyml_lab.core.board import inputs as board_inputs_module
from tinyml_lab.core.board.inputs import APT_PACKAGES, find_inputs
from tests.board_support import SKETCHES, board_inputs, board_runner  # noqa: F401


def test_missing_inputs_are_named_with_how_to_install_them(tmp_path, monkeypatch):
    monkeypatch.setenv("ARDUINO_DIRECTORIES_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("ARDUINO_DIRECTORIES_USER", str(tmp_path / "user"))
    monkeypatch.setattr(board_inputs_module.shutil, "which", lambda name: None)
    line = find_inputs()
    assert isinstance(line, str) and "\n" not in line
    assert " ".join(APT_PACKAGES) in line
    assert "arduino-cli core install arduino:mbed_nano@4.0.10" in line
    assert "arduino-cli lib install Chirale_TensorFLowLite@2.0.0" in line


def test_the_pinned_versions_are_the_sketches_profiles():
    for yaml in SKETCHES.glob("*/sketch.yaml"):
        text = yaml.read_text()
        pins = dict(re.findall(r"- (?:platform|library)?:? ?([\w:]+) \(([\d.]+)\)", text))
        assert pins.get("arduino:mbed_nano") == board_inputs_module.CORE_VERSION, yaml
        if "Chirale_TensorFLowLite" in pins:
            assert pins["Chirale_TensorFLowLite"] == board_inputs_module.TFLM_VERSION, yaml


def test_a_second_build_comes_from_the_cache(board_runner):  # noqa: F811
    from tinyml_lab.core.board.build import build_runner

    again = build_runner(board_inputs(), echo=lambda line: pytest.fail(f"rebuilt: {line}"))
    assert not again.built and again.firmware == board_runner.firmware


def test_instruction_count_is_exact_on_known_loops(board_runner):  # noqa: F811
    from tinyml_lab.core.board.emulator import calibrate

    measured = calibrate(board_runner)
    assert [n for n, _ in measured] == [1, 10, 1000, 100000]
    # each loop is 1 + 2n instructions; the call around it adds the same few every time
    overhead = {count - (1 + 2 * n) for n, count in measured}
    assert len(overhead) == 1 and 0 <= overhead.pop() <= 8, measured
    assert calibrate(board_runner) == measured  # deterministic


def test_struct_layout_of_the_board_build(board_runner):  # noqa: F811
    from tinyml_lab.core.board.emulator import struct_sizes

    sizes = struct_sizes(board_runner)
    assert sizes["void*"] == (4, 4)
    # no TF_LITE_STATIC_MEMORY in the Arduino library: the full TfLiteTensor and TfLiteNode
    assert sizes["TfLiteTensor"][0] == 64
    assert sizes["tflite::NodeAndRegistration"][0] == 44
