"""A sketch's deployed model on the host: what a chapter's `predict` runs.

A sketch folder holds the model bytes (model_data.cc) and labels and arena
(model_settings.h) the board runs; reading them back and running them in the TFLM runtime
gives the board's answer, not the notebook's float model's. (The sketch's kTensorArenaSize
is sized for the board's 32-bit structs; the host runtime gets the arena tinyml_lab.core.arena
computes for the host build.)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.paths import SKETCHES_DIR


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
    invoke_instructions: int | None = None  # kInvokeInstructions, where the settings have it

    def interpreter(self):
        from tinyml_lab.core.tflm import MicroInterpreter

        return MicroInterpreter.sized(self.model)


def load_deployed(sketch_dir: str | Path) -> DeployedModel:
    """Read model_data.cc and model_settings.h of a sketch folder."""
    from tinyml_lab.core.export import read_c_array
    from tinyml_lab.core.tflite_file import read_model

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
    instructions = re.search(r"kInvokeInstructions\s*=\s*(\d+)\s*;", text)
    return DeployedModel(sketch_dir, model, labels, int(arena.group(1)),
                         int(instructions.group(1)) if instructions else None)


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
        from tinyml_lab.core.report import format_table

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
