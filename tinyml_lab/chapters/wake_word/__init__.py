"""Chapter 02, wake word: synthetic and real speech (data, espeak, noise, audio,
augment), the log-mel frontend and the command detector (log_mel, streaming: twins of the
sketch's C++), the DS-CNN (model), running it as the board does (spotter) and `predict`."""

ORDER = 2


def data_source() -> str:
    """Where this chapter's data comes from offline; raises TinyMLError when the espeak-ng
    library (espeakng-loader wheel) that speaks it cannot be loaded."""
    from tinyml_lab.chapters.wake_word.data import SOURCE
    from tinyml_lab.chapters.wake_word.espeak import engine

    engine()
    return SOURCE
