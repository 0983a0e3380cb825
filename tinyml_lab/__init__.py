"""tinyml_lab: the helper package behind the TinyML course notebooks.

The notebooks stay thin; the work lives here, one job per module:
tflite_file (read .tflite), convert (Keras -> TFLite int8), tflm (run in TFLite-Micro,
measure the arena), export (C array + op resolver + settings into a sketch), boards
(budgets and fit), report (tables and plots), data/ (datasets), features/ (Python twins of
the sketches' signal processing), models (architectures), course (run every notebook),
predict/ (a sketch's answer on the host), capture (record from a board), cli
(`python -m tinyml_lab`); arena (the exact tensor arena); for the optimisation chapters:
quantize (the int8 math), qat (weight quantization-aware training), prune (Keras 3 pruning),
footprint (int8 bytes, MACs, arena, accuracy in TFLM), energy (energy per inference),
checks (exercise feedback).
"""

import os

__version__ = "0.1.0"

# TensorFlow's C++ info logs drown a notebook; set before anything imports TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

QUICK_ENV = "TINYML_LAB_QUICK"
ARTIFACTS_ENV = "TINYML_LAB_ARTIFACTS"  # root folder; each notebook writes to <root>/<stem>


def is_quick(default: bool = False) -> bool:
    """Quick mode (fewer epochs, smaller data) when TINYML_LAB_QUICK is set to 1/true/yes."""
    value = os.environ.get(QUICK_ENV)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")
