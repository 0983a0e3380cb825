"""Chapter 01, hello sine: the whole path on the smallest model (data, model)."""

ORDER = 1


def data_source() -> str:
    """Where this chapter's data comes from offline."""
    from tinyml_lab.chapters.sine.data import SOURCE

    return SOURCE
