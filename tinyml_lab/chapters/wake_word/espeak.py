"""Speak words offline with the espeak-ng engine shipped in the `espeakng-loader` wheel.

A thin ctypes binding to libespeak-ng's synchronous API: no system package, no network,
the same library and voice data on every machine that installed requirements.txt.

espeak-ng keeps one global engine per process, and that engine carries state from one
utterance to the next that no API call resets (re-seeding and re-initialising do not
help): the same word comes out a few samples different after a different history. So
`speak_batch`, which the dataset generator uses, speaks in a fresh child process: a batch
of requests always gives the same audio, whatever the notebook said before.
"""

from __future__ import annotations

import ctypes
import json
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import TinyMLError

# speak_lib.h: espeak_AUDIO_OUTPUT, espeak_PARAMETER, flags, and espeakINITIALIZE_DONT_EXIT
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_RATE, _VOLUME, _PITCH, _RANGE = 1, 2, 3, 4
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_INITIALIZE_DONT_EXIT = 0x8000

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.c_void_p)


class SpeechEngineError(TinyMLError):
    """espeak-ng could not be loaded or refused a request."""


@dataclass(frozen=True)
class Voice:
    """How one synthetic speaker sounds: accent (an espeak-ng English voice), variant
    (formants, breathiness: the speaker's 'body'), and speaking style."""

    accent: str = "en-us"
    variant: str | None = None
    rate: int = 175  # words per minute (espeak-ng: 80..450)
    pitch: int = 50  # 0..100
    pitch_range: int = 50  # 0..100: how much the pitch moves (intonation)
    amplitude: int = 100  # 0..200

    @property
    def name(self) -> str:
        return f"{self.accent}+{self.variant}" if self.variant else self.accent


class Espeak:
    """The process-wide espeak-ng engine. Use `engine()` rather than constructing one."""

    def __init__(self):
        try:
            import espeakng_loader
        except ImportError:
            raise SpeechEngineError(
                "The espeakng-loader package is missing: `pip install -r requirements.txt` "
                "installs it (it carries the espeak-ng library and voices)."
            ) from None
        self.version = package_version()
        try:
            self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data = Path(espeakng_loader.get_data_path())
        except (OSError, RuntimeError) as exc:
            raise SpeechEngineError(f"Could not load espeak-ng from espeakng-loader: {exc}. "
                                    "Reinstall it: pip install --force-reinstall "
                                    "espeakng-loader") from None
        lib = self._lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                          ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint,
                                     ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                                     ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        # the folder that contains espeak-ng-data
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(data.parent).encode(),
                                     _INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise SpeechEngineError(f"espeak-ng failed to initialise with data in {data}.")
        self.sample_rate = int(rate)
        self._chunks: list[np.ndarray] = []
        self._callback = _CALLBACK(self._collect)  # keep a reference: C holds the pointer
        lib.espeak_SetSynthCallback(self._callback)
        self._lock = threading.Lock()

    def _collect(self, wav, count, _events) -> int:
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0  # 0: carry on synthesising

    def seed(self, value: int) -> None:
        """Seed the noise generator behind breathy and whispering voices."""
        self._lib.espeak_ng_SetRandSeed(int(value))

    def speak(self, text: str, voice: Voice = Voice()) -> np.ndarray:
        """int16 samples at self.sample_rate (22,050 Hz) of `text` said by `voice`."""
        with self._lock:
            self._chunks.clear()
            if self._lib.espeak_SetVoiceByName(voice.name.encode()) != 0:
                raise SpeechEngineError(f"espeak-ng has no voice {voice.name!r}.")
            for parameter, value in ((_RATE, voice.rate), (_PITCH, voice.pitch),
                                     (_RANGE, voice.pitch_range), (_VOLUME, voice.amplitude)):
                self._lib.espeak_SetParameter(parameter, int(value), 0)
            data = text.encode("utf-8") + b"\0"
            status = self._lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8,
                                            None, None)
            if status != 0:
                raise SpeechEngineError(f"espeak-ng could not synthesise {text!r} "
                                        f"(status {status}).")
            chunks, self._chunks = self._chunks, []
        if not chunks:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(chunks).astype(np.int16)


def package_version() -> str:
    """The espeakng-loader version: part of the synthetic set's cache key."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("espeakng-loader")
    except PackageNotFoundError:
        return "unknown"


_ENGINE: Espeak | None = None


def engine() -> Espeak:
    """The shared espeak-ng engine, loaded on first use."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = Espeak()
    return _ENGINE


def variants() -> list[str]:
    """Names of the voice variants shipped with the engine (espeak-ng-data/voices/!v)."""
    import espeakng_loader

    folder = Path(espeakng_loader.get_data_path()) / "voices" / "!v"
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def speak_batch(requests: list[tuple[str, Voice]], seed: int = 0
                ) -> tuple[int, list[np.ndarray]]:
    """Speak every (text, voice) in a fresh espeak-ng process, in order, with the engine's
    noise generator (breathy voices) seeded: reproducible audio for the same requests and
    seed, on any machine with the wheel. Returns (sample rate, int16 samples per request)."""
    payload = json.dumps([[text, asdict(voice)] for text, voice in requests])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.npz"
        done = subprocess.run([sys.executable, "-m", "tinyml_lab.chapters.wake_word.espeak", str(out),
                               str(int(seed))],
                              input=payload, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SpeechEngineError(f"The espeak-ng worker failed:\n{done.stderr[-2000:]}")
        with np.load(out) as data:
            samples, lengths, rate = data["samples"], data["lengths"], int(data["rate"])
    ends = np.cumsum(lengths)
    return rate, [samples[end - n:end] for end, n in zip(ends, lengths)]


def _worker(out_path: str, seed: int) -> None:
    """Child side of speak_batch: JSON requests on stdin, concatenated samples to out_path."""
    requests = json.loads(sys.stdin.read())
    speaker = engine()
    speaker.seed(seed)
    sounds = [speaker.speak(text, Voice(**voice)) for text, voice in requests]
    np.savez(out_path, samples=np.concatenate(sounds + [np.zeros(0, np.int16)]),
             lengths=np.array([len(s) for s in sounds], dtype=np.int64),
             rate=np.array(speaker.sample_rate))


if __name__ == "__main__":
    _worker(sys.argv[1], int(sys.argv[2]))
