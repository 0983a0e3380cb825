"""The wake_word sketch's inference cadence: the C++ rule (inference_cadence.h) and its
Python twin (tinyml_lab.chapters.wake_word.cadence) give the same N for any model, and the
frontend's instruction count in both is what the board build measures."""

import re
from pathlib import Path

import pytest

from tinyml_lab.chapters.wake_word import cadence
from tinyml_lab.core.errors import TinyMLError

SKETCH = Path(__file__).resolve().parents[1] / "arduino_sketches" / "wake_word"
INSTRUCTIONS = [0, 1, 1_000, 853_000, 853_001, 1_487_234, 6_895_043, 30_225_393, 10**9]


def test_cpp_and_python_give_the_same_rows_per_invoke(cxx):
    values = ", ".join(f"{v}LL" for v in INSTRUCTIONS)
    program = f"""
#include <cstdio>
#include "inference_cadence.h"
int main() {{
  const long long values[] = {{{values}}};
  for (long long v : values) std::printf("%d\\n", wake_word::RowsPerInvoke(v));
}}
"""
    out = cxx({"main.cc": program}, include_dirs=[SKETCH])
    assert [int(n) for n in out.split()] == [cadence.rows_per_invoke(v) for v in INSTRUCTIONS]


def test_the_constants_are_the_same_in_both():
    header = (SKETCH / "inference_cadence.h").read_text()
    row = int(re.search(r"kFrontendRowInstructions = (\d+);", header).group(1))
    assert row == cadence.FRONTEND_ROW_INSTRUCTIONS
    assert "kCyclesPerInstructionNum = %d;" % cadence.CYCLES_PER_INSTRUCTION[0] in header
    assert "kCyclesPerInstructionDen = %d;" % cadence.CYCLES_PER_INSTRUCTION[1] in header


def test_the_rule_holds_an_inference_and_its_rows_and_no_fewer():
    for invoke in INSTRUCTIONS[1:]:
        n = cadence.rows_per_invoke(invoke)
        num, den = cadence.CYCLES_PER_INSTRUCTION
        cycles = lambda rows: num * (invoke + rows * cadence.FRONTEND_ROW_INSTRUCTIONS) / den  # noqa: E731
        budget = cadence.ROW_MS * cadence.CLOCK_HZ / 1000
        assert cycles(n) <= n * budget
        assert n == 1 or cycles(n - 1) > (n - 1) * budget


def test_a_frontend_that_cannot_keep_up_is_refused():
    with pytest.raises(TinyMLError, match="leave no time for the model"):
        cadence.rows_per_invoke(1000, row_instructions=900_000)


def test_the_frontend_figure_is_what_the_board_build_measures(board_runner):
    measured = cadence.measure_row_instructions()
    assert measured == cadence.measure_row_instructions()  # deterministic
    # the constant is the most a row took on the test signal; a second signal is no worse
    assert measured <= cadence.FRONTEND_ROW_INSTRUCTIONS <= measured * 1.01
    assert cadence.measure_row_instructions(seconds=2, seed=3) <= cadence.FRONTEND_ROW_INSTRUCTIONS
