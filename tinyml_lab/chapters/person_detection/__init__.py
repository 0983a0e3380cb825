"""Chapter 03, person detection: generated scenes (scenes, draw), picture folders and
Visual Wake Words (data, coco, images), the camera path (camera: twin of the sketch's C++),
MobileNetV1 (model), training and `predict`."""

ORDER = 3


def data_source() -> str:
    """Where this chapter's data comes from offline, and how to bring real pictures."""
    from tinyml_lab.chapters.person_detection.data import SOURCE

    return (SOURCE + "; real: a folder with person/ and no_person/ pictures (notebook "
            "parameter images_dir), e.g. Visual Wake Words built by `python -m tinyml_lab vww` "
            "when online")
