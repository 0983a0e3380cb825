"""One package per chapter model, each holding everything particular to it.

A chapter package has its data sources (`data`: an offline source and loaders for real
data), its model builder (`model`), the Python twins of its sketch's C++, its training
helpers and, if it has a sketch that reads a sensor, `predict` with a `predict_file(path,
sketch_dir)` function. Its `__init__` sets ORDER (where it comes in the course). Chapters
import the core, never each other; this module finds them, so adding a chapter is adding a
package here and a notebook.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from types import ModuleType

from tinyml_lab.core.errors import TinyMLError


def chapter_names() -> list[str]:
    """Every chapter package, in course order."""
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.ispkg]
    return sorted(names, key=lambda name: (chapter(name).ORDER, name))


def chapter(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def predictor_names() -> list[str]:
    """The chapters with a `predict` module, found without importing it (it may be heavy)."""
    return sorted(name for name in chapter_names()
                  if importlib.util.find_spec(f"{__name__}.{name}.predict") is not None)


def predictor(name: str):
    """The chapter's predict_file(path, sketch_dir) function."""
    if name not in predictor_names():
        raise TinyMLError(f"No predictor for {name!r}; chapters with one: "
                          f"{', '.join(predictor_names())}.")
    return importlib.import_module(f"{__name__}.{name}.predict").predict_file
