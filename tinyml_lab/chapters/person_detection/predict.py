"""The person_detection sketch on the host: a picture file becomes the frame the camera
would deliver pointing at it (tinyml_lab.chapters.person_detection.camera.image_to_frame), goes through the
sketch's own preprocessing (the twin of camera_preprocess.h) to the int8 input, and runs in
the sketch's deployed int8 model in TFLM; the scores are dequantized as the sketch does."""

from __future__ import annotations

from pathlib import Path

from tinyml_lab.chapters.person_detection.camera import SIZE, image_to_frame, preprocess_frame
from tinyml_lab.chapters.person_detection.images import read_image
from tinyml_lab.core import tflm
from tinyml_lab.core.deployed import (
    Prediction,
    default_sketch,
    load_deployed,
    predictions_from_scores,
)
from tinyml_lab.core.errors import TinyMLError

INPUT_SHAPE = (1, SIZE, SIZE, 1)


def predict_frame(frame, sketch_dir: str | Path | None = None) -> Prediction:
    """One QCIF RGB565 camera frame (uint16 (144, 176)) -> the sketch's answer."""
    deployed = load_deployed(sketch_dir or default_sketch("person_detection"))
    tensor = deployed.model.input_tensors[0]
    if tuple(tensor.shape) != INPUT_SHAPE or tensor.dtype != "int8":
        raise TinyMLError(
            f"The model in {deployed.sketch_dir} takes {tensor.dtype} input "
            f"{tuple(tensor.shape)}, not a 96x96 gray int8 picture {INPUT_SHAPE}: is that "
            "the person_detection sketch? Re-export the person detection model into it.")
    image = preprocess_frame(frame, tensor.scales[0], tensor.zero_points[0])
    interpreter = deployed.interpreter()
    raw = interpreter.invoke_raw(image)  # already int8: the sketch's bytes, not requantized
    return predictions_from_scores(tflm.dequantize(raw, interpreter.output),
                                   deployed.labels)[0]


def predict_file(path: Path, sketch_dir: Path | None = None) -> Prediction:
    """A picture (PNG, JPEG, BMP, ...) -> what the board would answer pointed at it."""
    return predict_frame(image_to_frame(read_image(path)), sketch_dir)
