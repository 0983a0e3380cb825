"""The chapter-agnostic core: what every model goes through on its way to the board.

tflite_file (read a .tflite once; everything else asks it), convert (Keras -> TFLite int8),
tflm (run in the TFLite-Micro runtime on the host), arena and arena_cmsis (the exact tensor
arena, per build), export and ops (C array, op resolver and settings into a sketch), boards
(budgets and fit), deployed (a sketch's model read back, as `predict` runs it), report and
metrics (tables, plots, scores), training (what every chapter's training shares), errors and
paths. The core imports no chapter: what is particular to a model lives in its chapter.
"""
