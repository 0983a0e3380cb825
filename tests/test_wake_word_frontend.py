"""The sketch's C++ frontend (log_mel.h, audio_stream.h) must compute the features the model
was trained on: the Python twin tinyml_lab.chapters.wake_word.log_mel, on the same audio."""

import re
from pathlib import Path

import numpy as np
import pytest

from tinyml_lab.chapters.wake_word import log_mel as lm
from tinyml_lab.core.errors import TinyMLError

SKETCH = Path(__file__).resolve().parents[1] / "arduino_sketches" / "wake_word"
# A realistic int8 input quantization for dB features (about 0.4 dB per step).
SCALE, ZERO_POINT = 0.3921569, 127

PROGRAM = r"""
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include "audio_stream.h"
using namespace wake_word;

static std::vector<int16_t> ReadSamples(const char* path) {
  std::vector<int16_t> samples;
  FILE* f = std::fopen(path, "rb");
  int16_t s;
  while (std::fread(&s, sizeof s, 1, f) == 1) samples.push_back(s);
  std::fclose(f);
  return samples;
}

template <int kCapacity>
static void Stream(const std::vector<int16_t>& audio, float scale, int zp, unsigned seed,
                   int max_chunk) {
  static AudioRing<kCapacity> ring;
  static LogMelFrontend frontend;
  FeatureStream stream(scale, zp);
  FeatureWindow window;
  int8_t row[kMelChannels];
  size_t pos = 0;
  while (pos < audio.size()) {
    seed = seed * 1664525u + 1013904223u;  // chunk sizes like a microphone's, but irregular
    size_t chunk = 1 + (seed >> 8) % max_chunk;
    if (chunk > audio.size() - pos) chunk = audio.size() - pos;
    ring.Write(audio.data() + pos, static_cast<int>(chunk));
    pos += chunk;
    while (true) {
      const unsigned index = stream.frame();
      if (!stream.Next(ring, frontend, row)) break;
      window.Push(row);
      std::printf("row %u", index);
      for (int c = 0; c < kMelChannels; ++c) std::printf(" %d", row[c]);
      std::printf("\n");
    }
  }
  if (window.full()) {
    int8_t input[kFeatureSize];
    window.CopyTo(input);
    std::printf("window");
    for (int i = 0; i < kFeatureSize; ++i) std::printf(" %d", input[i]);
    std::printf("\n");
  }
  std::printf("skipped %u\n", stream.skipped());
}

int main(int, char** argv) {
  const char* mode = argv[1];
  if (!std::strcmp(mode, "table")) {
    LogMelFrontend frontend;
    for (int k = 0; k < kFftBins; ++k) std::printf("%d %.9g\n", frontend.band(k), frontend.weight(k));
    return 0;
  }
  std::vector<int16_t> audio = ReadSamples(argv[2]);
  if (!std::strcmp(mode, "float")) {
    static LogMelFrontend frontend;
    float db[kMelChannels];
    for (size_t start = 0; start + kWindowSamples <= audio.size(); start += kStrideSamples) {
      frontend.Compute(audio.data() + start, db);
      for (int c = 0; c < kMelChannels; ++c) std::printf("%.6f ", db[c]);
      std::printf("\n");
    }
    return 0;
  }
  const float scale = std::strtof(argv[3], nullptr);
  const int zp = std::atoi(argv[4]);
  const unsigned seed = static_cast<unsigned>(std::atoi(argv[5]));
  if (!std::strcmp(mode, "stream")) Stream<16384>(audio, scale, zp, seed, 1000);
  if (!std::strcmp(mode, "overrun")) Stream<1024>(audio, scale, zp, seed, 3000);
  return 0;
}
"""


def _rows(stdout):
    rows = {}
    window = None
    skipped = None
    for line in stdout.splitlines():
        parts = line.split()
        if parts[0] == "row":
            rows[int(parts[1])] = np.array(parts[2:], dtype=np.int64)
        elif parts[0] == "window":
            window = np.array(parts[1:], dtype=np.int64)
        elif parts[0] == "skipped":
            skipped = int(parts[1])
    return rows, window, skipped


@pytest.fixture(scope="module")
def test_audio():
    """Seven seconds that exercise the frontend: synthetic words in noise, near-silence,
    a full-scale chirp, clipping, hum and loud noise."""
    from tinyml_lab.chapters.wake_word.audio import to_int16
    from tinyml_lab.chapters.wake_word.data import make_synthetic_speech

    rng = np.random.default_rng(1)
    speech = make_synthetic_speech(train=8, val=4, test=4, seed=3, cache_dir=None)
    t = np.arange(16000) / 16000
    parts = [
        speech.train.audio.reshape(-1)[:48000],
        np.zeros(4000, np.int16),
        to_int16(0.00003 * rng.standard_normal(8000)),
        to_int16(0.99 * np.sin(2 * np.pi * (100 + 3800 * t) * t)),
        to_int16(np.clip(3 * np.sin(2 * np.pi * 440 * t), -1, 1)),
        to_int16(0.2 * np.sin(2 * np.pi * 50 * t) + 0.3 * rng.standard_normal(16000)),
    ]
    return np.concatenate(parts).astype(np.int16)


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    import shutil
    import subprocess

    tmp = tmp_path_factory.mktemp("frontend")
    (tmp / "main.cc").write_text(PROGRAM)
    exe = tmp / "frontend"
    gxx = shutil.which("g++")
    assert gxx, "g++ is required for the C++ parity tests"
    subprocess.run([gxx, "-std=c++17", "-O1", "-Wall", "-Wextra", "-Werror", f"-I{SKETCH}",
                    "-o", str(exe), str(tmp / "main.cc")], check=True)

    def run(*args, audio=None):
        cmd = [str(exe), args[0]]
        if audio is not None:
            path = tmp / "audio.raw"
            np.asarray(audio, dtype="<i2").tofile(path)
            cmd.append(str(path))
        cmd += [str(a) for a in args[1:]]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    return run


def test_cpp_constants_match_the_python_frontend():
    text = (SKETCH / "log_mel.h").read_text()

    def const(name):
        return float(re.search(rf"constexpr \w+ {name} = ([-0-9.]+)f?;", text).group(1))

    assert const("kSampleRate") == lm.SAMPLE_RATE
    assert const("kWindowSamples") == lm.WINDOW_SAMPLES
    assert const("kStrideSamples") == lm.STRIDE_SAMPLES
    assert const("kFftSize") == lm.FFT_SIZE
    assert const("kMelChannels") == lm.MEL_CHANNELS
    assert const("kLowerHz") == lm.LOWER_HZ and const("kUpperHz") == lm.UPPER_HZ
    assert const("kFloorDb") == lm.FLOOR_DB
    assert lm.FRAMES == 49 and lm.frame_count(16000) == 49


def test_cpp_mel_table_matches(program):
    band, weight = lm.mel_bands()
    table = np.array([line.split() for line in program("table").splitlines()], dtype=float)
    cpp_band, cpp_weight = table[:, 0].astype(int), table[:, 1]
    same = cpp_band == band
    # a bin exactly on the outer edges may fall either side; its weight is ~0 there
    assert np.all(same | (np.minimum(weight, cpp_weight) < 1e-9))
    assert np.allclose(cpp_weight[same], weight[same], atol=1e-6)
    assert (band >= 0).sum() > 200  # the filters cover most of the spectrum


def test_cpp_float_features_are_close(program, test_audio):
    cpp = np.array([line.split() for line in program("float", audio=test_audio).splitlines()],
                   dtype=float)
    py = lm.log_mel(test_audio)
    assert cpp.shape == py.shape
    assert np.max(np.abs(cpp - py)) < 0.02  # dB


def test_cpp_streamed_int8_features_match_python(program, test_audio):
    rows, window, skipped = _rows(program("stream", SCALE, ZERO_POINT, 7, audio=test_audio))
    expected = lm.log_mel_int8(test_audio, SCALE, ZERO_POINT).astype(np.int64)
    assert skipped == 0
    assert sorted(rows) == list(range(len(expected)))
    cpp = np.stack([rows[i] for i in range(len(expected))])
    diff = np.abs(cpp - expected)
    assert diff.max() <= 1, "a feature differs by more than one int8 step"
    assert (diff == 0).mean() >= 0.99
    # the model sees the last 49 rows, oldest first
    assert np.array_equal(window, cpp[-lm.FRAMES:].reshape(-1))


def test_a_reader_that_falls_behind_skips_to_whole_frames(program, test_audio):
    rows, _, skipped = _rows(program("overrun", SCALE, ZERO_POINT, 3, audio=test_audio))
    expected = lm.log_mel_int8(test_audio, SCALE, ZERO_POINT).astype(np.int64)
    assert skipped > 0
    for index, row in rows.items():  # every row it did compute is the right frame's
        assert np.abs(row - expected[index]).max() <= 1


def test_one_second_gives_49_by_40():
    clip = np.zeros(16000, np.int16)
    assert lm.log_mel(clip).shape == (49, 40)
    assert lm.log_mel(np.zeros((3, 16000), np.int16)).shape == (3, 49, 40)
    assert np.all(lm.log_mel(clip) == lm.FLOOR_DB)


def test_louder_is_higher_by_the_gain_in_db():
    rng = np.random.default_rng(0)
    quiet = (rng.standard_normal(16000) * 300).astype(np.int16)
    loud = (quiet.astype(np.int32) * 10).astype(np.int16)
    gap = lm.log_mel(loud) - lm.log_mel(quiet)
    assert np.allclose(gap, 20.0, atol=0.05)


def test_a_tone_lights_up_its_mel_channel():
    t = np.arange(16000) / 16000
    tone = (10000 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    channel = np.argmax(lm.log_mel(tone).mean(axis=0))
    edges = lm.mel_to_hz(np.linspace(lm.hz_to_mel(125), lm.hz_to_mel(7500), 42))
    assert edges[channel] < 1000 < edges[channel + 2]


def test_bad_audio_is_refused_with_the_fix():
    with pytest.raises(TinyMLError, match="int16"):
        lm.log_mel(np.zeros(16000, np.float32))
    with pytest.raises(TinyMLError, match="at least 480 samples"):
        lm.log_mel(np.zeros(100, np.int16))
