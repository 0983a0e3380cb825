"""Record keyword clips from a board running audio_capture: `python -m tinyml_lab capture audio`.

Each clip is asked for (the board records it from its PDM microphone, the same microphone and
gain the wake_word sketch listens with), checked on arrival (whole, CRC-32, the rate and
length asked for, loud enough to hold a word, not clipped) and only then saved, as
DATASET/<label>/<speaker>_nohash_<n>.wav: the layout load_folder() reads, one subfolder per
label, with the speaker in the name so one person never lands in both training and test.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.chapters.wake_word.audio import SAMPLE_RATE, write_wav
from tinyml_lab.chapters.wake_word.data import SILENCE
from tinyml_lab.core.files import first_free
from tinyml_lab.core.serial_capture import BoardLink, CaptureResult, SerialCaptureError, check_name

SKETCH = "audio_capture"
MAX_CLIP_MS = 2000  # the sketch's buffer
TOO_QUIET_DBFS = -50.0  # a word at arm's length is -30 to -20 dBFS; a quiet room about -60
CLIPPED_SHARE = 0.001  # more samples than this at full scale: the gain is too high
FLOOR_DBFS = -100.0


@dataclass(frozen=True)
class SoundLevel:
    """Python twin of sound_level.h: loudness in dB below full scale."""

    rms_dbfs: float
    peak_dbfs: float
    clipped: int
    samples: int

    def __str__(self) -> str:
        return (f"{self.rms_dbfs:.1f} dBFS rms, {self.peak_dbfs:.1f} dBFS peak, "
                f"{self.clipped} clipped")


def _dbfs(fraction: float) -> float:
    return max(20 * math.log10(fraction), FLOOR_DBFS) if fraction > 0 else FLOOR_DBFS


def sound_level(samples: np.ndarray) -> SoundLevel:
    """RMS and peak of int16 samples in dBFS, and how many sit at full scale."""
    s = np.asarray(samples, dtype=np.int64)
    if s.size == 0:
        return SoundLevel(FLOOR_DBFS, FLOOR_DBFS, 0, 0)
    magnitude = np.abs(s)
    rms = math.sqrt(float(np.sum(s * s)) / s.size) / 32768
    return SoundLevel(_dbfs(rms), _dbfs(int(magnitude.max()) / 32768),
                      int(np.sum(magnitude >= 32767)), int(s.size))


def judge_clip(level: SoundLevel, label: str) -> str | None:
    """Why a clip should not be saved, or None."""
    if level.clipped > CLIPPED_SHARE * level.samples:
        return (f"clipped ({level.clipped} samples at full scale): speak further from the "
                "board, or lower the gain (--gain)")
    if label != SILENCE and level.rms_dbfs < TOO_QUIET_DBFS:
        return (f"too quiet ({level.rms_dbfs:.1f} dBFS rms, a word is about -30): speak "
                "closer to the board, or raise the gain (--gain, up to 80)")
    return None


def next_clip_path(folder: Path, speaker: str) -> Path:
    """<speaker>_nohash_<n>.wav with the first n not taken."""
    return first_free(folder, lambda n: f"{speaker}_nohash_{n}.wav")


def capture_audio(port, dataset: str | Path, label: str, speaker: str, count: int = 10,
                  clip_ms: int = 1000, gain: int | None = None, pause_s: float = 1.0,
                  echo=print, timeout_s: float = 10.0) -> CaptureResult:
    """Ask the board for clips until `count` good ones are saved in dataset/label/ (at most
    3 x count attempts); returns what was saved and how many were refused."""
    label, speaker = check_name("Label", label, "yes"), check_name("Speaker", speaker, "alice")
    if count < 1:
        raise SerialCaptureError(f"--count must be at least 1, not {count}.")
    if not 100 <= clip_ms <= MAX_CLIP_MS:
        raise SerialCaptureError(f"--clip-ms must be 100..{MAX_CLIP_MS} (the sketch keeps at "
                                 f"most {MAX_CLIP_MS} ms), not {clip_ms}.")
    folder = Path(dataset) / label
    folder.mkdir(parents=True, exist_ok=True)
    link = BoardLink(port, echo, timeout_s)
    if gain is not None:
        if not 0 <= gain <= 80:
            raise SerialCaptureError(f"--gain must be 0..80 (the PDM microphone's), not {gain}.")
        link.send(f"gain {gain}")
        link.wait_for(f"gain {gain}", "setting the gain")
    want = SAMPLE_RATE * clip_ms // 1000
    what = "silence (stay quiet)" if label == SILENCE else f"'{label}'"
    echo(f"Recording {count} clip(s) of {what} by {speaker} into {folder}; Ctrl-C to stop.")
    saved, skipped = [], 0
    try:
        for _attempt in range(3 * count):
            if len(saved) == count:
                break
            echo(f"[{len(saved) + 1}/{count}] get ready...")
            time.sleep(pause_s)
            link.send(f"record {clip_ms}")
            link.wait_for("recording", "waiting for the board to start recording")
            echo(f"[{len(saved) + 1}/{count}] now: say {what}")
            block = link.read_block("AUDIO", lambda f: int(f[1]) * 2)
            rate, samples = int(block.fields[0]), int(block.fields[1])
            if rate != SAMPLE_RATE or samples != want:
                raise SerialCaptureError(
                    f"The board recorded {samples} samples at {rate} Hz; asked for {want} at "
                    f"{SAMPLE_RATE} Hz. Flash the course's audio_capture sketch again.")
            audio = np.frombuffer(block.data, dtype="<i2").astype(np.int16)
            level = sound_level(audio)
            problem = judge_clip(level, label)
            if problem:
                skipped += 1
                echo(f"skipped: {problem}")
                continue
            path = write_wav(next_clip_path(folder, speaker), audio, rate)
            saved.append(path)
            echo(f"saved {path.name} ({level})")
    except KeyboardInterrupt:
        echo("stopped")
    return CaptureResult(folder, tuple(saved), skipped)
