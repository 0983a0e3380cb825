"""What one inference costs on the board: measured on the board build where its tools are
here, estimated from multiply-accumulates where they are not, and always saying which.

The measurement is tinyml_lab.core.board.profile: the pinned library built for the Nano 33
BLE's Cortex-M4F, run in an emulator, counting executed instructions. Instructions are a
lower bound on cycles (at least one cycle each; loads, multiplies, branches and flash wait
states add more), so `min_latency_ms` is a lower bound on the time at the board's clock.
The estimate uses a straight line in MACs and op count fitted to the course's four sketch
models as measured on that build (within 25 % of the measurement on each of them); across
model families the line is rougher (chapter 08 shows where one line stops fitting).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tinyml_lab.core.boards import DEFAULT_BOARD, get_board
from tinyml_lab.core.report import op_macs
from tinyml_lab.core.tflite_file import TFLiteModel, read_model

# Fitted (least squares on relative error) to the committed hello_sine, wake_word,
# person_detection and gesture models' instructions per Invoke on the board build.
INSTRUCTIONS_PER_MAC = 4.65
INSTRUCTIONS_PER_OP = 834

MEASURED = "measured on the Nano 33 BLE build of the sketches' TFLM library (emulated Cortex-M4)"
ESTIMATED = ("estimated from MACs and op count (the board build's tools are not here: see "
             "README, 'Board tests')")


@dataclass(frozen=True)
class InferenceCost:
    """Instructions per Invoke, and whether they were measured or estimated."""

    instructions: int
    measured: bool
    board: str = DEFAULT_BOARD
    arena_used_bytes: int | None = None   # measured only
    min_arena_bytes: int | None = None    # measured only
    op_instructions: tuple[tuple[str, int], ...] = field(default=())

    @property
    def source(self) -> str:
        return MEASURED if self.measured else ESTIMATED

    @property
    def min_latency_ms(self) -> float:
        """Instructions at one per cycle of the board's clock: no faster than this."""
        return self.instructions / (get_board(self.board).clock_mhz * 1000.0)


def estimated_instructions(model: TFLiteModel) -> int:
    macs = sum(m for _, m in op_macs(model))
    return round(macs * INSTRUCTIONS_PER_MAC + len(model.operators) * INSTRUCTIONS_PER_OP)


def board_tools_missing() -> str | None:
    """None where the board build can run here, else the one line saying what to install."""
    from tinyml_lab.core.board.inputs import find_inputs

    found = find_inputs()
    return found if isinstance(found, str) else None


def inference_cost(model: TFLiteModel | bytes, inputs=None, board: str = DEFAULT_BOARD,
                   measure: bool | None = None, find_min_arena: bool = True) -> InferenceCost:
    """The cost of one Invoke on `board`: measured on the Nano 33 BLE build when its tools
    are here (measure=None; the first call builds the library, minutes, once), estimated
    otherwise or when measure=False. `inputs`: real samples make the count exact for them.
    find_min_arena=False leaves out the board's minimum arena (a bisection of about twenty
    runs) when only the instructions are wanted."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    if measure is None:
        measure = board == "nano33ble" and board_tools_missing() is None
    if not measure:
        return InferenceCost(estimated_instructions(model), False, board)
    from tinyml_lab.core.board.profile import profile_model

    profile = profile_model(model, inputs, find_min_arena=find_min_arena)
    return InferenceCost(profile.instructions_per_invoke, True, board,
                         profile.arena_used_bytes, profile.min_arena_bytes,
                         profile.op_instructions)
