"""Write a file whole or not at all: to a temporary name in the same folder, then renamed.

A crash, a full disk or Ctrl-C half way leaves the old file (or none), never a truncated one
that a loader would later choke on. The file gets the permissions a plain open() would give
(mkstemp's own are private to the user).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: str | Path, data: bytes | str) -> Path:
    """Write `data` (text as UTF-8 with \\n line ends) to `path` atomically; returns path."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def first_free(folder: str | Path, name_for: Callable[[int], str], start: int = 0) -> Path:
    """folder / name_for(n) for the first n from `start` that is not taken: recordings are
    added to a folder, never written over."""
    folder = Path(folder)
    n = start
    while (folder / name_for(n)).exists():
        n += 1
    return folder / name_for(n)
