"""The real Speech Commands clips that ship for training: every one by a train-partition
speaker (the dataset's own hash rule), labelled by its folder, small, and added to the
training split only."""

import shutil

import numpy as np
import pytest

from tinyml_lab.chapters.wake_word import data as speech
from tinyml_lab.chapters.wake_word import noise, real_clips
from tinyml_lab.core.errors import TinyMLError

LABELS = ("silence", "unknown", "yes", "no")


def test_partition_follows_the_datasets_own_lists():
    # entries of Speech Commands v0.01's validation_list.txt and testing_list.txt
    assert real_clips.partition("026290a7_nohash_0.wav") == "validation"
    assert real_clips.partition("060cd039_nohash_0.wav") == "validation"
    assert real_clips.partition("0c40e715_nohash_0.wav") == "testing"
    assert real_clips.partition("2aa787cf_nohash_1.wav") == "testing"
    assert real_clips.partition("0a2b400e_nohash_0.wav") == "train"
    # the split is the speaker's, whatever the repetition
    assert real_clips.partition("0c40e715_nohash_7.wav") == "testing"
    with pytest.raises(TinyMLError, match="nohash"):
        real_clips.partition("yes_0001.wav")


def test_every_shipped_clip_is_by_a_train_partition_speaker():
    files = real_clips.clip_files()
    assert len(files) == 205
    assert {real_clips.partition(p.name) for _, p in files} == {"train"}
    words = {w for w, _ in files}
    assert {"yes", "no"} <= words and len(words) == 30
    megabytes = sum(p.stat().st_size for p in real_clips.CLIPS_DIR.rglob("*")) / 1e6
    megabytes += sum(p.stat().st_size for p in noise.RECORDINGS_DIR.rglob("*")) / 1e6
    assert megabytes <= 25  # the chapter's shipped data stays lean


def test_clips_are_labelled_by_their_word_and_refused_from_other_partitions(tmp_path):
    rows = real_clips.load_clips(LABELS)
    labels = np.array([r[1] for r in rows])
    assert (np.sum(labels == 2), np.sum(labels == 3), np.sum(labels == 1)) == (6, 5, 194)
    assert all(r[2] == LABELS[r[1]] for r in rows if r[1] > 1)
    assert all(len(r[0]) == 16000 and np.abs(r[0]).max() <= 1.0 for r in rows)
    other = real_clips.load_clips(("silence", "unknown", "left", "right"))
    assert sum(r[1] > 1 for r in other) == sum(r[2] in ("left", "right") for r in other) > 0
    # a clip by a test-partition speaker must never be trained on
    (tmp_path / "no").mkdir()
    shutil.copy(real_clips.clip_files()[0][1], tmp_path / "no" / "0c40e715_nohash_0.wav")
    with pytest.raises(TinyMLError, match="testing partition"):
        real_clips.load_clips(LABELS, tmp_path)
    with pytest.raises(TinyMLError, match="No real clips"):
        real_clips.clip_files(tmp_path / "none")


def test_real_copies_join_the_training_split_only():
    plain = speech.make_synthetic_speech(train=12, val=6, test=6, seed=8, cache_dir=None)
    data = speech.make_synthetic_speech(train=12, val=6, test=6, seed=8, real_copies=5,
                                        cache_dir=None)
    real = [i for i, s in enumerate(data.train.speakers) if s.startswith("speech_commands:")]
    assert len(data.train) == 12 + len(real)
    assert len(real) == 11 * 5 + 194 * 1  # keyword clips 5 times, unknown-word clips once
    counts = np.bincount(data.train.labels[real], minlength=4)
    assert counts.tolist() == [0, 194, 30, 25]
    assert not any(s.startswith("speech_commands:") for s in data.val.speakers + data.test.speakers)
    assert np.array_equal(data.val.audio, plain.val.audio)
    yes = [i for i in real if data.train.words[i] == "yes"][:5]  # one clip's five copies
    assert len({data.train.speakers[i] for i in yes}) == 1
    assert len({data.train.audio[i].tobytes() for i in yes}) == 5  # speed, room, noise differ
    assert "train-partition" in data.source
    with pytest.raises(TinyMLError, match="real_copies"):
        speech.make_synthetic_speech(train=12, val=6, test=6, real_copies=-1, cache_dir=None)
