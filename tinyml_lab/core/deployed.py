"""A sketch's deployed model on the host: what a chapter's `predict` runs.

A sketch folder holds the model bytes (model_data.cc) and labels and arena
(model_settings.h) the board runs; reading them back and running them in the TFLM runtime
gives the board's answer, not the notebook's float model's. (The sketch's kTensorArenaSize
is sized for the board's 32-bit structs; the host runtime gets its equivalent for the host
build, tinyml_lab.core.arena.host_arena_bytes.) A folder whose generated files do not belong
together (an interrupted export, a file copied from another sketch, a damaged array) is
refused: the sha256 in each file's header must be that of the model bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import ModelFormatError, TinyMLError
from tinyml_lab.core.paths import SKETCHES_DIR
from tinyml_lab.core.validate import require_path


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
        """The model in the host TFLM runtime, with the host's equivalent of the sketch's
        arena (a kTensorArenaSize too small for the board is too small here too)."""
        from tinyml_lab.core.arena import ArenaEstimateError, host_arena_bytes
        from tinyml_lab.core.tflm import MicroInterpreter

        try:
            arena = host_arena_bytes(self.model, self.arena_bytes)
        except ArenaEstimateError:  # an op the estimator does not model: the sketch's own
            arena = self.arena_bytes
        return MicroInterpreter(self.model, arena_size=arena)


_SHA = re.compile(r"sha256 ([0-9a-f]{64})")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TinyMLError(f"{path} is not a text file: it is damaged. Export the model "
                          "again.") from None


def _c_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def load_deployed(sketch_dir: str | Path) -> DeployedModel:
    """Read model_data.cc and model_settings.h of a sketch folder."""
    from tinyml_lab.core import file_set
    from tinyml_lab.core.export import GENERATED_FILES, read_c_array
    from tinyml_lab.core.tflite_file import read_model

    sketch_dir = require_path(sketch_dir, "sketch_dir")
    if sketch_dir.exists() and not sketch_dir.is_dir():
        raise TinyMLError(f"{sketch_dir} is a file: give the sketch's folder (the one holding "
                          "model_data.cc and model_settings.h).")
    data, settings = sketch_dir / "model_data.cc", sketch_dir / "model_settings.h"
    if not data.is_file() or not settings.is_file():
        raise TinyMLError(
            f"{sketch_dir} has no generated model files (model_data.cc, model_settings.h): run "
            "the chapter's notebook, or `python -m tinyml_lab export`, to write them.")
    if file_set.interrupted(sketch_dir):
        raise TinyMLError(f"An export into {sketch_dir} was interrupted and its files may come "
                          "from two models: export the model again.")
    text = _read_text(settings)
    arena = re.search(r"kTensorArenaSize\s*=\s*(\d+)\s*;", text)
    if arena is None:
        raise TinyMLError(f"{settings} has no kTensorArenaSize: regenerate it with the notebook.")
    block = re.search(r"kLabels\[kLabelCount\]\s*=\s*\{(.*?)\};", text, re.S)
    labels = tuple(_c_unescape(s) for s in
                   re.findall(r'"((?:[^"\\]|\\.)*)"', block.group(1))) if block else ()
    array_text = _read_text(data)
    try:
        model_bytes = read_c_array(array_text)
        _check_same_model(sketch_dir, hashlib.sha256(model_bytes).hexdigest(), {
            name: array_text if name == "model_data.cc" else text if name == "model_settings.h"
            else _read_text(sketch_dir / name)
            for name in GENERATED_FILES if (sketch_dir / name).is_file()})
        model = read_model(model_bytes)
    except ModelFormatError as exc:
        raise ModelFormatError(f"{data}: {exc}") from None
    instructions = re.search(r"kInvokeInstructions\s*=\s*(\d+)\s*;", text)
    return DeployedModel(sketch_dir, model, labels, int(arena.group(1)),
                         int(instructions.group(1)) if instructions else None)


def _check_same_model(sketch_dir: Path, sha256: str, texts: dict[str, str]) -> None:
    """Every generated file that names a model (in its header) names these bytes."""
    for name, text in texts.items():
        named = _SHA.search(text[:2000])
        if named is not None and named.group(1) != sha256:
            raise TinyMLError(
                f"{sketch_dir / name} was generated for the model with sha256 "
                f"{named.group(1)[:16]}..., but model_data.cc holds the model with sha256 "
                f"{sha256[:16]}...: the files come from different exports (an interrupted "
                "export, a file copied by hand) or the array was edited. Export the model "
                "again.")


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
