"""Print the figures of a TFLite model in the TFLM runtime on this host: size, arena used and
minimum, and host inference time (median of repeated invokes).

Usage: python benchmarks/tflm_host.py MODEL.tflite [--runs 2000]
Host times say nothing absolute about a Cortex-M4; compare models measured in one run.
"""

import argparse
import time

import numpy as np

from tinyml_lab.core import report, tflm
from tinyml_lab.core.tflite_file import read_model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    model = read_model(args.model)
    arena = tflm.measure_arena(model)
    micro = tflm.MicroInterpreter(model)
    sample = np.zeros(model.input_tensors[0].shape, dtype=model.input_tensors[0].dtype)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        micro.invoke_raw(sample)
        times.append(time.perf_counter() - start)
    macs = sum(m for _, m in report.op_macs(model))
    print(f"model: {model.size_bytes} bytes, {len(model.operators)} ops, {macs} MACs")
    print(f"arena (host TFLM): used {arena.used_bytes} B (head {arena.head_bytes}, "
          f"tail {arena.tail_bytes}), minimum {arena.min_arena_bytes} B")
    print(f"host invoke (incl. Python call): median {np.median(times) * 1e6:.1f} us over "
          f"{args.runs} runs")
    from tinyml_lab.core.cost import inference_cost

    cost = inference_cost(model)
    print(f"on the Nano 33 BLE Sense: {cost.instructions:,} instructions per invoke, at least "
          f"{cost.min_latency_ms:.3f} ms ({cost.source})")


if __name__ == "__main__":
    main()
