"""Chapter 04, gesture: IMU_Capture recordings (data), the simulated people who make them
(synthetic), windows and normalisation (features: twin of the sketch's C++), the 1-D CNN
(model), recording from a board (capture) and `predict`."""

ORDER = 4


def data_source() -> str:
    """Where this chapter's data comes from offline, and how to bring real recordings."""
    from tinyml_lab.chapters.gesture.synthetic import SOURCE

    return SOURCE + "; real: your own IMU_Capture recordings (notebook parameter recordings_dir)"
