"""Print the wake-word chapter's figures: synthetic-data generation time, the committed sketch
model's size, arena and int8 accuracy on unheard voices in TFLM, and how closely the
sketch's C++ frontend (compiled here with g++) matches the Python one.

Usage: python benchmarks/wake_word.py [--clips 1000] [--seed 101]
The seed picks a test split the notebook never used; its voices are never in training.
Times are of this host and noisy; compare runs made on the same machine.
"""

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from tinyml_lab.chapters.wake_word import data as speech
from tinyml_lab.chapters.wake_word import log_mel as lm
from tinyml_lab.chapters.wake_word.spotter import KeywordSpotter, sketch_model
from tinyml_lab.core import tflm
from tinyml_lab.core.metrics import accuracy, confusion_matrix, per_class_accuracy
from tinyml_lab.core.paths import SKETCHES_DIR
from tinyml_lab.core.report import format_table
from tinyml_lab.core.tflite_file import read_model

FRONTEND = r"""
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "log_mel.h"
int main(int, char** argv) {
  const float scale = std::strtof(argv[1], nullptr);
  const int zp = std::atoi(argv[2]);
  std::vector<int16_t> clip(wake_word::kClipSamples);
  static wake_word::LogMelFrontend frontend;
  int8_t row[wake_word::kMelChannels];
  while (std::fread(clip.data(), 2, clip.size(), stdin) == clip.size()) {
    for (int f = 0; f < wake_word::kFrames; ++f) {
      frontend.ComputeInt8(clip.data() + f * wake_word::kStrideSamples, scale, zp, row);
      std::fwrite(row, 1, sizeof row, stdout);
    }
  }
}
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=101)
    args = parser.parse_args()

    start = time.perf_counter()
    speech.make_synthetic_speech(train=1500, val=250, test=400, seed=args.seed, cache_dir=None)
    print(f"generate the quick-mode synthetic set (2,150 clips, no cache): "
          f"{time.perf_counter() - start:.1f} s")
    test = speech.make_synthetic_speech(train=4, val=4, test=args.clips, seed=args.seed,
                                        cache_dir=None).test

    data, labels, arena = sketch_model()
    model = read_model(data)
    measured = tflm.measure_arena(model)
    print(f"\ncommitted model: {model.size_bytes:,} bytes int8 (budget 18,800), "
          f"ops {', '.join(model.op_names)}")
    print(f"arena: committed kTensorArenaSize {arena:,} B; TFLM uses {measured.used_bytes:,} B, "
          f"smallest that allocates {measured.min_arena_bytes:,} B")

    spotter = KeywordSpotter(model, labels, arena_size=arena)
    start = time.perf_counter()
    predicted = spotter.scores(test.audio).argmax(axis=1)
    seconds = time.perf_counter() - start
    counts = confusion_matrix(test.labels, predicted, len(labels))
    print(f"\nint8 accuracy in TFLM on {len(test)} clips of unheard voices: "
          f"{accuracy(test.labels, predicted):.3f} ({1000 * seconds / len(test):.2f} ms per clip "
          "on this host, frontend included)")
    print(format_table(["class", "clips", "accuracy"], [
        [name, int(counts[i].sum()), f"{a:.3f}"]
        for i, (name, a) in enumerate(zip(labels, per_class_accuracy(counts)))]))

    gxx = shutil.which("g++")
    if gxx is None:
        print("\n(g++ not found: C++ frontend comparison skipped)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "main.cc").write_text(FRONTEND)
        exe = Path(tmp) / "frontend"
        subprocess.run([gxx, "-std=c++17", "-O2", f"-I{SKETCHES_DIR / 'wake_word'}", "-o",
                        str(exe), str(Path(tmp) / "main.cc")], check=True)
        start = time.perf_counter()
        out = subprocess.run([str(exe), f"{spotter.scale:.9g}", str(spotter.zero_point)],
                             input=test.audio.astype("<i2").tobytes(), capture_output=True,
                             check=True).stdout
        cpp_seconds = time.perf_counter() - start
    cpp = np.frombuffer(out, dtype=np.int8).reshape(len(test), lm.FRAMES, lm.MEL_CHANNELS)
    diff = np.abs(cpp.astype(int) - spotter.features(test.audio).astype(int))
    print(f"\nC++ frontend vs Python on {diff.size:,} int8 features: "
          f"{(diff == 0).mean():.4%} equal, largest difference {diff.max()} step(s); "
          f"C++ {1e6 * cpp_seconds / (len(test) * lm.FRAMES):.0f} us per frame on this host")


if __name__ == "__main__":
    main()
