"""`python -m tinyml_lab predict <chapter> FILE`: what a chapter's sketch would answer.

Each chapter with a sensor sketch has a predictor, `tinyml_lab.chapters.<chapter>.predict.
predict_file(path, sketch_dir)`, that reads its kind of file, applies the sketch's own
preprocessing (the Python twin of the sketch's C++, tested against it) and runs the model
bytes deployed in the sketch (tinyml_lab.core.deployed) in the TFLM runtime. The answer is
therefore the board's answer, not the notebook's float model's. Chapters are found, not
listed: a new chapter's predictor needs no change here.
"""

from __future__ import annotations

from pathlib import Path

from tinyml_lab.chapters import predictor, predictor_names
from tinyml_lab.core.deployed import Prediction, format_predictions

__all__ = ["format_predictions", "predict", "predictor_names"]


def predict(chapter: str, path: str | Path, sketch_dir: str | Path | None = None
            ) -> Prediction | list[Prediction]:
    """Run the chapter's deployed sketch model on a file (default: the committed sketch):
    one Prediction for a one-input file (a recording), a list for several (IMU blocks)."""
    return predictor(chapter)(Path(path), Path(sketch_dir) if sketch_dir else None)
