"""The wake-word notebook in quick mode, as `python -m tinyml_lab course --quick` runs it
(the session's shared quick_course fixture: no second run here)."""

import pytest

pytestmark = pytest.mark.notebooks


def test_wake_word_summary(quick_course):
    out, summaries, _ = quick_course
    summary = summaries["wake_word"]
    assert summary.chapter == "02_wake_word"
    assert summary.fits and summary.int8_bytes <= 18800
    assert summary.arena_bytes % 16 == 0 and summary.arena_bytes > 0
    # quick mode trains a few epochs on a small set; chance is 0.25
    assert 0.4 <= summary.metric <= 1.0
    folder = out / "02_wake_word"
    assert (folder / "wake_word_int8.tflite").is_file()
    assert (folder / "sketches" / "wake_word" / "model_data.cc").is_file()
    assert (folder / "sketches" / "wake_word" / "wake_word.ino").is_file()
