"""`python -m tinyml_lab predict wake_word FILE.wav [--json]`: the committed sketch's model,
through the sketch's frontend, in TFLM, on a recording; bad recordings get clear errors."""

import json
import subprocess
import sys

import numpy as np
import pytest

from tinyml_lab.chapters.wake_word import data as speech
from tinyml_lab.chapters.wake_word.audio import resample, write_wav
from tinyml_lab.chapters.wake_word.spotter import KeywordSpotter, sketch_model
from tinyml_lab.cli import main
from tinyml_lab.core.deployed import Prediction
from tinyml_lab.predict import predict, predictor_names


@pytest.fixture(scope="module")
def clips():
    test = speech.make_synthetic_speech(train=4, val=4, test=40, seed=202, cache_dir=None).test
    return test


@pytest.fixture(scope="module")
def spotter():
    model, labels, arena = sketch_model()
    return KeywordSpotter(model, labels)  # host runtime: its own default arena


def test_json_output_is_the_sketch_models_answer(tmp_path, clips, spotter, capsys):
    for i in range(6):
        path = write_wav(tmp_path / f"clip{i}.wav", clips.audio[i])
        assert main(["predict", "wake_word", str(path), "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert set(out) == {"label", "scores"}
        assert list(out["scores"]) == ["silence", "unknown", "yes", "no"]
        expected = spotter.scores(clips.audio[i])[0]
        assert np.allclose([out["scores"][k] for k in out["scores"]], expected)
        assert out["label"] == spotter.labels[int(np.argmax(expected))]
        assert sum(out["scores"].values()) == pytest.approx(1.0, abs=0.02)


def test_table_output_and_keywords_are_recognised(tmp_path, clips, capsys):
    keyword_rows = [i for i in range(len(clips)) if clips.labels[i] >= 2][:8]
    right = 0
    for i in keyword_rows:
        path = write_wav(tmp_path / f"k{i}.wav", clips.audio[i])
        assert main(["predict", "wake_word", str(path)]) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[0].startswith("wake_word: ")
        right += out.splitlines()[0] == f"wake_word: {clips.words[i]}"
        assert "silence" in out and "unknown" in out
    assert right >= len(keyword_rows) - 2  # an unheard voice now and then is misheard


def test_other_rates_and_lengths_are_converted_and_said_so(tmp_path, clips, spotter, capsys):
    clip = clips.audio[0]
    at_44k = resample(clip, 16000, 44100)
    path = write_wav(tmp_path / "44k.wav", at_44k, sample_rate=44100)
    assert main(["predict", "wake_word", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert "note: resampled from 44100 Hz to 16000 Hz" in captured.err
    assert json.loads(captured.out)["label"] in spotter.labels
    long = np.concatenate([np.zeros(16000, np.int16), clip, np.zeros(8000, np.int16)])
    path = write_wav(tmp_path / "long.wav", long)
    assert main(["predict", "wake_word", str(path)]) == 0
    assert "loudest second" in capsys.readouterr().err


@pytest.mark.parametrize("kind, message", [
    ("stereo", "2 channels"), ("empty", "no samples"), ("silent", "every sample is zero"),
    ("text", "not a WAV file"), ("missing", "no such file"),
])
def test_bad_recordings_exit_2_with_the_fix(tmp_path, kind, message, capsys):
    import wave

    path = tmp_path / f"{kind}.wav"
    if kind in ("stereo", "empty", "silent"):
        with wave.open(str(path), "wb") as w:
            w.setnchannels(2 if kind == "stereo" else 1)
            w.setsampwidth(2)
            w.setframerate(16000)
            n = {"stereo": 16000, "empty": 0, "silent": 16000}[kind]
            w.writeframes(np.zeros(n * (2 if kind == "stereo" else 1), np.int16).tobytes())
    elif kind == "text":
        path.write_text("hello, I am not a recording")
    assert main(["predict", "wake_word", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err


def test_unknown_chapter_is_refused(tmp_path, capsys):
    assert main(["predict", "no_such_chapter", str(tmp_path / "x.wav")]) == 2
    assert "No predictor for 'no_such_chapter'" in capsys.readouterr().err
    assert "wake_word" in predictor_names()


def test_a_sketch_without_a_model_is_a_clear_error(tmp_path, clips):
    from tinyml_lab.chapters.wake_word.predict import predict_file
    from tinyml_lab.core.errors import TinyMLError

    path = write_wav(tmp_path / "a.wav", clips.audio[0])
    with pytest.raises(TinyMLError, match="no generated model"):
        predict_file(path, sketch_dir=tmp_path)


def test_predict_dispatch_and_module_entry_point(tmp_path, clips):
    path = write_wav(tmp_path / "a.wav", clips.audio[1])
    result = predict("wake_word", path)
    assert isinstance(result, Prediction) and result.label in result.scores
    done = subprocess.run([sys.executable, "-m", "tinyml_lab", "predict", "wake_word", str(path),
                           "--json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and json.loads(done.stdout) == result.as_dict()
