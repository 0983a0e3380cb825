"""How often the wake_word sketch runs its model: once every N feature rows (20 ms each).

The board must compute a row of features every 20 ms and, every N rows, also run the
model once, so N is the smallest whole number of rows whose time holds N rows of features
and one inference:

    N * 20 ms * 64 MHz >= CYCLES_PER_INSTRUCTION * (invoke + N * row)   (instructions)

Both instruction counts are measured on the board build in the emulator: `invoke` per
model (kInvokeInstructions in the sketch's generated model_settings.h), `row` once for the
sketch's frontend (FRONTEND_ROW_INSTRUCTIONS, re-measured by the board tests). Cycles are
not measured: the Cortex-M4 needs at least one per instruction, and loads, multiplies,
branches and flash wait states add more, so the rule assumes 3 cycles for every 2
instructions, a stated margin that only a board can check (the sketch prints its invoke
time). The sketch's inference_cadence.h computes the same N in C++, and the Python stream
(KeywordSpotter.stream(every=N)) runs the model at the same rows, so the notebook's hits,
misses and false alarms are the board's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.paths import SKETCHES_DIR

ROW_MS = 20
CLOCK_HZ = 64_000_000
CYCLES_PER_INSTRUCTION = (3, 2)  # 1.5 cycles per instruction, as a ratio for integer C++
FRONTEND_ROW_INSTRUCTIONS = 109_716  # measure_row_instructions(); the board tests re-measure it
FIRMWARE = Path(__file__).resolve().parent / "firmware"
SKETCH = SKETCHES_DIR / "wake_word"


def rows_per_invoke(invoke_instructions: int,
                    row_instructions: int = FRONTEND_ROW_INSTRUCTIONS) -> int:
    """The smallest N with N rows' time >= the cycles of one Invoke plus N rows."""
    num, den = CYCLES_PER_INSTRUCTION
    row_cycles = ROW_MS * CLOCK_HZ // 1000
    spare = den * row_cycles - num * int(row_instructions)  # x den: per row, after features
    if invoke_instructions < 0 or spare <= 0:
        raise TinyMLError(
            f"The frontend's {row_instructions:,} instructions per row leave no time for the "
            f"model in a {ROW_MS} ms row at {CLOCK_HZ // 1_000_000} MHz.")
    return max(1, -(-num * int(invoke_instructions) // spare))


def max_invoke_instructions(rows: int,
                            row_instructions: int = FRONTEND_ROW_INSTRUCTIONS) -> int:
    """The most instructions an Invoke may take for the sketch to run the model every
    `rows` rows: the inverse of rows_per_invoke (a latency budget for chapter 08's search)."""
    num, den = CYCLES_PER_INSTRUCTION
    spare = den * (ROW_MS * CLOCK_HZ // 1000) - num * int(row_instructions)
    if rows < 1 or spare <= 0:
        raise TinyMLError(f"Give a cadence of at least one row (got {rows}); the frontend "
                          f"must leave time for the model ({row_instructions:,} instructions "
                          "per row).")
    return rows * spare // num


def measure_row_instructions(seconds: float = 1.0, seed: int = 0) -> int:
    """Instructions the sketch's frontend executes per feature row on the board build (the
    most over the rows of a test signal), measured in the emulator."""
    from tinyml_lab.core.board.build import build_program
    from tinyml_lab.core.board.emulator import run_job, ticks_to_instructions

    firmware = build_program("wake_word_frontend", [FIRMWARE / "frontend_cost.cc"], [SKETCH])
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 16000)) / 16000
    audio = 3000 * np.sin(2 * np.pi * 440 * t) + rng.normal(0, 500, t.size)
    lines = run_job({}, {"audio.raw": audio.astype("<i2").tobytes()}, firmware=firmware)
    if lines[-1] != "end":
        raise TinyMLError(f"The frontend probe did not finish on the board build: {lines[-1]}")
    empty = next(int(line.split()[2]) for line in lines if line.startswith("empty "))
    rows = [ticks_to_instructions(int(line.split()[2]) - empty)
            for line in lines if line.startswith("row ")]
    return max(rows)
