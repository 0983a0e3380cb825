"""Speech data for the wake-word chapter: WAV reading, the espeak-ng binding, generated
backgrounds, the synthetic set, and the Speech Commands and folder loaders (on small data
made here: no network in tests)."""

import hashlib
import io
import tarfile
import wave

import numpy as np
import pytest

from tinyml_lab.chapters.wake_word import audio, noise
from tinyml_lab.chapters.wake_word import data as speech
from tinyml_lab.chapters.wake_word.espeak import SpeechEngineError, Voice, engine, speak_batch
from tinyml_lab.core.errors import TinyMLError


def _wav_bytes(samples, rate=16000, channels=1, width=2):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(np.asarray(samples).tobytes())
    return buffer.getvalue()


def _tone(seconds=1.0, rate=16000, hz=440.0, amplitude=8000):
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.int16)


# ------------------------------------------------------------------ WAV files


def test_wav_round_trip(tmp_path):
    tone = _tone()
    path = audio.write_wav(tmp_path / "a.wav", tone)
    got = audio.read_wav(path)
    assert np.array_equal(got.samples, tone) and got.sample_rate == 16000 and not got.notes


def test_other_rates_are_resampled_and_say_so(tmp_path):
    path = tmp_path / "44k.wav"
    path.write_bytes(_wav_bytes(_tone(rate=44100, hz=1000), rate=44100))
    got = audio.read_wav(path)
    assert len(got.samples) == 16000 and got.original_rate == 44100
    assert any("resampled from 44100 Hz to 16000 Hz" in n for n in got.notes)
    spectrum = np.abs(np.fft.rfft(got.samples.astype(float)))
    assert abs(np.argmax(spectrum) - 1000) <= 1  # still a 1 kHz tone


@pytest.mark.parametrize("width", [1, 3, 4])
def test_other_sample_widths_become_16_bit(tmp_path, width):
    tone = _tone(hz=300, amplitude=20000).astype(np.int32)
    if width == 1:
        raw = ((tone >> 8) + 128).astype(np.uint8)
    elif width == 3:
        v = (tone << 8).astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3]
        raw = np.ascontiguousarray(v)
    else:
        raw = (tone << 16).astype("<i4")
    path = tmp_path / f"w{width}.wav"
    path.write_bytes(_wav_bytes(raw, width=width))
    got = audio.read_wav(path)
    assert np.max(np.abs(got.samples.astype(int) - tone)) <= (256 if width == 1 else 0)
    assert any("16-bit" in n for n in got.notes)


def test_bad_wavs_get_errors_that_say_what_to_do(tmp_path):
    stereo = tmp_path / "stereo.wav"
    stereo.write_bytes(_wav_bytes(np.zeros(3200, np.int16) + 5, channels=2))
    with pytest.raises(audio.AudioFileError, match="2 channels.*mono"):
        audio.read_wav(stereo)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(_wav_bytes(np.zeros(0, np.int16)))
    with pytest.raises(audio.AudioFileError, match="no samples"):
        audio.read_wav(empty)
    silent = tmp_path / "silent.wav"
    silent.write_bytes(_wav_bytes(np.zeros(16000, np.int16)))
    with pytest.raises(audio.AudioFileError, match="every sample is zero"):
        audio.read_wav(silent)
    assert len(audio.read_wav(silent, allow_silent=True).samples) == 16000
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    with pytest.raises(audio.AudioFileError, match="not a WAV file.*16-bit PCM"):
        audio.read_wav(text)
    with pytest.raises(audio.AudioFileError, match="no such file"):
        audio.read_wav(tmp_path / "missing.wav")


def test_float_wavs_are_refused_with_the_fix(tmp_path):
    data = _wav_bytes(np.zeros(100, np.int16))
    float_wav = data[:20] + (3).to_bytes(2, "little") + data[22:]  # format tag 3: IEEE float
    path = tmp_path / "float.wav"
    path.write_bytes(float_wav)
    with pytest.raises(audio.AudioFileError, match="compressed or float WAV.*16-bit"):
        audio.read_wav(path)


def test_fit_to_clip_pads_short_and_picks_the_loudest_second():
    short, note = audio.fit_to_clip(np.ones(8000, np.int16))
    assert len(short) == 16000 and short[8000:].sum() == 0 and "padded" in note
    long = np.zeros(48000, np.int16)
    long[30000:31000] = 10000
    clip, note = audio.fit_to_clip(long)
    assert len(clip) == 16000 and clip.sum() == long.sum() and "loudest second" in note
    same, note = audio.fit_to_clip(np.ones(16000, np.int16))
    assert note is None and len(same) == 16000


# ------------------------------------------------------------------ espeak-ng


def test_espeak_speaks_every_accent_deterministically():
    e = engine()
    assert e.sample_rate == 22050
    for accent in speech.ACCENTS:
        a = e.speak("yes", Voice(accent))
        assert a.dtype == np.int16 and 2000 < len(a) < 30000 and np.abs(a).max() > 1000
    slow = e.speak("no", Voice("en-us", rate=80))
    fast = e.speak("no", Voice("en-us", rate=300))
    assert len(slow) > 1.5 * len(fast)
    # a fresh engine per batch: the same requests give the same samples
    requests = [("no", Voice("en-us", "f3", rate=120, pitch=70)), ("yes?", Voice("en", "klatt"))]
    e.speak("something else first", Voice("en-029", "m2"))
    rate, first = speak_batch(requests, seed=3)
    rate2, second = speak_batch(requests, seed=3)
    assert rate == rate2 == 22050 and len(first) == 2
    assert all(np.array_equal(a, b) and len(a) > 2000 for a, b in zip(first, second))


def test_unknown_voice_is_a_clear_error():
    with pytest.raises(SpeechEngineError, match="no voice 'xx-nowhere'"):
        engine().speak("yes", Voice("xx-nowhere"))


# ------------------------------------------------------------------ backgrounds


def _slope(x):
    """Power ratio (dB) between 2-4 kHz and 100-300 Hz."""
    p = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / 16000)
    return 10 * np.log10(p[(f > 2000) & (f < 4000)].mean() / p[(f > 100) & (f < 300)].mean())


def test_noise_colours_tilt_the_right_way():
    rng = np.random.default_rng(0)
    slopes = {c: _slope(noise.coloured_noise(32000, c, rng)) for c in noise.COLOURS}
    assert abs(slopes["white"]) < 2
    assert slopes["brown"] < slopes["pink"] < -5 < slopes["white"] < 5 < slopes["blue"]
    for c in noise.COLOURS:
        assert noise.rms(noise.coloured_noise(16000, c, rng)) == pytest.approx(1.0)


def test_hum_sits_on_mains_frequencies():
    x = noise.hum(16000, np.random.default_rng(2))
    f = np.fft.rfftfreq(16000, 1 / 16000)
    peak = f[np.argmax(np.abs(np.fft.rfft(x))[:1000])]
    assert min(abs(peak / 50 - round(peak / 50)), abs(peak / 60 - round(peak / 60))) < 0.05


def test_room_impulse_decays():
    h = noise.room_impulse(np.random.default_rng(0), rt60=0.4)
    assert h[0] == 1.0
    tail = h[1:]
    early, late = np.abs(tail[: len(tail) // 4]).mean(), np.abs(tail[-len(tail) // 4:]).mean()
    assert late < early / 10
    x = np.zeros(100)
    x[0] = 1.0
    assert np.allclose(noise.convolve(x, np.array([1.0, 0.5])), np.r_[1.0, 0.5, np.zeros(98)])


# ------------------------------------------------------------------ synthetic speech


@pytest.fixture(scope="module")
def small_set(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    return speech.make_synthetic_speech(train=40, val=12, test=12, seed=5, cache_dir=cache), cache


def test_synthetic_set_shapes_labels_and_source(small_set):
    data, _ = small_set
    assert data.labels == ("silence", "unknown", "yes", "no")
    assert "offline" in data.source and "espeak-ng" in data.source
    for split in (data.train, data.val, data.test):
        assert split.audio.shape == (len(split), 16000) and split.audio.dtype == np.int16
        assert set(np.unique(split.labels)) == {0, 1, 2, 3}
        for label, word in zip(split.labels, split.words):
            if label >= 2:
                assert word == data.labels[label]
            elif label == 1:
                assert word not in ("yes", "no") and word
            else:
                assert word == ""
    counts = data.train.counts(data.labels)
    assert counts == {"silence": 6, "unknown": 12, "yes": 11, "no": 11}


def test_test_voices_are_never_heard_in_training(small_set):
    data, _ = small_set
    train = {s.split("+")[1] for s in data.train.speakers if s}
    test = {s.split("+")[1] for s in data.test.speakers if s}
    assert test and train and not (train & test)
    groups = speech.split_variants()
    assert not set(groups["train"]) & set(groups["test"])
    assert not set(groups["val"]) & set(groups["test"])
    assert not set(groups["train"]) & set(speech.ROBOTIC_VARIANTS)


def test_synthetic_set_is_deterministic_and_cached(small_set):
    data, cache = small_set
    files = list(cache.glob("synthetic_speech_*.npz"))
    assert len(files) == 1
    again = speech.make_synthetic_speech(train=40, val=12, test=12, seed=5, cache_dir=cache)
    assert again.from_cache and not data.from_cache
    fresh = speech.make_synthetic_speech(train=40, val=12, test=12, seed=5, cache_dir=None)
    for a, b, c in zip((data.train, data.test), (again.train, again.test),
                       (fresh.train, fresh.test)):
        assert np.array_equal(a.audio, b.audio) and np.array_equal(a.audio, c.audio)
        assert a.words == b.words == c.words and a.speakers == c.speakers
    other = speech.make_synthetic_speech(train=40, val=12, test=12, seed=6, cache_dir=None)
    assert not np.array_equal(other.train.audio, data.train.audio)


def test_clips_are_speech_in_noise_not_clipping(small_set):
    data, _ = small_set
    levels = 20 * np.log10(np.sqrt(np.mean(data.train.audio.astype(float) ** 2, axis=1)) / 32768
                           + 1e-12)
    assert levels.min() > -100 and levels.max() < -3
    words = data.train.labels >= 1
    assert np.median(levels[words]) > np.median(levels[~words]) - 20
    assert np.mean(np.abs(data.train.audio) == 32767) < 0.001


def test_any_keywords_and_bad_requests(tmp_path):
    data = speech.make_synthetic_speech(("left", "right", "stop"), train=10, val=5, test=5,
                                        cache_dir=None)
    assert data.labels == ("silence", "unknown", "left", "right", "stop")
    assert "left" not in {w for w, l in zip(data.train.words, data.train.labels) if l == 1}
    with pytest.raises(TinyMLError, match="at least one keyword"):
        speech.make_synthetic_speech((), cache_dir=None)
    with pytest.raises(TinyMLError, match="distinct and not 'silence'"):
        speech.make_synthetic_speech(("yes", "silence"), cache_dir=None)
    with pytest.raises(TinyMLError, match="one clip per label"):
        speech.make_synthetic_speech(train=2, cache_dir=None)
    with pytest.raises(TinyMLError, match="leave room"):
        speech.make_synthetic_speech(silence_fraction=0.6, unknown_fraction=0.5, cache_dir=None)


# ------------------------------------------------------------------ Speech Commands


def _fake_speech_commands(tmp_path):
    """A miniature Speech Commands v0.02 archive with the real layout."""
    rng = np.random.default_rng(0)
    files = {}
    for word in ("yes", "no", "cat", "left"):
        for speaker in ("aaaa1111", "bbbb2222", "cccc3333", "dddd4444"):
            for n in range(2):
                hz = 300 + 50 * len(word)
                files[f"{word}/{speaker}_nohash_{n}.wav"] = _wav_bytes(
                    _tone(0.8, hz=hz, amplitude=3000 + n))
    files["_background_noise_/white_noise.wav"] = _wav_bytes(
        (rng.standard_normal(48000) * 1000).astype(np.int16))
    val = [k for k in files if k.split("/")[1].startswith("bbbb")]
    test = [k for k in files if k.split("/")[1].startswith("cccc")]
    files["validation_list.txt"] = "\n".join(val).encode() + b"\n"
    files["testing_list.txt"] = "\n".join(test).encode() + b"\n"
    tmp_path.mkdir(parents=True, exist_ok=True)
    archive = tmp_path / "speech_commands_v0.02.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"./{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive, hashlib.sha256(archive.read_bytes()).hexdigest()


def test_speech_commands_loader_downloads_checks_and_splits(tmp_path):
    archive, digest = _fake_speech_commands(tmp_path / "server")
    root = tmp_path / "cache"
    data = speech.load_speech_commands(root=root, url=archive.as_uri(), sha256=digest)
    assert "Speech Commands v0.02" in data.source and "real" in data.source
    assert data.labels == ("silence", "unknown", "yes", "no")
    assert (root / "speech_commands_v0.02" / ".complete").is_file()
    assert set(data.val.speakers) - {""} == {"bbbb2222"}
    assert set(data.test.speakers) - {""} == {"cccc3333"}
    assert set(data.train.speakers) - {""} == {"aaaa1111", "dddd4444"}
    assert data.train.counts(data.labels)["yes"] == 4 and data.val.counts(data.labels)["no"] == 2
    unknown_words = {w for w, l in zip(data.train.words, data.train.labels) if l == 1}
    assert unknown_words and unknown_words <= {"cat", "left"}
    assert all(len(s) == len(s.audio) for s in (data.train, data.val, data.test))
    assert data.train.audio.shape[1] == 16000
    # a second call uses the cache: no download (the URL is gone now)
    archive.unlink()
    again = speech.load_speech_commands(root=root, url=archive.as_uri(), sha256=digest)
    assert np.array_equal(again.train.audio, data.train.audio)


def test_speech_commands_bad_checksum_and_no_network(tmp_path):
    archive, _ = _fake_speech_commands(tmp_path / "server")
    with pytest.raises(speech.DatasetDownloadError, match="SHA-256.*expected"):
        speech.load_speech_commands(root=tmp_path / "c1", url=archive.as_uri(), sha256="0" * 64)
    with pytest.raises(speech.DatasetDownloadError, match="Could not download.*offline"):
        speech.load_speech_commands(root=tmp_path / "c2",
                                    url=(tmp_path / "nowhere.tar.gz").as_uri())
    with pytest.raises(speech.DatasetDownloadError, match="download=False"):
        speech.load_speech_commands(root=tmp_path / "c3", download=False)


# ------------------------------------------------------------------ your own folder


def test_folder_loader_reads_labels_rates_and_speakers(tmp_path):
    for label in ("yes", "no", "unknown", "silence"):
        (tmp_path / "rec" / label).mkdir(parents=True)
        for speaker in range(12):
            rate = 8000 if speaker % 2 else 16000
            samples = (np.zeros(int(0.5 * rate), np.int16) if label == "silence"
                       else _tone(0.7, rate=rate, amplitude=1000 + speaker))
            (tmp_path / "rec" / label / f"s{speaker}_nohash_0.wav").write_bytes(
                _wav_bytes(samples, rate=rate))
    data = speech.load_folder(tmp_path / "rec", val_percent=20, test_percent=20)
    assert data.labels == ("silence", "unknown", "no", "yes")
    assert "your recordings" in data.source
    total = sum(len(s) for s in (data.train, data.val, data.test))
    assert total == 48 and data.train.audio.shape[1] == 16000
    for a, b in ((data.train, data.test), (data.train, data.val), (data.val, data.test)):
        assert not set(a.speakers) & set(b.speakers)


def test_folder_loader_errors(tmp_path):
    with pytest.raises(TinyMLError, match="not a folder"):
        speech.load_folder(tmp_path / "missing")
    (tmp_path / "only_silence" / "silence").mkdir(parents=True)
    (tmp_path / "only_silence" / "silence" / "a.wav").write_bytes(
        _wav_bytes(np.zeros(16000, np.int16)))
    with pytest.raises(TinyMLError, match="no keyword subfolder"):
        speech.load_folder(tmp_path / "only_silence")
    (tmp_path / "bad" / "yes").mkdir(parents=True)
    (tmp_path / "bad" / "yes" / "a.wav").write_bytes(_wav_bytes(np.zeros(3200, np.int16) + 3,
                                                                channels=2))
    with pytest.raises(audio.AudioFileError, match="a.wav: 2 channels"):
        speech.load_folder(tmp_path / "bad")


def test_noise_gate_is_open_around_the_word_only():
    gain = speech._gate(6000, 9000, np.random.default_rng(0))
    assert gain.shape == (16000,)
    assert np.allclose(gain[6000:9000], 1.0)
    assert gain[:2000].max() <= 10 ** (-30 / 20) and gain[13000:].max() <= 10 ** (-30 / 20)
    assert np.abs(np.diff(gain)).max() <= 1.0 / 320 + 1e-9  # 20-ms ramps, no clicks
