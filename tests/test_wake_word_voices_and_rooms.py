"""What makes the synthetic speech sound like people in rooms: the neural voice (Piper + joe),
people's speaking rates, the shipped room recordings, microphones that colour, offset and
clip. Small sets only: Piper speaks about three words a second."""

import numpy as np
import pytest

from tinyml_lab.chapters.wake_word import data as speech
from tinyml_lab.chapters.wake_word import neural_voice, noise
from tinyml_lab.chapters.wake_word.audio import read_wav


def test_room_recordings_ship_and_are_cropped_not_changed():
    tracks = noise.recordings()
    files = sorted(noise.RECORDINGS_DIR.glob("*.wav"))
    assert len(tracks) == len(files) >= 4
    assert all(len(t) >= 9 * 16000 for t in tracks)
    crop = noise.recorded(16000, np.random.default_rng(0))
    assert noise.rms(crop) == pytest.approx(1.0)
    replay = np.random.default_rng(0)  # the same draws: which recording, where
    track = tracks[int(replay.integers(len(tracks)))]
    start = int(replay.integers(0, len(track) - 16000))
    stretch = track[start:start + 16000]
    assert np.allclose(crop, stretch / noise.rms(stretch))  # a real stretch, only scaled
    assert all(read_wav(f).original_rate == 16000 for f in files)


def test_microphone_colour_keeps_the_band_and_varies():
    rng = np.random.default_rng(1)
    white = rng.standard_normal(16000)
    spectra = []
    for _ in range(20):
        y = noise.tone_colour(white, rng)
        p = np.abs(np.fft.rfft(y)) ** 2
        f = np.fft.rfftfreq(16000, 1 / 16000)
        spectra.append(10 * np.log10(p[(f > 7800)].mean() / p[(f > 800) & (f < 1200)].mean()))
        assert p[f < 20].mean() < p[(f > 800) & (f < 1200)].mean()  # the high-pass
    assert -45 < min(spectra) and max(spectra) < 10  # dull to bright, never a whistle
    assert np.ptp(spectra) > 10  # and microphones differ


def test_some_microphones_boost_the_bass_as_close_talking_does():
    rng = np.random.default_rng(5)
    white = rng.standard_normal(16000)
    f = np.fft.rfftfreq(16000, 1 / 16000)
    bass = []
    for _ in range(60):
        p = np.abs(np.fft.rfft(noise.tone_colour(white, rng))) ** 2
        bass.append(10 * np.log10(p[(f > 100) & (f < 200)].mean()
                                  / p[(f > 800) & (f < 1200)].mean()))
    bass = np.array(bass)
    assert np.mean(bass > 3) > 0.15  # a proximity effect lifts the lows above the mids
    assert np.mean(bass < -3) > 0.05  # a small capsule's high-pass cuts them
    assert bass.max() < 25  # at most the dull tilt (12 dB) and the shelf (12 dB)


def test_speaking_rates_are_peoples():
    rng = np.random.default_rng(2)
    plans = [speech._plan_utterance("no", rng, ("m1", "f2")) for _ in range(400)]
    rates = np.array([u.voice.rate for u in plans])
    assert rates.min() >= 100 and rates.max() <= 260
    assert np.mean(rates < 161) == pytest.approx(0.5, abs=0.1)  # log-uniform: half below 161


def test_espeak_words_last_as_long_as_peoples():
    from tinyml_lab.chapters.wake_word.espeak import speak_batch

    rng = np.random.default_rng(3)
    plans = [speech._plan_utterance(w, rng, ("m3", "f1")) for w in ("yes", "no") * 20]
    rate, sounds = speak_batch([(u.text, u.voice) for u in plans])
    seconds = [len(speech._trim(s / 32768.0, rate, -20.0)) / rate / u.speed
               for s, u in zip(sounds, plans)]
    # Speech Commands' speakers: 0.25 to 0.65 s (10th to 90th percentile, loud part)
    assert 0.2 < np.median(seconds) < 0.5 and max(seconds) < 0.9


def test_neural_voice_is_deterministic_and_its_variants_differ():
    requests = [neural_voice.NeuralRequest("no", 1.0, v) for v in range(3)]
    rate, first = neural_voice.speak_batch(requests)
    _, again = neural_voice.speak_batch(requests)
    assert rate == 22050
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert len({"".join(neural_voice.phonemes(r)) for r in requests}) == 3
    assert not np.array_equal(first[0][:8000], first[1][:8000])
    slow = neural_voice.speak_batch([neural_voice.NeuralRequest("no", 1.5)])[1][0]
    assert len(slow) > len(first[0])
    assert 0.15 < len(speech._trim(first[0] / 32768.0, rate, -20.0)) / rate < 0.8
    with pytest.raises(neural_voice.NeuralVoiceError, match="length_scale"):
        neural_voice.speak_batch([neural_voice.NeuralRequest("no", 9.0)])


def test_neural_words_are_in_training_only_and_deterministic():
    data = speech.make_synthetic_speech(train=40, val=8, test=8, seed=4, neural_fraction=0.5,
                                        cache_dir=None)
    neural = [w for w, s in zip(data.train.words, data.train.speakers) if s == neural_voice.NAME]
    assert 8 <= len(neural) <= 28 and {"yes", "no"} <= set(neural)
    assert neural_voice.NAME not in data.val.speakers + data.test.speakers
    assert "Piper" in data.source
    for label, word in zip(data.train.labels, data.train.words):
        assert (word == data.labels[label]) if label >= 2 else (label != 1 or word not in
                                                                ("yes", "no"))
    again = speech.make_synthetic_speech(train=40, val=8, test=8, seed=4, neural_fraction=0.5,
                                         cache_dir=None)
    assert np.array_equal(data.train.audio, again.train.audio)
    with pytest.raises(speech.TinyMLError, match="neural_fraction"):
        speech.make_synthetic_speech(train=40, val=8, test=8, neural_fraction=1.5,
                                     cache_dir=None)


def test_microphones_offset_and_sometimes_clip():
    rng = np.random.default_rng(5)
    quiet = np.zeros(16000)
    outs = [speech._microphone(quiet + 0.5 * np.sin(np.arange(16000) / 5.0), rng)
            for _ in range(400)]
    assert all(o.dtype == np.int16 for o in outs)
    offsets = np.array([o.mean() for o in outs]) / 32768
    assert 0.15 < np.mean(np.abs(offsets) > 1e-3) < 0.4 and np.abs(offsets).max() < 0.03  # 1 % of full scale, maybe amplified
    clipped = np.mean([np.any(np.abs(o) >= 32767) for o in outs])
    assert 0.0 < clipped < 0.1
