"""`python -m tinyml_lab predict <chapter> FILE`: what a chapter's sketch would answer.

Each chapter registers one predictor, a function (path, sketch_dir) -> [Prediction], that
reads its kind of file, applies the sketch's own preprocessing (the Python twin of the
sketch's C++, tested against it) and runs the model bytes deployed in the sketch (read back
from model_data.cc) in the TFLM runtime. The answer is therefore the board's answer, not
the notebook's float model's. (The sketch's kTensorArenaSize is sized for the board's 32-bit
structs; the host runtime gets the arena tinyml_lab.arena computes for the host build.)

Adding a chapter: write tinyml_lab/predict/<chapter>.py with a predict_file function and
add one line to PREDICTORS.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinyml_lab.errors import TinyMLError
from tinyml_lab.paths import SKETCHES_DIR

# chapter -> "module:function"; imported only when that chapter is asked for
PREDICTORS = {
    "gesture": "tinyml_lab.predict.gesture:predict_file",
    "person_detection": "tinyml_lab.predict.person_detection:predict_file",
    "wake_word": "tinyml_lab.keyword_spotting:predict_file",
}


@dataclass(frozen=True)
class Prediction:
    """One answer: the top label, every label's score (the dequantized model output), and
    notes on what was done to the input on the way (e.g. resampling)."""

    label: str
    scores: dict[str, float]
    notes: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict:
        return {"label": self.label, "scores": dict(self.scores)}

    as_dict = to_dict


@dataclass(frozen=True)
class DeployedModel:
    """The model a sketch folder deploys: its bytes, labels and arena, as the board has them."""

    sketch_dir: Path
    model: object  # TFLiteModel
    labels: tuple[str, ...]
    arena_bytes: int

    def interpreter(self):
        from tinyml_lab.arena import estimate_arena
        from tinyml_lab.tflm import MicroInterpreter

        host = estimate_arena(self.model, "python")
        return MicroInterpreter(self.model, arena_size=max(host.used_bytes, host.min_arena_bytes))


def load_deployed(sketch_dir: str | Path) -> DeployedModel:
    """Read model_data.cc and model_settings.h of a sketch folder."""
    from tinyml_lab.export import read_c_array
    from tinyml_lab.tflite_file import read_model

    sketch_dir = Path(sketch_dir)
    data, settings = sketch_dir / "model_data.cc", sketch_dir / "model_settings.h"
    if not data.is_file() or not settings.is_file():
        raise TinyMLError(
            f"{sketch_dir} has no generated model files (model_data.cc, model_settings.h): run "
            "the chapter's notebook, or `python -m tinyml_lab export`, to write them.")
    text = settings.read_text()
    arena = re.search(r"kTensorArenaSize\s*=\s*(\d+)\s*;", text)
    if arena is None:
        raise TinyMLError(f"{settings} has no kTensorArenaSize: regenerate it with the notebook.")
    block = re.search(r"kLabels\[kLabelCount\]\s*=\s*\{(.*?)\};", text, re.S)
    labels = tuple(s.replace('\\"', '"').replace("\\\\", "\\") for s in
                   re.findall(r'"((?:[^"\\]|\\.)*)"', block.group(1))) if block else ()
    model = read_model(read_c_array(data.read_text()))
    return DeployedModel(sketch_dir, model, labels, int(arena.group(1)))


def predictor(chapter: str):
    if chapter not in PREDICTORS:
        raise TinyMLError(f"No predictor for {chapter!r}; chapters with one: "
                          f"{', '.join(sorted(PREDICTORS))}.")
    module, function = PREDICTORS[chapter].split(":")
    return getattr(importlib.import_module(module), function)


def predict(chapter: str, path: str | Path, sketch_dir: str | Path | None = None
            ) -> Prediction | list[Prediction]:
    """Run the chapter's deployed sketch model on a file (default: the committed sketch):
    one Prediction for a one-input file (a recording), a list for several (IMU blocks)."""
    return predictor(chapter)(Path(path), Path(sketch_dir) if sketch_dir else None)


def default_sketch(chapter: str) -> Path:
    return SKETCHES_DIR / chapter


def predictions_from_scores(scores: np.ndarray, labels: tuple[str, ...]) -> list[Prediction]:
    """Top label (the first of equal scores, as the sketches pick it) and all scores."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2 or scores.shape[1] != len(labels):
        raise TinyMLError(f"The model gives {scores.shape[-1]} scores but the sketch has "
                          f"{len(labels)} labels: regenerate the sketch's model files.")
    return [Prediction(labels[int(np.argmax(s))], {k: float(v) for k, v in zip(labels, s)})
            for s in scores]


def format_predictions(predictions: Prediction | list[Prediction], as_json: bool = False,
                       chapter: str = "") -> str:
    if isinstance(predictions, Prediction):
        if as_json:
            return json.dumps(predictions.to_dict())
        from tinyml_lab.report import format_table

        table = format_table(["label", "score"], [[name, f"{score:.3f}"]
                                                  for name, score in predictions.scores.items()])
        return f"{chapter}: {predictions.label}\n{table}"
    if as_json:
        return json.dumps([p.to_dict() for p in predictions], indent=2)
    lines = []
    for i, p in enumerate(predictions, 1):
        scores = ", ".join(f"{k} {v:.3f}" for k, v in p.scores.items())
        lines.append(f"{i}: {p.label}  ({scores})")
    return "\n".join(lines)
