"""Results kept on disk by what produced them, so a re-run of a search is fast.

A record is keyed by a JSON description of the candidate (its parameters) and a `salt`
that names everything else it depends on (the training recipe, the data, whether costs
were measured or estimated): change any of it and the old records are simply not found.
Writes go to a temporary file that is renamed into place, so an interrupted run leaves no
half-written record.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from tinyml_lab import __version__


def _plain(value):
    """Tuples as lists, numpy numbers as Python numbers: JSON's types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResultCache:
    """JSON records (and files beside them) under `directory`, keyed by candidate."""

    def __init__(self, directory: str | Path | None, salt: str = ""):
        self.directory = Path(directory) if directory is not None else None
        self.salt = salt

    def key(self, spec: dict) -> str:
        text = json.dumps({"spec": _plain(spec), "salt": self.salt, "tinyml_lab": __version__},
                          sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def path(self, spec: dict, suffix: str = ".json") -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"{self.key(spec)}{suffix}"

    def get(self, spec: dict) -> dict | None:
        """The stored record for this candidate, or None (also when caching is off)."""
        path = self.path(spec)
        if path is None or not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            return None  # a damaged record is recomputed, not trusted

    def put(self, spec: dict, record: dict, files: dict[str, bytes] | None = None) -> dict:
        """Store a record (and files named <key><suffix>); returns the record as stored."""
        record = _plain(record)
        if self.directory is None:
            return record
        for suffix, data in (files or {}).items():
            _atomic_write(self.path(spec, suffix), data)
        _atomic_write(self.path(spec), json.dumps(record, indent=1, sort_keys=True).encode())
        return record
