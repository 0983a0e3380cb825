"""Replace a set of files in a folder all or nothing: a sketch's generated files.

Renaming one file over another is atomic; renaming four is not. A failure (or a kill)
between the first and the last rename would leave a sketch whose model array comes from
one model and its arena and labels from another. So the files are replaced as a set:

1. the new files are written into a hidden staging folder inside the folder (same file
   system, so renames stay atomic), each flushed to disk and given the permissions of the
   file it replaces (or of the folder's other files);
2. the files to be replaced are hard-linked (or copied) into the staging folder as backups;
3. a journal listing the files is written: from here on the set is being swapped;
4. each new file is renamed into place, then the staging folder is removed.

An exception during step 4 renames the backups back. A process killed during step 4
leaves the journal behind; the next replacement into that folder finds it and rolls the
folder back first (`recover`), so the folder always ends as it was before or as asked,
and no staging folder outlives the next call. A lock on the folder (POSIX) keeps two
replacements into the same folder apart.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

STAGING_PREFIX = ".tinyml_lab-staging-"
JOURNAL = "journal.json"
BACKUPS = "old"


def replace_files(folder: str | Path, files: dict[str, str]) -> list[Path]:
    """Write {name: text} into folder (UTF-8, LF), replacing the whole set or none of it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        recover(folder)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
        try:
            _stage(folder, staging, files)
            _swap(folder, staging, list(files))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in files]


def recover(folder: str | Path) -> list[str]:
    """Roll back replacements into folder that a killed process left half done, and remove
    stale staging folders. Returns the names of the files put back."""
    restored = []
    for staging in sorted(Path(folder).glob(STAGING_PREFIX + "*")):
        journal = staging / JOURNAL
        if staging.is_dir() and journal.is_file():
            restored += _roll_back(Path(folder), staging, json.loads(journal.read_text()))
        shutil.rmtree(staging, ignore_errors=True)
    return restored


def interrupted(folder: str | Path) -> bool:
    """Whether a replacement into folder was interrupted and not yet rolled back."""
    return any(p.is_dir() and (p / JOURNAL).is_file()
               for p in Path(folder).glob(STAGING_PREFIX + "*"))


def _stage(folder: Path, staging: Path, files: dict[str, str]) -> None:
    default_mode = _default_mode(folder, files)
    for name, text in files.items():
        if Path(name).name != name or name.startswith(STAGING_PREFIX):
            raise ValueError(f"{name!r} is not a plain file name")
        target = staging / name
        with open(target, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        old = folder / name
        mode = stat.S_IMODE(old.stat().st_mode) if old.is_file() else default_mode
        os.chmod(target, mode)
    (staging / BACKUPS).mkdir()
    existing = [name for name in files if (folder / name).is_file()]
    for name in existing:
        try:
            os.link(folder / name, staging / BACKUPS / name)
        except OSError:  # no hard links on this file system (FAT, some network shares)
            shutil.copy2(folder / name, staging / BACKUPS / name)
    with open(staging / JOURNAL, "w", encoding="utf-8") as f:
        json.dump({"names": list(files), "existing": existing}, f)
        f.flush()
        os.fsync(f.fileno())


def _swap(folder: Path, staging: Path, names: list[str]) -> None:
    try:
        for name in names:
            os.replace(staging / name, folder / name)
    except BaseException:
        _roll_back(folder, staging, {"names": names,
                                     "existing": os.listdir(staging / BACKUPS)})
        raise


def _roll_back(folder: Path, staging: Path, journal: dict) -> list[str]:
    """Undo the renames a journal's swap did: a new file that is no longer staged was
    moved into place, so put its backup back (or remove it, if it is new)."""
    restored = []
    for name in journal.get("names", []):
        if Path(name).name != name or (staging / name).exists():
            continue  # never swapped in
        backup = staging / BACKUPS / name
        if name in journal.get("existing", []) and backup.exists():
            os.replace(backup, folder / name)
        else:
            (folder / name).unlink(missing_ok=True)
        restored.append(name)
    return restored


def _default_mode(folder: Path, files: dict[str, str]) -> int:
    """The permissions of the folder's other files (without execute bits), or what a new
    file gets from the umask."""
    for item in sorted(folder.iterdir()):
        if item.name not in files and not item.name.startswith(".") and item.is_file():
            return stat.S_IMODE(item.stat().st_mode) & 0o666
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def _locked(folder: Path):
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no folder lock
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
