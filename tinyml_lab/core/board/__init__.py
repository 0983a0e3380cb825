"""The board harness: the pinned TFLM library built for the Nano 33 BLE's Cortex-M4F, a
model run on it in QEMU (arena used and needed, outputs, instructions per Invoke and per
op), and the sketches compiled with the Arduino core's own flags.

One job per module: inputs (find the core, library, toolchain, QEMU), recipe (the IDE's
compile command), build (library + runner firmware, cached), emulator (run a model, find
its minimum arena), profile (a model's measured cost), sketch (compile a sketch, size
its own code). The firmware's C/C++ sources and linker script are in firmware/.
"""

from tinyml_lab.core.board.build import BoardBuildError, RunnerBuild, build_runner
from tinyml_lab.core.board.emulator import (
    BoardRun,
    BoardRunError,
    calibrate,
    min_arena,
    run_model,
    struct_sizes,
    trace_allocations,
)
from tinyml_lab.core.board.inputs import BoardInputs, BoardToolsMissing, find_inputs
from tinyml_lab.core.board.profile import BoardProfile, profile_model
from tinyml_lab.core.board.sketch import SketchBuild, SketchSize, compile_sketch, sketch_size

__all__ = [
    "BoardBuildError", "BoardInputs", "BoardProfile", "BoardRun", "BoardRunError",
    "BoardToolsMissing", "RunnerBuild", "SketchBuild", "SketchSize", "build_runner",
    "calibrate", "compile_sketch", "find_inputs", "min_arena", "profile_model", "run_model",
    "sketch_size", "struct_sizes", "trace_allocations",
]
