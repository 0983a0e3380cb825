"""The few real Speech Commands clips that ship with the course, and the rule that keeps
them away from every speaker the course is measured on.

Synthetic voices miss what real people's words sound like (chapter 02's real-speaker
section measures how much), so the offline training set also hears 205 real one-second
clips of 30 people: datasets/speech_commands_clips/<word>/<speaker>_nohash_<n>.wav, taken
from Speech Commands v0.01 (CC BY 4.0; attribution in datasets/README.md). Every one of them
is from a speaker of the dataset's **train partition**: Speech Commands assigns each speaker
to train, validation or test by a hash of the speaker's id (`partition`), the same rule for
v0.01 and v0.02, so no clip here is by a speaker of either version's validation or test set.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from tinyml_lab.chapters.wake_word.audio import fit_to_clip, read_wav
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.paths import DATASETS_DIR

CLIPS_DIR = DATASETS_DIR / "speech_commands_clips"
NOHASH = "_nohash_"
# Speech Commands' which_set rule: the speaker id's SHA-1 as a number, modulo 2**27, as a
# percentage; below 10 is validation, below 20 test, the rest train.
_BUCKETS = 2**27
VALIDATION_PERCENT, TESTING_PERCENT = 10.0, 10.0


def speaker(file_name: str) -> str:
    """The speaker id of a clip named <speaker>_nohash_<n>.wav."""
    if NOHASH not in file_name:
        raise TinyMLError(f"{file_name!r} is not named <speaker>_nohash_<n>.wav, so its "
                          "speaker, and with it its Speech Commands split, is unknown.")
    return file_name.split(NOHASH)[0]


def partition(file_name: str) -> str:
    """'train', 'validation' or 'testing': the Speech Commands split of the speaker of a clip
    named <speaker>_nohash_<n>.wav."""
    number = int(hashlib.sha1(speaker(file_name).encode()).hexdigest(), 16) % _BUCKETS
    percent = number * (100.0 / (_BUCKETS - 1))
    if percent < VALIDATION_PERCENT:
        return "validation"
    if percent < VALIDATION_PERCENT + TESTING_PERCENT:
        return "testing"
    return "train"


def clip_files(folder: str | Path = CLIPS_DIR) -> list[tuple[str, Path]]:
    """(word, file) for every shipped clip, sorted: the same order everywhere."""
    folder = Path(folder)
    files = [(p.parent.name, p) for p in sorted(folder.glob("*/*.wav"))]
    if not files:
        raise TinyMLError(f"No real clips in {folder}: expected <word>/<speaker>_nohash_<n>.wav "
                          "(the course ships them in datasets/speech_commands_clips/).")
    return files


def load_clips(labels: tuple[str, ...], folder: str | Path = CLIPS_DIR):
    """The shipped clips as (float audio at 16 kHz in -1..1, label index, word, speaker), one
    second each; a word that is not one of the keywords in `labels` is labelled unknown
    (index 1). Refuses any clip whose speaker is not of the train partition."""
    rows = []
    for word, path in clip_files(folder):
        split = partition(path.name)
        if split != "train":
            raise TinyMLError(f"{path} is by a speaker of Speech Commands' {split} partition: "
                              "only train-partition speakers may be trained on.")
        clip, _ = fit_to_clip(read_wav(path).samples)
        label = labels.index(word) if word in labels[2:] else 1
        rows.append((clip.astype(np.float64) / 32768.0, label, word, speaker(path.name)))
    return rows
