"""`python -m tinyml_lab predict CHAPTER FILE`: run a chapter's deployed model on your own data.

Each chapter that can be tried without a board registers one function here: it takes the
path of an input file (a recording, an image, a sensor log), runs the model committed in
the chapter's sketch through the same preprocessing as the sketch, in the TFLM runtime,
and returns a Prediction. Functions are named as "module:function" and imported only when
asked for, so `predict` never loads what another chapter needs.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from tinyml_lab.errors import TinyMLError

PREDICTORS = {
    "wake_word": "tinyml_lab.keyword_spotting:predict_file",
}


@dataclass(frozen=True)
class Prediction:
    """The winning label, every class's score, and what was done to the input on the way."""

    label: str
    scores: dict[str, float]
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        return {"label": self.label, "scores": dict(self.scores)}


def predict(chapter: str, path: str | Path) -> Prediction:
    """Dispatch to the chapter's predictor (see PREDICTORS)."""
    if chapter not in PREDICTORS:
        raise TinyMLError(f"No predictor for {chapter!r}; chapters you can try: "
                          f"{', '.join(sorted(PREDICTORS))}.")
    module, function = PREDICTORS[chapter].split(":")
    return getattr(importlib.import_module(module), function)(path)
