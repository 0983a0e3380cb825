"""Keyword spotting with an int8 model in the TFLM runtime, computed the way the sketch does.

Clips and recordings go through the same frontend as on the board (tinyml_lab.chapters.
wake_word.log_mel, int8 with the model's input quantization), then through TFLM. Three uses:
judging a model on test clips, running it every 20 ms over a long recording (the sketch's
streaming loop, for the command detector), and `python -m tinyml_lab predict wake_word
FILE.wav` (tinyml_lab.chapters.wake_word.predict), which runs the committed sketch's own
model bytes on a recording.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinyml_lab.chapters.wake_word import log_mel as lm
from tinyml_lab.core import tflm
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import TFLiteModel

SKETCH_NAME = "wake_word"


class KeywordSpotter:
    """An int8 keyword-spotting model loaded in TFLM, fed int16 audio."""

    def __init__(self, model: TFLiteModel | bytes | str | Path, labels,
                 arena_size: int | None = None):
        self.micro = tflm.MicroInterpreter(model, arena_size)
        self.labels = tuple(labels)
        inp, out = self.micro.input, self.micro.output
        if int(np.prod(inp.shape)) != lm.FRAMES * lm.MEL_CHANNELS:
            raise TinyMLError(
                f"The model's input has shape {list(inp.shape)}; the wake-word frontend gives "
                f"{lm.FRAMES} x {lm.MEL_CHANNELS} features. Train it on log_mel features.")
        if out.shape[-1] != len(self.labels):
            raise TinyMLError(f"The model has {out.shape[-1]} outputs but {len(self.labels)} "
                              f"labels were given ({', '.join(self.labels)}).")
        self.scale, self.zero_point = float(inp.scales[0]), int(inp.zero_points[0])

    def features(self, audio: np.ndarray) -> np.ndarray:
        """int8 features, exactly what the sketch puts in the input tensor."""
        return lm.log_mel_int8(audio, self.scale, self.zero_point)

    def raw_scores(self, clips: np.ndarray) -> np.ndarray:
        """int8 model outputs for one-second int16 clips, shape (clips, classes)."""
        clips = np.atleast_2d(clips)
        return self.micro.predict_raw(self.features(clips))

    def scores(self, clips: np.ndarray) -> np.ndarray:
        """Class probabilities (dequantized int8 softmax), shape (clips, classes)."""
        return tflm.dequantize(self.raw_scores(clips), self.micro.output)

    def stream(self, audio: np.ndarray, every: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Run the model every `every` frames (20 ms each) on the last second of a long
        recording, as the sketch does. Returns (time in ms at the end of each window,
        scores 0..255 for the command detector)."""
        rows = self.features(np.asarray(audio))
        ends = np.arange(lm.FRAMES - 1, len(rows), every)
        raw = np.stack([self.micro.invoke_raw(rows[e - lm.FRAMES + 1:e + 1])[0] for e in ends])
        from tinyml_lab.chapters.wake_word.streaming import scores_from_int8

        return (ends + 1) * (lm.STRIDE_SAMPLES * 1000 // lm.SAMPLE_RATE), \
            scores_from_int8(raw, self.micro.output.zero_points[0])


def sketch_model(sketch_dir: str | Path | None = None) -> tuple[bytes, tuple[str, ...], int]:
    """The model bytes, labels and kTensorArenaSize committed in the wake_word sketch (its
    generated model_data.cc and model_settings.h): what the board runs."""
    from tinyml_lab.core.deployed import default_sketch, load_deployed

    deployed = load_deployed(sketch_dir or default_sketch(SKETCH_NAME))
    return deployed.model.data, deployed.labels, deployed.arena_bytes
