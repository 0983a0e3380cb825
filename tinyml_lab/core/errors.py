"""The course's errors: each one names the problem and says how to fix it."""


class TinyMLError(Exception):
    """Base of every error tinyml_lab raises on bad input."""


class ModelFormatError(TinyMLError):
    """The bytes are not a readable TFLite model (wrong file, truncated, corrupt)."""


class UnsupportedOpError(TinyMLError):
    """The model uses an op that TensorFlow Lite for Microcontrollers does not have."""


class NotQuantizedError(TinyMLError):
    """A float (or hybrid) model was handed to a step that needs a full-int8 model."""


class BoardFitError(TinyMLError):
    """The model or its arena does not fit the chosen board."""
