"""The optimisation chapters' (05, 06) image task: generated shapes (data) and a small CNN
(model)."""

ORDER = 5


def data_source() -> str:
    """Where this chapter's data comes from offline."""
    from tinyml_lab.chapters.shapes.data import SOURCE

    return SOURCE
