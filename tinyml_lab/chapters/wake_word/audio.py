"""Audio in and out: read and write WAV files, resample, fit clips to one second.

Everything the course does with sound starts as 16 kHz mono 16-bit samples, the format of
the board's microphone and of Speech Commands. Reading is strict: a file that is not a
WAV, is stereo, empty or silent, or claims a sample rate no recorder uses, gets an error
that says what is wrong and how to fix it, because a model fed the wrong audio gives a
confident wrong answer instead of an error. The RIFF chunks are read here, not by the
`wave` module, which (before Python 3.12) refuses WAVE_FORMAT_EXTENSIBLE files: plain PCM
in the extensible header that many recorders write for 24-bit or multichannel audio.
"""

from __future__ import annotations

import os
import struct
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.validate import require_path

SAMPLE_RATE = 16000  # Hz: the board's PDM microphone setting and Speech Commands' rate
CLIP_SAMPLES = SAMPLE_RATE  # one-second clips
# Sample rates a recording can really have: telephone-grade 8 kHz and below down to 1 kHz,
# up to the 384 kHz of studio converters. Outside it the header is broken (a 1 Hz header
# would have one second of audio become hours at 16 kHz, and gigabytes of memory).
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 1_000, 384_000
WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_EXTENSIBLE = 0x0001, 0x0003, 0xFFFE
# the 16-byte GUID of a WAVE_FORMAT_EXTENSIBLE sub-format: its first 2 bytes are the plain
# format tag, the other 14 these (KSDATAFORMAT_SUBTYPE_PCM and friends)
_GUID_TAIL = bytes.fromhex("000000001000800000aa00389b71")


class AudioFileError(TinyMLError):
    """An audio file the course cannot use as it is (format, channels, length, content)."""


@dataclass(frozen=True)
class WavAudio:
    """Samples of one WAV file as int16, with what had to be done to them on the way in."""

    samples: np.ndarray  # int16, mono
    sample_rate: int
    original_rate: int
    notes: tuple[str, ...] = ()


def read_wav(path: str | Path, sample_rate: int | None = SAMPLE_RATE,
             allow_silent: bool = False) -> WavAudio:
    """A mono PCM WAV as int16 samples; resampled to `sample_rate` (saying so in notes).

    Refuses, naming the fix: a missing or non-WAV file, more than one channel, float or
    compressed WAVs, a sample rate outside 1 kHz-384 kHz, no samples, and (unless
    allow_silent) a file with nothing but zeros. Plain PCM in a WAVE_FORMAT_EXTENSIBLE
    header is read like any PCM; a trailing partial sample is dropped, with a note.
    """
    path = require_path(path, "path")
    if not path.is_file():
        raise AudioFileError(f"{path}: no such file. Give the path of a .wav recording.")
    wav = _read_riff(path)
    notes = list(wav.notes)
    if wav.channels != 1:
        raise AudioFileError(
            f"{path}: {wav.channels} channels (stereo or more); the board listens with one "
            f"microphone. Mix it down to mono first, e.g. `sox {path.name} -c 1 mono.wav`."
        )
    if not MIN_SAMPLE_RATE <= wav.rate <= MAX_SAMPLE_RATE:
        raise AudioFileError(
            f"{path}: the header says {wav.rate} samples per second, outside the "
            f"{MIN_SAMPLE_RATE:,}-{MAX_SAMPLE_RATE:,} Hz of real recordings: the file is "
            f"damaged. Record it again, or re-save it at 16 kHz, e.g. `sox {path.name} "
            "-r 16000 out.wav`."
        )
    samples = _pcm_to_int16(wav.raw, wav.width, path)
    if samples.size == 0:
        raise AudioFileError(f"{path}: the WAV file holds no samples (an empty recording). "
                             "Record at least a second of sound.")
    if not allow_silent and not np.any(samples):
        raise AudioFileError(f"{path}: every sample is zero (a silent recording). Check that "
                             "the microphone was on and unmuted, then record again.")
    if wav.width != 2:
        notes.append(f"converted {8 * wav.width}-bit samples to 16-bit")
    if sample_rate is not None and wav.rate != sample_rate:
        samples = resample(samples, wav.rate, sample_rate)
        notes.append(f"resampled from {wav.rate} Hz to {sample_rate} Hz")
    return WavAudio(samples, sample_rate or wav.rate, wav.rate, tuple(notes))


@dataclass(frozen=True)
class _PCM:
    channels: int
    width: int  # bytes per sample
    rate: int
    raw: bytes  # whole frames only
    notes: tuple[str, ...]


def _not_a_wav(path: Path, why: str, kind: str = "not a WAV file") -> AudioFileError:
    return AudioFileError(
        f"{path}: {kind} ({why}). Save the recording as 16-bit PCM WAV, e.g. "
        f"`sox {path.name} -b 16 -e signed-integer out.wav` or Audacity's "
        "'WAV (Microsoft) signed 16-bit PCM'."
    )


def _read_riff(path: Path) -> _PCM:
    """The fmt and data chunks of a RIFF WAVE file, checked."""
    data = path.read_bytes()
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise _not_a_wav(path, "no RIFF/WAVE header")
    fmt = pcm = None
    notes = []
    pos = 12
    while pos + 8 <= len(data) and (fmt is None or pcm is None):
        chunk, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8:pos + 8 + size]
        if chunk == b"fmt ":
            fmt = body
        elif chunk == b"data":
            pcm = body
            if len(body) < size:
                notes.append(f"the file ends {size - len(body):,} bytes before its header "
                             "says: read what is there")
        pos += 8 + size + (size & 1)  # chunks are padded to an even size
    if fmt is None or len(fmt) < 16:
        raise _not_a_wav(path, "no format chunk")
    tag, channels, rate, _, block, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == WAVE_FORMAT_EXTENSIBLE:
        if len(fmt) < 40 or fmt[26:40] != _GUID_TAIL:
            raise _not_a_wav(path, "an extensible format chunk without a known sub-format",
                             "a compressed or float WAV")
        tag = struct.unpack_from("<H", fmt, 24)[0]
    if tag != WAVE_FORMAT_PCM:
        what = "32/64-bit float samples" if tag == WAVE_FORMAT_IEEE_FLOAT else \
            f"format tag 0x{tag:04x}"
        raise _not_a_wav(path, what, "a compressed or float WAV")
    if channels == 0 or block == 0 or block % channels or not 1 <= block // channels <= 4:
        raise _not_a_wav(path, f"{channels} channels of {bits}-bit samples in {block}-byte "
                               "frames do not add up: the header is damaged")
    if pcm is None:
        raise _not_a_wav(path, "no data chunk")
    whole = len(pcm) - len(pcm) % block
    if whole != len(pcm):
        notes.append(f"dropped {len(pcm) - whole} byte(s) of an incomplete last sample")
    return _PCM(channels, block // channels, rate, pcm[:whole], tuple(notes))


def _pcm_to_int16(raw: bytes, width: int, path: Path) -> np.ndarray:
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.int16)
    if width == 1:  # 8-bit WAV is unsigned
        return ((np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    if width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8  # sign lands in bit 31
        return (value >> 16).astype(np.int16)
    if width == 4:
        return (np.frombuffer(raw, dtype="<i4") >> 16).astype(np.int16)
    raise AudioFileError(f"{path}: {8 * width}-bit samples are not supported; save it as "
                         "16-bit PCM WAV.")


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write int16 (or float in [-1, 1]) mono samples as a 16-bit PCM WAV, atomically."""
    path = Path(path)
    samples = np.asarray(samples)
    if samples.dtype.kind == "f":
        samples = to_int16(samples)
    if samples.ndim != 1:
        raise AudioFileError(f"Expected mono samples (one dimension), got shape {samples.shape}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with wave.open(tmp, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(int(sample_rate))
            wav.writeframes(samples.astype("<i2").tobytes())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def to_int16(audio: np.ndarray) -> np.ndarray:
    """Float audio in [-1, 1] -> int16, clipping what goes beyond full scale."""
    return np.clip(np.round(np.asarray(audio, dtype=np.float64) * 32767.0),
                   -32768, 32767).astype(np.int16)


def resample(samples: np.ndarray, from_rate: float, to_rate: float) -> np.ndarray:
    """Band-limited resampling by FFT (zero-padding or truncating the spectrum).

    Exact for one clip at a time and needs nothing beyond numpy; the output has
    round(len * to_rate / from_rate) samples and the input's dtype (int16 is clipped).
    """
    samples = np.asarray(samples)
    n_in = samples.shape[-1]
    n_out = round(n_in * float(to_rate) / float(from_rate))
    if n_in == 0 or n_out == n_in:
        return samples.copy()
    x = samples.astype(np.float64)
    spectrum = np.fft.rfft(x)
    keep = min(len(spectrum), n_out // 2 + 1)
    out_spec = np.zeros(n_out // 2 + 1, dtype=complex)
    out_spec[:keep] = spectrum[:keep]
    if n_out < n_in and n_out % 2 == 0:  # the new Nyquist bin holds a real value only
        out_spec[-1] = out_spec[-1].real
    y = np.fft.irfft(out_spec, n_out) * (n_out / n_in)
    if samples.dtype == np.int16:
        return np.clip(np.round(y), -32768, 32767).astype(np.int16)
    return y.astype(samples.dtype if samples.dtype.kind == "f" else np.float64)


def fit_to_clip(samples: np.ndarray, length: int = CLIP_SAMPLES) -> tuple[np.ndarray, str | None]:
    """Exactly `length` samples: shorter audio is zero-padded at the end (as Speech
    Commands' own loader does), longer audio gives its loudest `length`-sample stretch.
    Returns (clip, note or None)."""
    samples = np.asarray(samples)
    n = len(samples)
    if n == length:
        return samples, None
    if n < length:
        clip = np.zeros(length, dtype=samples.dtype)
        clip[:n] = samples
        return clip, f"padded {n / SAMPLE_RATE:.2f} s of audio with silence to 1 s"
    energy = np.cumsum(np.concatenate([[0.0], samples.astype(np.float64) ** 2]))
    hop = SAMPLE_RATE // 100  # look at 10-ms steps
    starts = np.arange(0, n - length + 1, hop)
    best = int(starts[np.argmax(energy[starts + length] - energy[starts])])
    note = (f"the recording is {n / SAMPLE_RATE:.2f} s long; used its loudest second, "
            f"{best / SAMPLE_RATE:.2f} s to {(best + length) / SAMPLE_RATE:.2f} s")
    return samples[best:best + length], note
