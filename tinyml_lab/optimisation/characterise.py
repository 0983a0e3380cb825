"""Measure a family of architectures: what their layers predict next to what the board pays.

For each variant: the closed form (tinyml_lab.optimisation.architecture) from the Keras
model, then the int8 file it converts to, its exact arena on the Nano 33 BLE build
(tinyml_lab.core.arena, equal to the board's to the byte) and its instructions per
inference (tinyml_lab.core.cost: measured on the board build in the emulator where its
tools are here, estimated from MACs where not, and the record says which). Untrained
weights are enough: sizes and op counts depend on the architecture, and the instruction
count only a little on the values. Records are cached, so a second run only reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tinyml_lab.core import convert
from tinyml_lab.core.arena import estimate_arena, sketch_arena_bytes
from tinyml_lab.core.cost import ESTIMATED, MEASURED, board_tools_missing, inference_cost
from tinyml_lab.core.report import op_macs
from tinyml_lab.core.tflite_file import read_model
from tinyml_lab.optimisation.architecture import file_payload_bytes, predict_cost
from tinyml_lab.optimisation.cache import ResultCache

BOARD_TARGET = "cortex-m-cmsis-nn"


@dataclass(frozen=True)
class Measurement:
    """One variant: the closed form's predictions and the exact / measured figures."""

    name: str
    family: str
    params: dict
    predicted: dict                 # ArchitectureCost.as_dict()
    file_bytes: int                 # the int8 .tflite
    file_payload_bytes: int         # its weights, biases, scales and zero points
    arena_head_bytes: int           # exact, on the board build: activations + scratch
    arena_tail_bytes: int           # persistent
    arena_used_bytes: int
    sketch_arena_bytes: int         # what a sketch reserves (kTensorArenaSize)
    instructions: int               # per Invoke
    measured: bool                  # on the board build (else estimated from MACs)
    op_instructions: tuple = field(default=())  # (op, instructions) of the first Invoke
    op_macs: tuple = field(default=())          # MACs of each op, same order

    @property
    def macs(self) -> int:
        return int(self.predicted["macs"])

    @property
    def source(self) -> str:
        return MEASURED if self.measured else ESTIMATED

    @property
    def sram_error(self) -> float:
        """The closed form's arena against the exact one (relative)."""
        return self.predicted["sram_bytes"] / self.arena_used_bytes - 1

    @property
    def flash_structure_bytes(self) -> int:
        """The file's bytes beyond weights, biases and quantization: the flatbuffer's."""
        return self.file_bytes - self.file_payload_bytes

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def random_inputs(shape, count: int = 16, seed: int = 0) -> np.ndarray:
    """Calibration inputs for an untrained model: standard normal values."""
    return np.random.default_rng(seed).normal(size=(count, *shape)).astype(np.float32)


def like_trained(model, samples: np.ndarray, seed: int = 0) -> None:
    """Give an untrained model the two traits of a trained one that its int8 file and its
    run on the board depend on.

    - Batch norms: fresh ones hold mean 0 and variance 1, which deep activations are far
      from: through thirty layers they shrink to zeros, int8 calibration finds a range of
      nothing, and TFLM's softmax refuses the scale that results (the board build aborts).
      One forward pass in training mode with momentum 0 sets each to the statistics of its
      own input.
    - Biases: fresh ones are zeros, and the converter leaves an all-zero Dense bias out of
      the file (a trained model's never is): they get small random values."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        bias = getattr(layer, "bias", None)
        if bias is not None and not np.any(bias.numpy()):
            bias.assign(rng.normal(0, 0.01, bias.shape).astype(bias.dtype))
    norms = [layer for layer in model.layers if type(layer).__name__ == "BatchNormalization"]
    saved = [layer.momentum for layer in norms]
    for layer in norms:
        layer.momentum = 0.0
    try:
        model(samples, training=True)
    finally:
        for layer, momentum in zip(norms, saved):
            layer.momentum = momentum


def measure_variant(name: str, family: str, params: dict, build: Callable[..., object],
                    cache: ResultCache | None = None, representative: np.ndarray | None = None,
                    measure: bool | None = None) -> Measurement:
    """Build `build(**params)`, predict, convert to int8, size it exactly and count its
    instructions. `measure`: None measures on the board build when its tools are here."""
    measure = board_tools_missing() is None if measure is None else measure
    spec = {"family": family, "params": params, "measured": bool(measure)}
    record = cache.get(spec) if cache else None
    if record is None:
        model = build(**params)
        predicted = predict_cost(model).as_dict()
        samples = representative if representative is not None else \
            random_inputs(tuple(model.input_shape[1:]))
        like_trained(model, samples)
        tflite = read_model(convert.to_int8(model, samples, count=len(samples)))
        exact = estimate_arena(tflite, BOARD_TARGET)
        cost = inference_cost(tflite, measure=measure, find_min_arena=False)
        record = {"name": name, "family": family, "params": params, "predicted": predicted,
                  "file_bytes": tflite.size_bytes,
                  "file_payload_bytes": file_payload_bytes(tflite),
                  "arena_head_bytes": exact.head_bytes, "arena_tail_bytes": exact.tail_bytes,
                  "arena_used_bytes": exact.used_bytes,
                  "sketch_arena_bytes": sketch_arena_bytes(tflite),
                  "instructions": cost.instructions, "measured": cost.measured,
                  "op_instructions": [list(p) for p in cost.op_instructions],
                  "op_macs": [m for _, m in op_macs(tflite)]}
        if cache:
            record = cache.put(spec, record)
    record = dict(record, name=name, params=params,
                  op_instructions=tuple(tuple(p) for p in record.get("op_instructions", ())),
                  op_macs=tuple(record.get("op_macs", ())))
    return Measurement(**record)


def measure_family(family: str, variants: dict[str, dict], build: Callable[..., object],
                   cache: ResultCache | None = None, measure: bool | None = None,
                   echo: Callable[[str], None] = print) -> list[Measurement]:
    """measure_variant for every name -> params of one backbone, with progress."""
    results = []
    for i, (name, params) in enumerate(variants.items(), 1):
        m = measure_variant(name, family, params, build, cache, measure=measure)
        echo(f"[{family} {i}/{len(variants)}] {name}: {m.macs:,} MACs, {m.file_bytes:,} B, "
             f"arena {m.arena_used_bytes:,} B, {m.instructions:,} instructions")
        results.append(m)
    return results


def comparison_rows(measurements: list[Measurement]) -> list[list]:
    """Predicted against exact, per variant: flash payload, arena, and the errors."""
    rows = []
    for m in measurements:
        p = m.predicted
        rows.append([m.family, m.name, f"{m.macs:,}", f"{p['payload_bytes']:,}",
                     f"{m.file_payload_bytes:,}", f"{m.file_bytes:,}",
                     f"{p['sram_bytes']:,}", f"{m.arena_used_bytes:,}", f"{m.sram_error:+.1%}"])
    return rows


def op_kind_rows(measurements: list[Measurement]) -> list[list]:
    """Per op kind, over a family's measured variants: its share of the instructions and
    its instructions per MAC. Where a line in MACs stops fitting shows here: ops with no
    MACs still cost instructions, and each kind runs at its own rate."""
    instructions: dict[str, int] = {}
    macs: dict[str, int] = {}
    for m in measurements:
        if len(m.op_macs) != len(m.op_instructions):
            continue  # estimated: no per-op counts
        for (op, n), mac in zip(m.op_instructions, m.op_macs):
            instructions[op] = instructions.get(op, 0) + n
            macs[op] = macs.get(op, 0) + mac
    total = sum(instructions.values()) or 1
    return [[op, f"{n / total:.1%}", f"{n / macs[op]:.2f}" if macs[op] else "no MACs"]
            for op, n in sorted(instructions.items(), key=lambda kv: -kv[1])]


OP_KIND_HEADERS = ["op", "share of instructions", "instructions per MAC"]


COMPARISON_HEADERS = ["backbone", "variant", "MACs", "payload predicted (B)",
                      "payload in file (B)", "file (B)", "arena predicted (B)",
                      "arena exact (B)", "arena error"]


def plot_memory(measurements: list[Measurement], title: str = ""):
    """Predicted against exact: SRAM (arena) and flash (payload and whole file), per
    backbone, on log axes with the diagonal."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    families = list(dict.fromkeys(m.family for m in measurements))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for colour, family in zip(colours, families):
        ms = [m for m in measurements if m.family == family]
        axes[0].loglog([m.arena_used_bytes for m in ms],
                       [m.predicted["sram_bytes"] for m in ms], "o", color=colour,
                       label=family)
        axes[1].loglog([m.file_bytes for m in ms], [m.predicted["payload_bytes"] for m in ms],
                       "o", color=colour, label=f"{family}: whole file")
        axes[1].loglog([m.file_payload_bytes for m in ms],
                       [m.predicted["payload_bytes"] for m in ms], "x", color=colour,
                       label=f"{family}: its payload")
    for ax, (xlabel, ylabel) in zip(axes, (
            ("exact arena on the board build (B)", "activations + persistent, predicted (B)"),
            ("bytes in the int8 file (B)", "weights + biases + quantization, predicted (B)"))):
        lo, hi = ax.get_xlim()
        ax.plot([lo, hi], [lo, hi], color="gray", lw=0.8, ls=":")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    axes[0].set_title("SRAM: the closed form against the exact arena")
    axes[1].set_title("Flash: the closed form against the file")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_breakdown(measurement: Measurement, title: str = ""):
    """Where one model's SRAM and flash go, as in MicroNets' Figure 1."""
    import matplotlib.pyplot as plt

    m, p = measurement, measurement.predicted
    sram = {"activations + scratch": m.arena_head_bytes, "persistent": m.arena_tail_bytes}
    flash = {"weights": p["weight_bytes"], "biases": p["bias_bytes"],
             "quantization": p["quantization_bytes"],
             "structure (tables, shapes, names)": m.flash_structure_bytes}
    fig, ax = plt.subplots(figsize=(9, 2.6))
    for row, parts in enumerate((sram, flash)):
        left = 0
        for label, value in parts.items():
            ax.barh(row, value / 1024, left=left / 1024, label=label)
            ax.text((left + value / 2) / 1024, row, f"{value / 1024:.1f}", ha="center",
                    va="center", fontsize=8)
            left += value
    ax.set_yticks([0, 1], ["SRAM (arena)", "flash (model)"])
    ax.set_xlabel("KiB")
    ax.legend(fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.3))
    ax.set_title(title or f"{m.name}: where the bytes go")
    fig.tight_layout()
    return fig
