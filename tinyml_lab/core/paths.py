"""Where the course's folders are, relative to this package (never to the machine)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]  # tinyml_lab/core/paths.py
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
SKETCHES_DIR = REPO_ROOT / "arduino_sketches"
DATASETS_DIR = REPO_ROOT / "datasets"
BUILD_DIR = REPO_ROOT / "build"
