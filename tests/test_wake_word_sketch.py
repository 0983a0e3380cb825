"""The committed wake_word sketch: its model is int8 and within micro_speech's 18,800 bytes,
every op is registered, it runs in TFLM with the committed arena, it is accurate on voices
it never heard, and the sketch's C++ streaming path makes the same decisions as Python on
a stream of concatenated clips and noise."""

import re
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import check_committed_sketch, registered_ops
from tinyml_lab.chapters.wake_word import data as speech
from tinyml_lab.chapters.wake_word import streaming
from tinyml_lab.chapters.wake_word.spotter import KeywordSpotter, sketch_model
from tinyml_lab.core.metrics import accuracy, confusion_matrix, per_class_accuracy
from tinyml_lab.core.tflite_file import read_model

SKETCH = Path(__file__).resolve().parents[1] / "arduino_sketches" / "wake_word"
FAKE_TFLM = Path(__file__).parent / "fake_tflm"
FAKE_ARDUINO = Path(__file__).parent / "fake_arduino"
LABELS = ("silence", "unknown", "yes", "no")
# int8 in TFLM, on unheard espeak-ng voices. The committed model trades some of this (0.90 ->
# 0.85, its unknown words 0.84 -> 0.67) for real people: the neural voice and the spectral tilt
# raise its balanced accuracy on real speakers from 0.77 to 0.83 (benchmarks/wake_word_real.py).
ACCURACY_TARGET = 0.84
CLASS_FLOOR = 0.65


@pytest.fixture(scope="module")
def committed():
    data, labels, arena = sketch_model(SKETCH)
    return read_model(data), labels, arena


@pytest.fixture(scope="module")
def unheard():
    """A fresh test split (a seed the notebook never used): voices never heard in training."""
    return speech.make_synthetic_speech(train=4, val=4, test=600, seed=101, cache_dir=None).test


def test_sketch_folder_is_complete():
    for name in ("wake_word.ino", "sketch.yaml", "log_mel.h", "audio_stream.h",
                 "command_detector.h", "model_data.h", "model_data.cc", "model_ops.h",
                 "model_settings.h"):
        assert (SKETCH / name).is_file(), name
    assert "Chirale_TensorFLowLite (2.0.0)" in (SKETCH / "sketch.yaml").read_text()
    assert "arduino:mbed_nano (4.0.10)" in (SKETCH / "sketch.yaml").read_text()


def test_model_is_int8_within_micro_speech_size(committed):
    model, labels, _ = committed
    assert model.is_full_int8
    assert model.size_bytes <= 18800
    assert labels == LABELS
    assert int(np.prod(model.input_tensors[0].shape)) == 49 * 40


def test_generated_files_name_this_model(committed):
    model = committed[0]
    for name in ("model_data.h", "model_data.cc", "model_ops.h", "model_settings.h"):
        assert f"sha256 {model.sha256}" in (SKETCH / name).read_text(), name


def test_resolver_registers_every_op(committed, cxx):
    model = committed[0]
    check_committed_sketch(SKETCH, model)
    assert registered_ops(cxx, SKETCH) == model.op_names


def test_sketch_headers_fit_together(cxx):
    """The .ino's compile-time checks, on the host: the model input is the frontend's 49x40
    and the detector can hold every class."""
    program = r"""
#include <cstdio>
#include "model_settings.h"
#include "audio_stream.h"
#include "command_detector.h"
static_assert(kInputSize == wake_word::kFeatureSize, "input size");
static_assert(kLabelCount <= wake_word::kMaxClasses, "classes");
int main() { std::printf("%d %d\n", kInputSize, kLabelCount); }
"""
    assert cxx({"main.cc": program}, include_dirs=[SKETCH]).split() == ["1960", "4"]


def test_the_whole_sketch_compiles_and_sets_up(tmp_path, cxx):
    """wake_word.ino with the generated files, against test doubles of the Arduino core,
    the PDM microphone and the TFLM interpreter: it compiles with -Wall -Werror, and
    setup() starts the microphone at 16 kHz, mono, and names the keywords."""
    program = (SKETCH / "wake_word.ino").read_text() + r"""
int main() {
  setup();
  loop();
  std::printf("\npdm %d %ld %d\n", PDM.channels, PDM.rate, PDM.callback != nullptr);
}
"""
    out = cxx({"main.cc": program, "model_data.cc": (SKETCH / "model_data.cc").read_text()},
              include_dirs=[SKETCH, FAKE_ARDUINO, FAKE_TFLM])
    assert "wake_word ready" in out and "listening for yes no" in out
    assert out.strip().splitlines()[-1] == "pdm 1 16000 1"


CADENCE_PROGRAM = r"""
#include <vector>
int main() {
  setup();
  std::vector<int16_t> audio(5 * 16000);  // five seconds of a quiet tone
  for (size_t i = 0; i < audio.size(); ++i) audio[i] = static_cast<int16_t>((i * 37) % 200);
  int seen = 0;
  for (size_t pos = 0; pos < audio.size(); pos += 256) {  // the PDM driver's blocks
    PDM.Feed(audio.data() + pos, 256);
    PDM.callback();
    for (int k = 0; k < 3; ++k) {  // loop() runs more often than audio arrives
      loop();
      if (fake_invokes != seen) {
        seen = fake_invokes;
        std::printf("invoke after row %u\n", static_cast<unsigned>(features.frame()));
      }
    }
  }
}
"""


def test_the_sketch_runs_the_model_at_the_rows_the_python_stream_does(committed, cxx):
    """The whole wake_word.ino, fed five seconds of audio through the PDM double: it runs the
    model after the rows KeywordSpotter.stream(every=N) does, N from the model's measured
    instructions by the same rule in C++ and Python."""
    from tinyml_lab.chapters.wake_word import cadence
    from tinyml_lab.chapters.wake_word.log_mel import FRAMES, frame_count
    from tinyml_lab.core.deployed import load_deployed

    deployed = load_deployed(SKETCH)
    every = cadence.rows_per_invoke(deployed.invoke_instructions)
    assert every > 1  # the committed model cannot run every 20 ms on the board
    program = (SKETCH / "wake_word.ino").read_text() + CADENCE_PROGRAM
    out = cxx({"main.cc": program, "model_data.cc": (SKETCH / "model_data.cc").read_text()},
              include_dirs=[SKETCH, FAKE_ARDUINO, FAKE_TFLM])
    rows = [int(line.split()[-1]) for line in out.splitlines() if line.startswith("invoke")]
    python_rows = list(np.arange(FRAMES - 1, frame_count(5 * 16000), every) + 1)
    assert rows == python_rows and len(rows) >= 10
    assert f"model every {every * cadence.ROW_MS} ms" in out


def test_runs_in_tflm_and_is_accurate(committed, unheard):
    from tinyml_lab.core.arena import estimate_arena

    model, labels, _ = committed
    host_arena = estimate_arena(model, "python").min_arena_bytes  # the host build's own
    spotter = KeywordSpotter(model, labels, arena_size=host_arena)
    predicted = spotter.scores(unheard.audio).argmax(axis=1)
    assert accuracy(unheard.labels, predicted) >= ACCURACY_TARGET
    per_class = per_class_accuracy(confusion_matrix(unheard.labels, predicted, 4))
    assert per_class.min() >= CLASS_FLOOR, dict(zip(labels, per_class.round(3)))
    settings = (SKETCH / "model_settings.h").read_text()
    scale = float(re.search(r"kInputScale = ([0-9.e+-]+)f;", settings).group(1))
    assert scale == pytest.approx(model.input_tensors[0].scales[0], rel=1e-7)


STREAM_PROGRAM = r"""
#include <cstdio>
#include <vector>
#include "audio_stream.h"
#include "command_detector.h"
#include "model_settings.h"
using namespace wake_word;
// Feature rows of the stream (the input the C++ gives the model) and, after a line
// "scores", the model's int8 outputs per window (from TFLM) to run the detector on.
int main(int, char** argv) {
  FILE* f = std::fopen(argv[1], "rb");
  std::vector<int16_t> audio;
  int16_t s;
  while (std::fread(&s, 2, 1, f) == 1) audio.push_back(s);
  std::fclose(f);
  static AudioRing<16384> ring;
  static LogMelFrontend frontend;
  FeatureStream stream(kInputScale, kInputZeroPoint);
  int8_t row[kMelChannels];
  for (size_t pos = 0; pos < audio.size(); pos += 256) {  // the PDM driver's block size
    const int n = audio.size() - pos < 256 ? static_cast<int>(audio.size() - pos) : 256;
    ring.Write(audio.data() + pos, n);
    while (stream.Next(ring, frontend, row)) {
      for (int c = 0; c < kMelChannels; ++c) std::printf("%d ", row[c]);
      std::printf("\n");
    }
  }
  return 0;
}
"""

DETECT_PROGRAM = r"""
#include <cstdio>
#include "command_detector.h"
#include "model_settings.h"
using namespace wake_word;
int main(int, char** argv) {
  FILE* f = std::fopen(argv[1], "r");
  const DetectorConfig config;
  CommandDetector detector(kLabelCount, 0b1100u, config);
  unsigned time_ms;
  while (std::fscanf(f, "%u", &time_ms) == 1) {
    int scores[kLabelCount];
    for (int c = 0; c < kLabelCount; ++c) {
      int raw;
      if (std::fscanf(f, "%d", &raw) != 1) return 3;
      scores[c] = ScoreFromInt8(static_cast<int8_t>(raw), kOutputZeroPoint);
    }
    Detection d;
    detector.Process(time_ms, scores, &d);
    if (d.found) std::printf("%u %d %d\n", time_ms, d.label, d.score);
  }
  return 0;
}
"""


def test_cpp_streaming_path_matches_python_on_a_stream(committed, unheard, tmp_path, cxx):
    """Concatenated unheard clips and noise: the C++ frontend's rows feed TFLM, the C++
    detector decides; Python does the same on its own features. Same words detected."""
    model, labels, arena = committed
    audio, events = speech.make_stream(unheard, clips=40, seed=7)
    raw_path = tmp_path / "stream.raw"
    audio.astype("<i2").tofile(raw_path)
    rows = np.array([line.split() for line in cxx({"main.cc": STREAM_PROGRAM},
                                                  include_dirs=[SKETCH],
                                                  args=[str(raw_path)]).splitlines()], dtype=int)
    spotter = KeywordSpotter(model, labels)
    py_rows = spotter.features(audio).astype(int)
    assert rows.shape == py_rows.shape
    assert np.abs(rows - py_rows).max() <= 1 and (rows == py_rows).mean() >= 0.99

    # the model on the C++ rows, every 20 ms, as the sketch runs it
    ends = np.arange(48, len(rows))
    raw = np.stack([spotter.micro.invoke_raw(rows[e - 48:e + 1].astype(np.int8))[0] for e in ends])
    times = (ends + 1) * 20
    lines = "\n".join(f"{t} " + " ".join(map(str, r)) for t, r in zip(times, raw))
    (tmp_path / "scores.txt").write_text(lines + "\n")
    out = cxx({"detect.cc": DETECT_PROGRAM}, include_dirs=[SKETCH],
              args=[str(tmp_path / "scores.txt")])
    cpp_found = [streaming.Detection(*map(int, line.split())) for line in out.splitlines()]
    keywords = (2, 3)
    py_found = streaming.detect_stream(
        times, streaming.scores_from_int8(raw, model.output_tensors[0].zero_points[0]), keywords)
    assert cpp_found == py_found
    assert streaming.score_detections(py_found, events, keywords).events >= 10


def test_detector_finds_most_keywords_in_streams_of_unheard_voices(committed, unheard):
    """The committed model and the detector's defaults on six streams of 40 unheard clips
    (about 120 keywords in all: one stream of 20 is too few to judge a detector by)."""
    model, labels, _ = committed
    spotter = KeywordSpotter(model, labels)
    keywords = (2, 3)
    hits = events = mistakes = 0
    for seed in range(6):
        audio, said = speech.make_stream(unheard, clips=40, seed=seed)
        times, scores = spotter.stream(audio, every=1)
        score = streaming.score_detections(
            streaming.detect_stream(times, scores, keywords, streaming.DetectorConfig()),
            said, keywords)
        hits, events = hits + score.hits, events + score.events
        mistakes += score.false_alarms + score.wrong
    assert events >= 100
    assert hits >= 0.7 * events, (hits, events)
    assert mistakes <= 0.2 * events, (mistakes, events)
