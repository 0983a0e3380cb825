"""The wake_word sketch on the host: `python -m tinyml_lab predict wake_word FILE.wav`, and
the same answer for a whole folder of labelled recordings (`evaluate_folder`, behind
benchmarks/wake_word_real.py), so a figure on real speakers is the board's figure; and the
same recordings as one long stream over a real room (`stream_folder`), scored as the sketch's
command detector would, at the sketch's own inference cadence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.chapters.wake_word.audio import fit_to_clip, read_wav
from tinyml_lab.chapters.wake_word.data import read_labelled_folder
from tinyml_lab.chapters.wake_word.spotter import KeywordSpotter, sketch_model
from tinyml_lab.core.deployed import Prediction
from tinyml_lab.core.metrics import balanced_accuracy, confusion_matrix, per_class_accuracy


def _clip(path: Path) -> tuple[np.ndarray, tuple[str, ...]]:
    """One recording as the sketch hears it: 16 kHz, one second (the loudest one)."""
    recording = read_wav(path)
    clip, note = fit_to_clip(recording.samples)
    return clip, recording.notes + ((note,) if note else ())


def _sketch_spotter(sketch_dir) -> KeywordSpotter:
    model, labels, _ = sketch_model(sketch_dir)  # the board's arena is for 32-bit structs
    return KeywordSpotter(model, labels)


def predict_file(path: str | Path, sketch_dir: str | Path | None = None):
    """Label and class scores of one recording, by the committed sketch's model through the
    sketch's frontend. Other sample rates are resampled, other lengths padded or cut to
    the loudest second; each such step is reported in the notes."""
    clip, notes = _clip(Path(path))
    spotter = _sketch_spotter(sketch_dir)
    scores = spotter.scores(clip)[0]
    best = int(np.argmax(scores))
    labels = spotter.labels
    return Prediction(labels[best], {name: float(s) for name, s in zip(labels, scores)}, notes)


@dataclass(frozen=True)
class FolderResult:
    """How the sketch's model did on a folder of labelled recordings."""

    labels: tuple[str, ...]  # the model's labels, in its output order
    counts: np.ndarray  # confusion: counts[true, answered]
    files: tuple[Path, ...]
    truth: np.ndarray  # label index per file
    answers: np.ndarray  # the model's label index per file
    scores: np.ndarray  # (files, classes) dequantized scores

    @property
    def per_class(self) -> dict[str, float]:
        """Accuracy (recall) of each label that has recordings."""
        return {name: float(a) for name, a in zip(self.labels, per_class_accuracy(self.counts))
                if self.counts[self.labels.index(name)].sum()}

    @property
    def balanced(self) -> float:
        return balanced_accuracy(self.counts, skip_absent=True)

    def misses(self):
        """(file, true label, answer, scores) of every recording the model got wrong."""
        return [(f, self.labels[t], self.labels[a], s) for f, t, a, s
                in zip(self.files, self.truth, self.answers, self.scores) if t != a]


def evaluate_folder(folder: str | Path, sketch_dir: str | Path | None = None) -> FolderResult:
    """Every WAV in folder/<label>/ through the sketch's frontend and model bytes in TFLM,
    exactly as `predict wake_word` answers each one. Subfolder names must be the sketch's
    labels (silence, unknown and its keywords); silence recordings may be all zeros."""
    spotter = _sketch_spotter(sketch_dir)
    labels = spotter.labels
    clips, files = read_labelled_folder(folder, labels)
    scores = spotter.scores(clips.audio)
    answers = scores.argmax(axis=1)
    return FolderResult(labels, confusion_matrix(clips.labels, answers, len(labels)), files,
                        clips.labels, answers, scores)


@dataclass(frozen=True)
class FolderStream:
    """How the sketch's detector did on a folder's recordings played as one stream."""

    score: object  # streaming.StreamScore
    seconds: float  # length of the stream
    every: int  # the model ran every `every` feature rows, as the sketch does

    @property
    def false_alarms_per_hour(self) -> float:
        return self.score.false_alarms * 3600.0 / self.seconds


def stream_folder(folder: str | Path, sketch_dir: str | Path | None = None,
                  room_db: float = -50.0, seed: int = 0) -> FolderStream:
    """Every recording of folder/<label>/ once, in a random order, end to end over a
    continuous real room at room_db (dB below full scale); the sketch's model runs every N
    rows (N from its kInvokeInstructions, as inference_cadence.h derives it) and the
    command detector's defaults turn its scores into detections."""
    from tinyml_lab.chapters.wake_word import cadence, streaming
    from tinyml_lab.chapters.wake_word.data import make_stream
    from tinyml_lab.core.deployed import default_sketch, load_deployed
    from tinyml_lab.core.errors import TinyMLError

    deployed = load_deployed(sketch_dir or default_sketch("wake_word"))
    if deployed.invoke_instructions is None:
        raise TinyMLError(f"{deployed.sketch_dir}/model_settings.h has no kInvokeInstructions, "
                          "so the sketch's cadence is unknown: regenerate it with the notebook.")
    every = cadence.rows_per_invoke(deployed.invoke_instructions)
    spotter = KeywordSpotter(deployed.model, deployed.labels)
    clips, _ = read_labelled_folder(folder, deployed.labels)
    audio, events = make_stream(clips, clips=len(clips), seed=seed, room_db=room_db,
                                replace=False)
    times, scores = spotter.stream(audio, every=every)
    keywords = [i for i, name in enumerate(deployed.labels) if name not in ("silence", "unknown")]
    found = streaming.detect_stream(times, scores, keywords, streaming.DetectorConfig())
    return FolderStream(streaming.score_detections(found, events, keywords),
                        len(audio) / 16000, every)
