"""IMU gesture recordings in the Arduino IMU_Capture format: read strictly, written alike.

The format is what the workshop's IMU_Capture sketch (and the course's imu_capture sketch)
prints, and what a learner copies from the Serial Monitor into a file:

    aX,aY,aZ,gX,gY,gZ                              <- the header, once
    0.497,-0.501,0.722,0.488,-1.526,-14.282        <- 119 samples at 119 Hz: acceleration
    ...                                               in g, angular rate in degrees/s
    (blank line)                                   <- the end of one gesture

One file per gesture, named after it (punch.csv, flex.csv). A class keeps one folder per
person (alice/punch.csv, bob/punch.csv), so a model can be tested on people it never saw.
Every problem in a file is reported with the file, the line, and how to fix it.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import TinyMLError

HEADER = ("aX", "aY", "aZ", "gX", "gY", "gZ")
HEADER_LINE = ",".join(HEADER)
CHANNELS = len(HEADER)
SAMPLES_PER_GESTURE = 119  # one second at the LSM9DS1's 119 Hz
SAMPLE_RATE_HZ = 119.0
GESTURE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# What an IMU can report at its widest setting: the LSM9DS1's +-16 g range reads up to
# 32767 x 0.732 mg = 24.0 g, its +-2000 deg/s range up to 32767 x 70 mdeg/s = 2294 deg/s
# (the BMI270 reaches 16 g and 1998 deg/s). A value beyond them was not measured.
ACCEL_LIMIT_G = 24.0
GYRO_LIMIT_DPS = 2294.0


class RecordingFormatError(TinyMLError):
    """A recordings file breaks the IMU_Capture format (the message names file and line)."""


# ---------------------------------------------------------------- one sample, one line


def format_sample(sample) -> str:
    """One CSV line, each value rounded to thousandths half away from zero, as the sketches'
    FormatImuLine prints it (so a file written here equals what a board prints)."""
    values = np.asarray(sample, dtype=np.float32).reshape(-1)
    if values.size != CHANNELS:
        raise TinyMLError(f"A sample has {CHANNELS} values ({HEADER_LINE}), got {values.size}.")
    parts = []
    for value in values:
        if not abs(value) <= 3.0e38:  # NaN or infinite: a failed read, as the C++ prints it
            parts.append("nan")
            continue
        # float32 product, as the C++ computes it; the rounding itself is exact in float64
        milli = float(np.clip(value * np.float32(1000.0), -1.0e9, 1.0e9))
        m = int(math.floor(abs(milli) + 0.5)) * (1 if milli >= 0 else -1)
        sign = "-" if m < 0 else ""
        parts.append(f"{sign}{abs(m) // 1000}.{abs(m) % 1000:03d}")
    return ",".join(parts)


def format_block(block) -> str:
    """One gesture: SAMPLES_PER_GESTURE lines and the blank line that ends it."""
    block = np.asarray(block)
    if block.shape != (SAMPLES_PER_GESTURE, CHANNELS):
        raise TinyMLError(
            f"A gesture is {SAMPLES_PER_GESTURE} samples of {CHANNELS} values, got shape "
            f"{block.shape}."
        )
    return "\n".join(format_sample(s) for s in block) + "\n\n"


def _fields(line: str) -> list[str]:
    """The comma-separated fields of a line, spaces and surrounding quotes removed."""
    return [f.strip().strip('"').strip("'").strip() for f in line.strip().split(",")]


def is_header(text: str) -> bool:
    """True for a header line naming the six IMU_Capture columns (quoted or not, any order,
    other columns allowed)."""
    names = [f.lower() for f in _fields(text)]
    return all(names.count(h.lower()) == 1 for h in HEADER)


def parse_sample(text: str, where: str) -> list[float]:
    """Six finite numbers from one CSV line; RecordingFormatError naming `where` if not."""
    fields = [f.strip() for f in text.strip().split(",")]
    if len(fields) != CHANNELS:
        raise RecordingFormatError(
            f"{where}: {len(fields)} values where {CHANNELS} are expected ({HEADER_LINE}). "
            "Each line is one sample: three accelerations in g, then three angular rates in "
            "degrees/s, separated by commas."
        )
    values = []
    for name, item in zip(HEADER, fields):
        try:
            value = float(item)
        except ValueError:
            raise RecordingFormatError(
                f"{where}: {name} is {item!r}, which is not a number. Remove the line or the "
                "gesture it belongs to (a board message copied from the Serial Monitor?)."
            ) from None
        if not math.isfinite(value):
            raise RecordingFormatError(
                f"{where}: {name} is {item!r}, not a finite number: the IMU read failed. "
                "Record that gesture again."
            )
        values.append(value)
    check_sensor_range(values, where)
    return values


def check_sensor_range(values, where: str) -> None:
    """RecordingFormatError naming `where` if a sample holds a value no IMU can measure
    (1e39 is finite in Python but no acceleration, and it would flip the model's answer)."""
    for name, value in zip(HEADER, values):
        limit, unit = (ACCEL_LIMIT_G, "g") if name.startswith("a") else (GYRO_LIMIT_DPS, "deg/s")
        if not abs(value) <= limit:
            raise RecordingFormatError(
                f"{where}: {name} is {value:g} {unit}, beyond the +-{limit:g} {unit} any of the "
                "boards' IMUs can measure: the line is damaged (or not in g and deg/s). Fix or "
                "remove that gesture, or record it again.")


# ---------------------------------------------------------------- whole files


@dataclass(frozen=True)
class RecordingsFile:
    """What the reader made of one IMU_Capture file: its gestures, and what it did to get
    them (how it cut the rows into gestures, what it dropped and why, line by line)."""

    name: str
    gestures: np.ndarray  # (n, 119, 6) float32, in g and deg/s
    rows: int  # sample rows read
    dropped_rows: int  # rows in no gesture: unreadable lines, short gestures, leftovers
    how: str  # how the rows became gestures
    notes: tuple[str, ...] = ()  # each thing dropped or reordered, naming its line

    def __len__(self) -> int:
        return len(self.gestures)

    @property
    def summary(self) -> str:
        """One line: '<file>: split 1569 rows into 13 gestures, dropped ...'."""
        return "; ".join([f"{self.name}: {self.how}", *self.notes])


def _header_columns(fields: list[str], name: str, line: int) -> tuple[list[int], list[str]]:
    """Where each of aX..gZ is in the header, and notes on an unusual one."""
    lower = [f.lower() for f in fields]
    missing = [h for h in HEADER if lower.count(h.lower()) != 1]
    if missing:
        looks_numeric = all(_is_number(f) for f in fields)
        fix = (f"Add the header {HEADER_LINE} as the first line." if looks_numeric else
               "The values are separated by semicolons: save the file with commas (CSV)."
               if ";" in ",".join(fields) else
               f"The columns must be named {HEADER_LINE} (acceleration in g, then angular rate "
               f"in degrees/s), as IMU_Capture prints them; {', '.join(missing)} "
               f"{'is' if len(missing) == 1 else 'are'} missing or repeated.")
        raise RecordingFormatError(
            f"{name}, line {line}: the header is {','.join(fields)!r}. {fix}")
    columns = [lower.index(h.lower()) for h in HEADER]
    notes = []
    if columns != list(range(CHANNELS)) or len(fields) != CHANNELS:
        notes.append(f"line {line}: columns {','.join(fields)} read by name as {HEADER_LINE}")
    return columns, notes


def _read_row(fields: list[str], columns: list[int], width: int, line: int
              ) -> tuple[list[float] | None, str | None]:
    """The six values of a data line, or None and why the line cannot be a sample."""
    if len(fields) != width:
        return None, f"line {line}: {len(fields)} values where the header has {width}"
    values = []
    for name, column in zip(HEADER, columns):
        item = fields[column]
        try:
            value = float(item)
        except ValueError:
            return None, f"line {line}: {name} is {item!r}, not a number"
        if not math.isfinite(value):
            return None, f"line {line}: {name} is {item!r} (a failed IMU read)"
        values.append(value)
    return values, None


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' if n != 1 else ''}"


def parse_recordings_file(text: str, name: str = "<text>") -> RecordingsFile:
    """Read IMU_Capture text as the Arduino tutorial's notebook does, and say what was done.

    Every file the tutorial reads is read: gestures separated by blank lines or not (then
    every 119 rows are a gesture, as the tutorial splits them), a quoted header, columns in
    another order or extra ones (read by name), a last gesture cut short (dropped). Where
    blank lines mark the gestures, they are used: a gesture of the wrong length is dropped
    instead of shifting every gesture after it, as the tutorial's row count would. Lines
    that cannot be a sample (a board message, a failed read) are dropped and named.
    Refused: no header naming aX..gZ, and a file without one whole gesture.
    """
    lines = text.removeprefix("\ufeff").splitlines()  # a BOM from some Windows editors
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise RecordingFormatError(f"{name} is empty: it needs the header {HEADER_LINE} and "
                                   "at least one recorded gesture.")
    header = _fields(lines[first])
    columns, notes = _header_columns(header, name, first + 1)

    runs: list[tuple[int, list[list[float]]]] = []  # (first line number, samples)
    current: list[list[float]] = []
    start = 0
    separators = 0
    bad: list[str] = []
    for number, line in enumerate(lines[first + 1 :], start=first + 2):
        fields = _fields(line)
        if not any(fields) or is_header(line):  # a blank line (",,,,," too), or a header
            separators += 1                     # pasted from a second Serial Monitor session
            if current:
                runs.append((start, current))
                current = []
            continue
        values, why = _read_row(fields, columns, len(header), number)
        if values is None:
            bad.append(why)
            continue
        check_sensor_range(values, f"{name}, line {number}")  # a number, but not a measurement
        if not current:
            start = number
        current.append(values)
    if current:
        runs.append((start, current))

    gestures: list[list[list[float]]] = []
    dropped = len(bad)
    rows = sum(len(samples) for _, samples in runs) + len(bad)
    cut = []  # notes on runs that were not exactly one gesture
    for index, (start, samples) in enumerate(runs):
        whole, rest = divmod(len(samples), SAMPLES_PER_GESTURE)
        gestures.extend(samples[k * SAMPLES_PER_GESTURE : (k + 1) * SAMPLES_PER_GESTURE]
                        for k in range(whole))
        dropped += rest
        if len(runs) == 1 or (whole == 1 and rest == 0):
            continue
        last = index == len(runs) - 1
        if whole == 0:
            cut.append(f"dropped {'a last' if last else 'a'} gesture of "
                       f"{_count(rest, 'row')} at line {start}")
        else:
            cut.append(f"line {start}: {len(samples)} rows without a blank line, split into "
                       f"{_count(whole, 'gesture')}" + (f", the last {_count(rest, 'row')} "
                                                        "dropped" if rest else ""))
    if not gestures:
        longest = max((len(s) for _, s in runs), default=0)
        raise RecordingFormatError(
            f"{name} has no whole gesture: each gesture is {SAMPLES_PER_GESTURE} rows (one "
            f"second at 119 Hz), the longest run here is {_count(longest, 'row')}"
            + (f" ({len(bad)} lines could not be read, e.g. {bad[0]})" if bad else "")
            + ". Record the gestures again with IMU_Capture (or `python -m tinyml_lab "
            "capture`).")
    if len(runs) == 1 and len(runs[0][1]) == SAMPLES_PER_GESTURE:
        how = f"1 gesture of {SAMPLES_PER_GESTURE} rows"
    elif len(runs) == 1:
        whole, rest = divmod(len(runs[0][1]), SAMPLES_PER_GESTURE)
        how = (f"split {_count(len(runs[0][1]), 'row')} every {SAMPLES_PER_GESTURE} into "
               f"{_count(whole, 'gesture')}"
               + (" (no blank lines between gestures)" if whole > 1 else "")
               + (f", dropped a last gesture of {_count(rest, 'row')}" if rest else ""))
    else:
        how = f"{len(gestures)} gestures of {SAMPLES_PER_GESTURE} rows between blank lines"
    if len(bad) > 3:
        bad = bad[:3] + [f"{len(bad) - 3} more lines like these"]
    notes += cut + [f"{why}: line dropped" for why in bad]
    return RecordingsFile(name, np.asarray(gestures, dtype=np.float32), rows, dropped, how,
                          tuple(notes))


def parse_recordings(text: str, name: str = "<text>") -> np.ndarray:
    """The gestures in IMU_Capture text, shape (gestures, 119, 6), float32."""
    return parse_recordings_file(text, name).gestures


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def read_recordings_file(path: str | Path) -> RecordingsFile:
    """One recordings file, with what the reader did to it (parse_recordings_file)."""
    path = Path(path)
    if not path.is_file():
        raise RecordingFormatError(f"No recordings file at {path}.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RecordingFormatError(
            f"{path.name} is not a text file: save the Serial Monitor output as plain text "
            "(CSV).") from None
    return parse_recordings_file(text, path.name)


def read_recordings(path: str | Path) -> np.ndarray:
    """Every gesture in one recordings file, shape (gestures, 119, 6), float32."""
    return read_recordings_file(path).gestures


def write_recordings(path: str | Path, blocks, append: bool = False) -> Path:
    """Write gestures in the IMU_Capture format (whole file replaced atomically), or append
    them to an existing, valid file."""
    path = Path(path)
    body = "".join(format_block(b) for b in np.asarray(blocks))
    if append and path.exists():
        existing = read_recordings_file(path)
        if existing.dropped_rows:  # new gestures would land after rows nobody can use
            raise RecordingFormatError(
                f"Not appending to {existing.summary}. Fix or remove those rows first.")
        existing = path.read_text(encoding="utf-8-sig")
        separator = "" if existing.endswith("\n\n") else (
            "\n" if existing.endswith("\n") else "\n\n")
        with open(path, "a", encoding="utf-8", newline="\n") as f:
            f.write(separator + body)  # one write per call: a block lands whole or not at all
            f.flush()
            os.fsync(f.fileno())
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(HEADER_LINE + "\n" + body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def check_gesture_name(name: str) -> str:
    if not GESTURE_NAME.match(name or ""):
        raise TinyMLError(
            f"Gesture name {name!r} is not usable as a class label: use lower-case letters, "
            "digits and underscores, starting with a letter (punch, flex, wave_left).")
    return name


# ---------------------------------------------------------------- a folder of recordings


@dataclass(frozen=True)
class GestureRecordings:
    """Labelled gestures: x (n, 119, 6) raw units, y class indices, and who recorded each."""

    x: np.ndarray
    y: np.ndarray
    labels: tuple[str, ...]
    people: np.ndarray
    source: str = ""
    files: tuple[str, ...] = field(default=(), compare=False)

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, mask) -> GestureRecordings:
        mask = np.asarray(mask)
        return GestureRecordings(self.x[mask], self.y[mask], self.labels, self.people[mask],
                                 self.source, self.files)

    def counts(self) -> dict[str, int]:
        return {label: int(np.sum(self.y == i)) for i, label in enumerate(self.labels)}

    @property
    def person_names(self) -> list[str]:
        return sorted(set(self.people.tolist()))


def load_recordings(root: str | Path, labels: Iterable[str] | None = None,
                    source: str | None = None) -> GestureRecordings:
    """Every <gesture>.csv in root (one person) or in root/<person>/ (a class).

    labels fixes the class order (the model's outputs); by default the gestures found, in
    alphabetical order. A file whose gesture is not in labels is an error, not skipped.
    """
    root = Path(root)
    if not root.is_dir():
        raise RecordingFormatError(f"No recordings folder at {root}.")
    direct = sorted(root.glob("*.csv"))
    nested = sorted(root.glob("*/*.csv"))
    if direct and nested:
        raise RecordingFormatError(
            f"{root} has gesture files both at its top level and in sub-folders: keep either "
            "one person's <gesture>.csv files, or one sub-folder per person.")
    files = direct or nested
    if not files:
        raise RecordingFormatError(
            f"No <gesture>.csv files in {root} or its sub-folders: record some with "
            "`python -m tinyml_lab capture` (or generate them with tinyml_lab.chapters.gesture.synthetic).")
    found = sorted({check_gesture_name(f.stem) for f in files})
    labels = tuple(labels) if labels is not None else tuple(found)
    unknown = [g for g in found if g not in labels]
    if unknown:
        raise RecordingFormatError(
            f"Found recordings of {', '.join(unknown)}, which are not among the labels "
            f"{', '.join(labels)}: add them to the labels or move those files away.")
    xs, ys, people = [], [], []
    for f in files:
        blocks = read_recordings(f)
        xs.append(blocks)
        ys.append(np.full(len(blocks), labels.index(f.stem), dtype=np.int64))
        person = f.parent.name if nested else root.name
        people.extend([person] * len(blocks))
    data = GestureRecordings(
        np.concatenate(xs), np.concatenate(ys), labels, np.asarray(people),
        source or f"recordings in {root}", tuple(str(f.relative_to(root)) for f in files))
    empty = [label for label, n in data.counts().items() if n == 0]
    if empty:
        raise RecordingFormatError(
            f"No recordings of {', '.join(empty)} in {root}: record them, or leave them out "
            "of the labels.")
    return data


@dataclass(frozen=True)
class PersonSplit:
    train: GestureRecordings
    val: GestureRecordings
    test: GestureRecordings
    description: str


def split_by_person(data: GestureRecordings, test_people: int, val_people: int,
                    seed: int = 0) -> PersonSplit:
    """Whole people go to train, validation or test: the test accuracy is then the accuracy
    on people the model never saw, which is what a classroom demo meets."""
    people = data.person_names
    if test_people < 1 or val_people < 1 or len(people) < test_people + val_people + 1:
        raise TinyMLError(
            f"A split by person needs at least {test_people + val_people + 1} people "
            f"({test_people} test, {val_people} validation, 1+ training); these recordings "
            f"have {len(people)}. Record more people, or use split_recordings() to test on "
            "held-out repetitions of the same people.")
    order = np.random.default_rng(seed).permutation(len(people))
    test = {people[i] for i in order[:test_people]}
    val = {people[i] for i in order[test_people : test_people + val_people]}
    is_test = np.isin(data.people, list(test))
    is_val = np.isin(data.people, list(val))
    return PersonSplit(
        data.subset(~is_test & ~is_val), data.subset(is_val), data.subset(is_test),
        f"split by person: {len(people) - len(test) - len(val)} train, {len(val)} validation, "
        f"{len(test)} test people (test people never seen in training)")


def split_recordings(data: GestureRecordings, seed: int = 0,
                     fractions=(0.7, 0.15, 0.15)) -> PersonSplit:
    """Split repetitions at random when there are too few people to split by person; the
    test accuracy then says how well the model knows these people, not strangers."""
    n = len(data)
    if n < 6:
        raise TinyMLError(f"Only {n} gestures recorded: record at least a few of each.")
    order = np.random.default_rng(seed).permutation(n)
    n_test = max(1, int(round(fractions[2] * n)))
    n_val = max(1, int(round(fractions[1] * n)))
    masks = []
    for part in (order[n_test + n_val :], order[n_test : n_test + n_val], order[:n_test]):
        mask = np.zeros(n, dtype=bool)
        mask[part] = True
        masks.append(mask)
    return PersonSplit(*(data.subset(m) for m in masks),
                       "split by repetition: the test gestures come from the same people as "
                       "the training gestures (too few people to hold whole people out)")


def plot_gestures(data: GestureRecordings, per_gesture: int = 3, seed: int = 0):
    """The six channels of a few recordings of each gesture: one row per gesture,
    acceleration on the left, angular rate on the right."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    t = np.arange(SAMPLES_PER_GESTURE) / SAMPLE_RATE_HZ
    fig, axes = plt.subplots(len(data.labels), 2, figsize=(11, 2.2 * len(data.labels)),
                             sharex=True, squeeze=False)
    colors = ("tab:red", "tab:green", "tab:blue")
    for row, label in enumerate(data.labels):
        idx = np.flatnonzero(data.y == row)
        pick = rng.choice(idx, size=min(per_gesture, len(idx)), replace=False)
        for k, i in enumerate(pick):
            for c in range(3):
                kw = {"label": HEADER[c]} if k == 0 else {}
                axes[row, 0].plot(t, data.x[i, :, c], color=colors[c], alpha=0.7, lw=1, **kw)
                kw = {"label": HEADER[3 + c]} if k == 0 else {}
                axes[row, 1].plot(t, data.x[i, :, 3 + c], color=colors[c], alpha=0.7, lw=1, **kw)
        axes[row, 0].set_ylabel(f"{label}\naccel (g)")
        axes[row, 1].set_ylabel("gyro (°/s)")
        axes[row, 0].set_ylim(-4.2, 4.2)
    axes[0, 0].legend(loc="upper right", ncol=3, fontsize=8)
    axes[0, 1].legend(loc="upper right", ncol=3, fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("time after the trigger (s)")
    fig.tight_layout()
    return fig
