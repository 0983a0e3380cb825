"""The board harness: the pinned TFLM library built for the Nano 33 BLE's Cortex-M4F, a
model run on it in QEMU (arena used and needed, outputs, instructions per Invoke and per
op), and the sketches compiled with the Arduino core's own flags.

One job per module: inputs (find the core, library, toolchain, QEMU), recipe (the IDE's
compile command), build (library + runner firmware, and other bare-metal programs,
cached), emulator (run a model, find its minimum arena), profile (a model's measured
cost), sketch (compile a sketch, size its own code). The firmware's C/C++ sources and
linker script are in firmware/. Nothing is imported here, so that building needs only the
standard library (`python -m tinyml_lab.core.board.build`).
"""
