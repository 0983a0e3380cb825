"""Time the arena estimator against measuring in TFLM, on a person-detection-sized model.

Usage: python benchmarks/arena_estimator.py [--runs 20]
Builds MobileNetV1 (alpha 0.25, 96x96x1, 2 classes; random weights, no download), converts
it to int8, then prints: model bytes; estimate time (median over runs, reading the file
included) next to the time of the TFLM measurement (child processes, bisection); and the
estimated vs measured arena for the python target.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def build_model_bytes() -> bytes:
    import keras

    from tinyml_lab.core.convert import to_int8

    keras.utils.set_random_seed(0)
    backbone = keras.applications.MobileNet(input_shape=(96, 96, 1), alpha=0.25, weights=None,
                                            include_top=False, pooling="avg")
    # untrained logits span a tiny range; a softmax on them would hit TFLM's multiplier abort
    model = keras.Sequential([backbone, keras.layers.Dense(2)])
    data = np.random.default_rng(0).uniform(-1, 1, (20, 96, 96, 1)).astype(np.float32)
    return to_int8(model, data)


def main() -> None:
    from tinyml_lab.core import arena, tflm

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    data = build_model_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mobilenet_v1_025_96.tflite"
        path.write_bytes(data)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            est = arena.estimate_arena(path, "python")
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        measured = tflm.measure_arena(path)
        measure_s = time.perf_counter() - start
    cmsis = arena.estimate_arena(data, "cortex-m-cmsis-nn")
    print(f"model: MobileNetV1 0.25 96x96x1 int8, {len(data):,} bytes, "
          f"{len(est.op_names)} ops")
    print(f"estimate (python target): median {statistics.median(times) * 1e3:.1f} ms "
          f"over {args.runs} runs")
    print(f"measure in TFLM (--measure): {measure_s * 1e3:.0f} ms")
    print(f"python target  estimated used {est.used_bytes:,} / min {est.min_arena_bytes:,}; "
          f"measured used {measured.used_bytes:,} / min {measured.min_arena_bytes:,}")
    print(f"cortex-m-cmsis-nn: used {cmsis.used_bytes:,}, min {cmsis.min_arena_bytes:,}, "
          f"sketch constant {arena.sketch_arena_bytes(data):,}")


if __name__ == "__main__":
    main()
