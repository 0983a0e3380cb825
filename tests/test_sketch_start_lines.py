"""Every model sketch starts with the line the notebooks tell the learner to expect,
`<sketch> ready; arena used N of M bytes`, and prints how long an inference takes."""

import re
from pathlib import Path

import pytest

from tests.board_support import MODEL_SKETCHES, SKETCHES
from tinyml_lab.core.arena import estimate_arena
from tinyml_lab.core.deployed import load_deployed
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.flashing import flash_instructions, parse_ready_line, ready_line

FAKE_ARDUINO = Path(__file__).parent / "fake_arduino"
FAKE_TFLM = Path(__file__).parent / "fake_tflm"
START = re.compile(r'Serial\.print\("(\w+) ready; arena used "\);\s*'
                   r"Serial\.print\(static_cast<int>\(interpreter->arena_used_bytes\(\)\)\);\s*"
                   r'Serial\.print\(" of "\);\s*Serial\.print\(kTensorArenaSize\);\s*'
                   r'Serial\.print(?:ln)?\(" bytes')


@pytest.mark.parametrize("name", MODEL_SKETCHES)
def test_each_model_sketch_prints_the_start_line_and_its_invoke_time(name):
    ino = (SKETCHES / name / f"{name}.ino").read_text()
    start = START.search(ino)
    assert start and start.group(1) == name, f"{name}.ino: no standard start line"
    assert re.search(r"invoke_\w+ = (millis|micros)\(\) - ", ino), f"{name}.ino: no invoke time"
    assert re.search(r'Serial\.print\(invoke_(ms|us)\)', ino)


def test_hello_sine_setup_prints_the_line_then_the_invoke_time(cxx):
    sketch = SKETCHES / "hello_sine"
    program = (sketch / "hello_sine.ino").read_text() + "\nint main() { setup(); }\n"
    out = cxx({"main.cc": program, "model_data.cc": (sketch / "model_data.cc").read_text()},
              include_dirs=[sketch, FAKE_ARDUINO, FAKE_TFLM]).strip().splitlines()
    arena = load_deployed(sketch).arena_bytes
    assert parse_ready_line(out[0]) == parse_ready_line(ready_line("hello_sine", 0, arena))
    assert re.fullmatch(r"hello_sine invoke \d+ us", out[1])  # the fake clock: 1000 us a call


def test_the_expected_line_is_the_boards_arena_for_the_committed_model():
    deployed = load_deployed(SKETCHES / "gesture")
    used = estimate_arena(deployed.model, "cortex-m-cmsis-nn").used_bytes
    text = flash_instructions(SKETCHES / "gesture", used, deployed.arena_bytes)
    assert f"  gesture ready; arena used {used} of {deployed.arena_bytes} bytes" in text
    assert "gesture.ino" in text and "arduino-cli upload -p PORT" in text
    assert "Compare N" in text


def test_start_lines_read_back():
    line = parse_ready_line("gesture ready; arena used 4292 of 4320 bytes; IMU BMI270\r\n")
    assert (line.sketch, line.used_bytes, line.arena_bytes, line.more) == (
        "gesture", 4292, 4320, "IMU BMI270")
    with pytest.raises(TinyMLError, match="Not a sketch start line"):
        parse_ready_line("gesture ready on LSM9DS1; arena used 1 of 2")
