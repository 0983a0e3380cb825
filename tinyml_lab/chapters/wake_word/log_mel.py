"""The wake-word audio frontend: one second of 16 kHz audio -> a 49 x 40 log-mel spectrogram.

The geometry is TFLM micro_speech's: 30 ms windows (480 samples) every 20 ms (320 samples),
so one second gives 1 + (16000 - 480) // 320 = 49 frames, each summarised by 40 mel
channels between 125 Hz and 7.5 kHz. Per frame: Hann window, 512-point FFT, power,
triangular mel filters, decibels with a floor. The model's int8 input quantization turns
the decibels into int8.

This is the reference for arduino_sketches/wake_word/log_mel.h, which computes the same
thing in float on the board; tests compile that header with g++ and check the int8
features agree. Change a constant here and it must change there too (the test reads the
C++ constants and compares).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflm import quantize_int8

SAMPLE_RATE = 16000
WINDOW_SAMPLES = 480  # 30 ms
STRIDE_SAMPLES = 320  # 20 ms
FFT_SIZE = 512
FFT_BINS = FFT_SIZE // 2 + 1
MEL_CHANNELS = 40
LOWER_HZ = 125.0
UPPER_HZ = 7500.0
FLOOR_DB = -100.0  # quieter than any microphone; keeps log(0) out of the features
CLIP_SAMPLES = 16000
FRAMES = 1 + (CLIP_SAMPLES - WINDOW_SAMPLES) // STRIDE_SAMPLES  # 49
# The Hann window sums to WINDOW_SAMPLES / 2: dividing the power by its square puts a
# full-scale sine near 0 dB, so the features read as decibels below full scale.
POWER_NORM = 1.0 / (WINDOW_SAMPLES / 2) ** 2


def hann_window() -> np.ndarray:
    """Periodic Hann window of WINDOW_SAMPLES points (float64)."""
    n = np.arange(WINDOW_SAMPLES)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / WINDOW_SAMPLES)


def hz_to_mel(hz):
    return 1127.0 * np.log1p(np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel):
    return 700.0 * np.expm1(np.asarray(mel, dtype=np.float64) / 1127.0)


@lru_cache(maxsize=1)
def mel_bands() -> tuple[np.ndarray, np.ndarray]:
    """Per FFT bin: the mel edge it sits above (band, -1 outside 125 Hz..7.5 kHz) and its
    weight in channel `band` (the rising slope); channel `band - 1` gets 1 - weight (the
    falling slope). Neighbouring triangles overlap by half, so every bin feeds at most two
    channels: the board stores 257 (band, weight) pairs instead of a 40 x 257 matrix."""
    edges = mel_to_hz(np.linspace(hz_to_mel(LOWER_HZ), hz_to_mel(UPPER_HZ), MEL_CHANNELS + 2))
    freqs = np.arange(FFT_BINS) * SAMPLE_RATE / FFT_SIZE
    band = np.full(FFT_BINS, -1, dtype=np.int32)
    weight = np.zeros(FFT_BINS, dtype=np.float64)
    for k, f in enumerate(freqs):
        if f < edges[0] or f >= edges[-1]:
            continue
        j = int(np.searchsorted(edges, f, side="right") - 1)  # edges[j] <= f < edges[j+1]
        band[k] = j
        weight[k] = (f - edges[j]) / (edges[j + 1] - edges[j])
    return band, weight


@lru_cache(maxsize=1)
def mel_matrix() -> np.ndarray:
    """The same filters as a dense (MEL_CHANNELS, FFT_BINS) matrix, for batched numpy."""
    band, weight = mel_bands()
    matrix = np.zeros((MEL_CHANNELS, FFT_BINS))
    for k in np.flatnonzero(band >= 0):
        if band[k] < MEL_CHANNELS:
            matrix[band[k], k] += weight[k]
        if band[k] >= 1:
            matrix[band[k] - 1, k] += 1.0 - weight[k]
    return matrix


def frame_count(samples: int) -> int:
    """Frames in `samples` of audio (0 if shorter than one window)."""
    return 0 if samples < WINDOW_SAMPLES else 1 + (samples - WINDOW_SAMPLES) // STRIDE_SAMPLES


def _as_audio(audio) -> np.ndarray:
    audio = np.asarray(audio)
    if audio.dtype != np.int16:
        raise TinyMLError(
            f"The frontend takes int16 samples (as the microphone gives them), got "
            f"{audio.dtype}. Convert float audio in [-1, 1] with tinyml_lab.chapters.wake_word.audio.to_int16."
        )
    if audio.shape[-1] < WINDOW_SAMPLES:
        raise TinyMLError(f"Need at least {WINDOW_SAMPLES} samples (30 ms) for one frame, "
                          f"got {audio.shape[-1]}.")
    return audio


def log_mel(audio, chunk: int = 256) -> np.ndarray:
    """Log-mel features in dB, float32, shape (..., frames, MEL_CHANNELS).

    `audio`: int16 samples, one recording (n,) or a batch (clips, n). A one-second clip
    gives 49 frames; a longer recording gives one frame per 20 ms, which is what the sketch
    computes as the audio streams in.
    """
    audio = _as_audio(audio)
    if audio.ndim == 1:
        return log_mel(audio[None], chunk)[0]
    frames = frame_count(audio.shape[-1])
    out = np.empty(audio.shape[:-1] + (frames, MEL_CHANNELS), dtype=np.float32)
    flat_in = audio.reshape(-1, audio.shape[-1])
    flat_out = out.reshape(-1, frames, MEL_CHANNELS)
    window, matrix = hann_window(), mel_matrix()
    floor = 10.0 ** (FLOOR_DB / 10.0)
    for start in range(0, len(flat_in), chunk):
        x = flat_in[start:start + chunk].astype(np.float64) / 32768.0
        windows = np.lib.stride_tricks.sliding_window_view(x, WINDOW_SAMPLES, axis=-1)
        windows = windows[:, ::STRIDE_SAMPLES][:, :frames] * window
        spectrum = np.fft.rfft(windows, FFT_SIZE, axis=-1)
        power = (spectrum.real ** 2 + spectrum.imag ** 2) * POWER_NORM
        energy = power @ matrix.T
        flat_out[start:start + chunk] = 10.0 * np.log10(np.maximum(energy, floor))
    return out


def log_mel_int8(audio, scale: float, zero_point: int) -> np.ndarray:
    """What the sketch puts in the model's input tensor: log_mel, then int8."""
    return quantize_int8(log_mel(audio), scale, zero_point)
