"""The room the wake_word sketch leaves a model on the Nano 33 BLE Sense.

The sketch's own code (frontend, detector, TFLM's kernels) and buffers (the microphone's
ring buffer, the frontend's tables and state) are measured on the board build:
tinyml_lab.core.board.sketch.sketch_overhead, or `python -m tinyml_lab profile --sketch
arduino_sketches/wake_word` (its RAM minus kTensorArenaSize, its flash minus the model).
The board tests re-measure both. The core and mbed OS cannot be measured here: the board's
stated reserve (tinyml_lab.core.boards) stands for them. A model must also leave the sketch
time to listen: `rows` sets how often it runs (every `rows` x 20 ms; cadence.py).
"""

from __future__ import annotations

from tinyml_lab.chapters.wake_word.cadence import ROW_MS, SKETCH, max_invoke_instructions
from tinyml_lab.optimisation.design import Budget

SKETCH_CODE_BYTES = 66_480    # flash, the model array not counted
SKETCH_BUFFER_BYTES = 46_637  # RAM, the tensor arena not counted


def nano_budget(rows: int | None = None) -> Budget:
    """The Nano 33 BLE Sense's budget for a wake-word model: flash and RAM after the core,
    mbed OS and the sketch, and (with `rows`) the instructions that let the sketch run the
    model every `rows` feature rows."""
    limit = max_invoke_instructions(rows) if rows is not None else None
    budget = Budget.for_board("nano33ble", SKETCH_CODE_BYTES, SKETCH_BUFFER_BYTES, limit)
    if rows is not None:
        budget = budget.replace(notes=(*budget.notes, (
            f"latency: the sketch runs the model every {rows} rows ({rows * ROW_MS} ms) "
            f"when an Invoke takes at most {limit:,} instructions (cadence.py)")))
    return budget


def measure_overhead():
    """Re-measure the committed sketch's code and buffers on the board build (a minute)."""
    from tinyml_lab.core.board.sketch import sketch_overhead

    return sketch_overhead(SKETCH)
