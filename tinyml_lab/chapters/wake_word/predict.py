"""The wake_word sketch on the host: `python -m tinyml_lab predict wake_word FILE.wav`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinyml_lab.chapters.wake_word.audio import fit_to_clip, read_wav
from tinyml_lab.chapters.wake_word.spotter import KeywordSpotter, sketch_model
from tinyml_lab.core.deployed import Prediction


def predict_file(path: str | Path, sketch_dir: str | Path | None = None):
    """Label and class scores of one recording, by the committed sketch's model through the
    sketch's frontend. Other sample rates are resampled, other lengths padded or cut to
    the loudest second; each such step is reported in the notes."""
    recording = read_wav(path)
    clip, note = fit_to_clip(recording.samples)
    model, labels, _ = sketch_model(sketch_dir)  # the board's arena is for 32-bit structs
    spotter = KeywordSpotter(model, labels)
    scores = spotter.scores(clip)[0]
    notes = recording.notes + ((note,) if note else ())
    best = int(np.argmax(scores))
    return Prediction(labels[best], {name: float(s) for name, s in zip(labels, scores)}, notes)
