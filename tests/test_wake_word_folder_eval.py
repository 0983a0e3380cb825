"""evaluate_folder (behind benchmarks/wake_word_real.py) answers each file exactly as
`predict wake_word` does, counts them right, and refuses folders it cannot score;
stream_folder plays each file once, at the sketch's cadence."""

import subprocess
import sys

import numpy as np
import pytest

from tinyml_lab.chapters.wake_word import data as speech
from tinyml_lab.chapters.wake_word.audio import write_wav
from tinyml_lab.chapters.wake_word import cadence
from tinyml_lab.chapters.wake_word.predict import evaluate_folder, predict_file, stream_folder
from tinyml_lab.core.deployed import default_sketch, load_deployed
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.metrics import balanced_accuracy
from tinyml_lab.core.paths import REPO_ROOT


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    test = speech.make_synthetic_speech(train=4, val=4, test=24, seed=303, cache_dir=None).test
    root = tmp_path_factory.mktemp("labelled")
    for i, (clip, label) in enumerate(zip(test.audio, test.labels)):
        write_wav(root / _labels()[label] / f"spk{i}_nohash_0.wav", clip)
    write_wav(root / "silence" / "zeros.wav", np.zeros(16000, np.int16))  # allowed for silence
    return root


def _labels():
    return ("silence", "unknown", "yes", "no")


def test_each_file_gets_the_cli_answer_and_the_counts_add_up(folder):
    result = evaluate_folder(folder)
    assert result.labels == _labels()
    assert result.counts.sum() == len(result.files) == len(list(folder.glob("*/*.wav")))
    for path, truth, answer in zip(result.files, result.truth, result.answers):
        assert result.labels[truth] == path.parent.name
        if path.name != "zeros.wav":
            assert predict_file(path).label == result.labels[answer]
    assert np.array_equal(result.counts.sum(axis=1),
                          [len(list((folder / n).glob("*.wav"))) for n in result.labels])
    wrong = result.misses()
    assert len(wrong) == int(result.counts.sum() - np.trace(result.counts))
    assert all(t != a for _, t, a, _ in wrong)
    assert result.balanced == pytest.approx(np.mean(list(result.per_class.values())))


def test_balanced_accuracy_weighs_every_class_alike():
    counts = np.array([[90, 10], [5, 5]])  # 0.9 and 0.5
    assert balanced_accuracy(counts) == pytest.approx(0.7)
    absent = np.array([[3, 1], [0, 0]])  # a folder without the second class
    assert balanced_accuracy(absent, skip_absent=True) == pytest.approx(0.75)
    with pytest.raises(TinyMLError, match="every class"):
        balanced_accuracy(absent)
    with pytest.raises(TinyMLError):
        balanced_accuracy(np.zeros((2, 2), int), skip_absent=True)


def test_bad_folders_are_refused_with_the_fix(tmp_path, folder):
    with pytest.raises(TinyMLError, match="not a folder"):
        evaluate_folder(tmp_path / "missing")
    with pytest.raises(TinyMLError, match="no <label>"):
        evaluate_folder(tmp_path)
    write_wav(tmp_path / "maybe" / "a.wav", np.ones(16000, np.int16))
    with pytest.raises(TinyMLError, match="not labels"):
        evaluate_folder(tmp_path)


def test_stream_plays_every_file_once_at_the_sketch_cadence(folder):
    played = stream_folder(folder, seed=1)
    files = list(folder.glob("*/*.wav"))
    keyword_files = list(folder.glob("yes/*.wav")) + list(folder.glob("no/*.wav"))
    assert played.seconds == len(files)
    assert played.score.events == len(keyword_files)
    assert played.score.hits + played.score.misses == played.score.events
    assert played.every == cadence.rows_per_invoke(
        load_deployed(default_sketch("wake_word")).invoke_instructions)
    assert played.false_alarms_per_hour == pytest.approx(
        played.score.false_alarms * 3600 / len(files))
    clips, _ = speech.read_labelled_folder(folder, _labels())
    with pytest.raises(TinyMLError, match="at most once"):
        speech.make_stream(clips, clips=len(clips) + 1, replace=False)


def test_benchmark_script_prints_the_figures(folder):
    done = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "wake_word_real.py"),
                           str(folder), "--misses", "--stream"], capture_output=True, text=True,
                          check=True)
    result = evaluate_folder(folder)
    assert f"balanced accuracy: {result.balanced:.3f}" in done.stdout
    assert f"lowest class: {min(result.per_class.values()):.3f}" in done.stdout
    assert done.stdout.count("  no/") + done.stdout.count("  yes/") + \
        done.stdout.count("  unknown/") + done.stdout.count("  silence/") == len(result.misses())
    played = stream_folder(folder)
    assert f"{played.score.events} keywords said, {played.score.hits} detected" in done.stdout
