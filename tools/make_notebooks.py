"""Write the course notebooks from their readable sources in tools/notebooks/nbNN_*.py.

Each source module defines STEM and cells(). After editing one:
    python tools/make_notebooks.py [STEM ...]
    TINYML_LAB_QUICK=1 jupyter nbconvert --to notebook --execute --inplace notebooks/STEM.ipynb
    python tools/strip_outputs.py notebooks/STEM.ipynb
(the last two keep only the outputs nbval checks).
"""

import importlib
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(__file__).resolve().parent / "notebooks"


def write(stem, cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    path = ROOT / "notebooks" / f"{stem}.ipynb"
    nbformat.write(nb, path)
    print("wrote", path.relative_to(ROOT))


def main(stems):
    sys.path.insert(0, str(SOURCES))
    for source in sorted(SOURCES.glob("nb[0-9][0-9]_*.py")):
        module = importlib.import_module(source.stem)
        if not stems or module.STEM in stems:
            write(module.STEM, module.cells())


if __name__ == "__main__":
    main(sys.argv[1:])
