"""Argument checks for the public functions: the wrong kind of value is a TypeError that
says what was expected, an impossible number a TinyMLError, before either gets deep enough
to fail obscurely (or in C++)."""

from __future__ import annotations

import numbers
import os
from pathlib import Path

from tinyml_lab.core.errors import TinyMLError


def _kind(value) -> str:
    return type(value).__name__


def require_int(value, name: str, minimum: int | None = None) -> int:
    """An integer (not a bool, not a float), at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_kind(value)} {value!r}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise TinyMLError(f"{name} must be at least {minimum}, got {value}.")
    return value


def require_path(value, name: str) -> Path:
    """A str or os.PathLike naming a file or folder."""
    if isinstance(value, bytes) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {_kind(value)}.")
    return Path(value)


def require_str(value, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {_kind(value)} {value!r}.")
    return value


def require_strings(values, name: str) -> tuple[str, ...]:
    """A sequence of strings (one string alone is refused: it would be read letter by letter)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a list or tuple of strings, e.g. ('yes', 'no'), "
                        f"got {_kind(values)} {values!r}.")
    values = tuple(values)
    for value in values:
        require_str(value, f"each of {name}")
    return values
