"""tinyml_lab: the helper package behind the TinyML course notebooks.

The notebooks stay thin; the work lives here, in three parts:
- core/: chapter-agnostic, what every model goes through on its way to the board (read a
  .tflite, convert, run in TFLM, the exact arena, export into a sketch, board budgets,
  reports);
- optimisation/: the tools the later chapters teach (quantization math, QAT, pruning,
  footprint, energy), usable on any chapter's model;
- chapters/<name>/: everything particular to one model (its data, the Python twins of its
  sketch's C++, its model builder and training helpers, its `predict`).
Above them: course (run every notebook), predict (a sketch's answer on the host), checks
(exercise feedback), environment (the setup notebook's checks) and cli
(`python -m tinyml_lab`).
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
