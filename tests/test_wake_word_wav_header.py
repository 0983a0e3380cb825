"""WAV headers as recorders and damaged files write them: impossible sample rates are
refused before any resampling (a 1 Hz header would take gigabytes), WAVE_FORMAT_EXTENSIBLE
PCM is read, odd byte counts and short data chunks are read as far as they go."""

import struct

import numpy as np
import pytest

from tinyml_lab.chapters.wake_word import audio
from tinyml_lab.cli import main

PCM_GUID_TAIL = bytes.fromhex("000000001000800000aa00389b71")


def _wav(samples: bytes, rate=16000, channels=1, bits=16, tag=1, extensible=False,
         data_size=None) -> bytes:
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 0xFFFE if extensible else tag, channels, rate,
                      (rate * block) % 2**32, block, bits)
    if extensible:
        fmt += struct.pack("<HHI", 22, bits, 0x4) + struct.pack("<H", tag) + PCM_GUID_TAIL
    size = len(samples) if data_size is None else data_size
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + \
        struct.pack("<I", size) + samples
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _tone(n=16000):
    return (8000 * np.sin(2 * np.pi * 440 * np.arange(n) / 16000)).astype("<i2")


@pytest.mark.parametrize("rate", [0, 1, 999, 384_001, 4_000_000_000])
def test_impossible_sample_rates_are_refused(tmp_path, rate):
    path = tmp_path / "bad.wav"
    path.write_bytes(_wav(_tone().tobytes(), rate=rate))
    with pytest.raises(audio.AudioFileError, match=f"says {rate} samples per second.*damaged"):
        audio.read_wav(path)


@pytest.mark.parametrize("rate", [1000, 384_000])
def test_the_extreme_real_rates_are_read(tmp_path, rate):
    path = tmp_path / "ok.wav"
    path.write_bytes(_wav(_tone(rate // 10).tobytes(), rate=rate))
    got = audio.read_wav(path)
    assert got.original_rate == rate and len(got.samples) == 1600


def test_a_one_hertz_header_is_one_line_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "one_hz.wav"
    path.write_bytes(_wav(_tone().tobytes(), rate=1))
    assert main(["predict", "wake_word", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "1,000-384,000 Hz" in err and len(err.splitlines()) == 1


def test_extensible_pcm_is_read_like_plain_pcm(tmp_path):
    tone = _tone()
    plain, ext = tmp_path / "plain.wav", tmp_path / "ext.wav"
    plain.write_bytes(_wav(tone.tobytes()))
    ext.write_bytes(_wav(tone.tobytes(), extensible=True))
    assert np.array_equal(audio.read_wav(ext).samples, audio.read_wav(plain).samples)
    # 24-bit samples, as many recorders write them in the extensible header
    packed = (tone.astype(np.int32) << 8).astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3]
    ext24 = tmp_path / "ext24.wav"
    ext24.write_bytes(_wav(np.ascontiguousarray(packed).tobytes(), bits=24, extensible=True))
    got = audio.read_wav(ext24)
    assert np.array_equal(got.samples, tone) and "converted 24-bit" in got.notes[0]


def test_extensible_float_and_compressed_are_refused(tmp_path):
    path = tmp_path / "float.wav"
    path.write_bytes(_wav(np.zeros(100, "<f4").tobytes(), bits=32, tag=3, extensible=True))
    with pytest.raises(audio.AudioFileError, match="compressed or float WAV.*float samples"):
        audio.read_wav(path)
    path.write_bytes(_wav(b"\x00" * 100, bits=4, tag=0x11))  # IMA ADPCM
    with pytest.raises(audio.AudioFileError, match="compressed or float WAV.*0x0011"):
        audio.read_wav(path)


def test_an_odd_byte_count_drops_the_partial_sample_and_says_so(tmp_path):
    tone = _tone()
    path = tmp_path / "odd.wav"
    path.write_bytes(_wav(tone.tobytes() + b"\x07"))
    got = audio.read_wav(path)
    assert np.array_equal(got.samples, tone)
    assert any("incomplete last sample" in note for note in got.notes)


def test_a_data_chunk_cut_short_is_read_as_far_as_it_goes(tmp_path):
    tone = _tone()
    path = tmp_path / "cut.wav"
    path.write_bytes(_wav(tone.tobytes(), data_size=10 * len(tone.tobytes())))
    got = audio.read_wav(path)
    assert np.array_equal(got.samples, tone) and "ends" in got.notes[0]


@pytest.mark.parametrize("damage", [b"RIFF\x00\x00", b"RIFX" + b"\x00" * 40,
                                    _wav(b"", channels=0), _wav(b"\x00\x01", bits=0)])
def test_damaged_headers_are_refused(tmp_path, damage):
    path = tmp_path / "damaged.wav"
    path.write_bytes(damage)
    with pytest.raises(audio.AudioFileError, match="16-bit PCM"):
        audio.read_wav(path)


def test_a_path_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="path must be a path"):
        audio.read_wav(16000)
