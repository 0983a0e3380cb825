"""Sizing reports: flash, arena and the cost of an inference against a board, as tables and
plots. The cost is an InferenceCost (tinyml_lab.core.cost): measured on the board build
where its tools are here, estimated from MACs otherwise, and the report says which.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from tinyml_lab.core.boards import DEFAULT_BOARD, check_fit, get_board
from tinyml_lab.core.tflite_file import TFLiteModel


def window_macs(op_name: str, weights_shape, out_shape) -> int:
    """Multiply-accumulates of one dot-product op from its weights' and output's shapes
    (0 for ops that do none)."""
    if op_name not in ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D") or not weights_shape:
        return 0
    out_elems = math.prod(int(d) for d in out_shape)
    if op_name == "FULLY_CONNECTED":
        return out_elems * int(weights_shape[-1])
    if op_name == "CONV_2D":
        return out_elems * math.prod(int(d) for d in weights_shape[1:])
    return out_elems * int(weights_shape[1]) * int(weights_shape[2])  # one window per output


def op_macs(model: TFLiteModel) -> list[tuple[str, int]]:
    """Multiply-accumulates of each op (0 for ops that do no dot products)."""
    result = []
    for op in model.operators:
        weights = model.tensors[op.inputs[1]].shape if len(op.inputs) > 1 else ()
        result.append((op.name, window_macs(op.name, weights,
                                            model.tensors[op.outputs[0]].shape)))
    return result


@dataclass(frozen=True)
class ChapterSummary:
    """One line of the course summary, written by each model notebook as summary.json."""

    chapter: str
    model: str
    metric_name: str
    metric: float
    int8_bytes: int
    arena_bytes: int
    board: str
    fits: bool
    quick: bool = False  # trained in quick mode: little data, few epochs

    def save(self, directory: str | Path) -> Path:
        path = Path(directory) / "summary.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> ChapterSummary:
        return cls(**json.loads(Path(path).read_text()))


def summarize(
    chapter: str, model_name: str, metric_name: str, metric: float,
    model: TFLiteModel, arena_bytes: int, board: str = DEFAULT_BOARD, quick: bool | None = None,
) -> ChapterSummary:
    """quick None: the mode TINYML_LAB_QUICK says (what `course --quick` sets for its kernels)."""
    from tinyml_lab import is_quick

    fit = check_fit(model.size_bytes, arena_bytes, board)
    return ChapterSummary(chapter, model_name, metric_name, float(metric), model.size_bytes,
                          int(arena_bytes), board, fit.fits,
                          is_quick() if quick is None else bool(quick))


def format_table(headers: list[str], rows: list[list]) -> str:
    """A plain-text table that reads well in a terminal and in a notebook."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def summary_table(summaries: list[ChapterSummary]) -> str:
    """One row per model; rows trained in quick mode say so, and the footnote says what that
    means for their metric."""
    headers = ["chapter", "model", "metric", "value", "int8 bytes", "arena bytes", "fits",
               "mode"]
    rows = [
        [s.chapter, s.model, s.metric_name, s.metric, s.int8_bytes, s.arena_bytes, s.fits,
         "QUICK" if s.quick else "full"]
        for s in summaries
    ]
    board = get_board(summaries[0].board).name if summaries else get_board().name
    notes = f"(fits = fits the {board})"
    if any(s.quick for s in summaries):
        notes += ("\n(QUICK = trained in quick mode on little data for a few epochs: its "
                  "metric checks the path, not the model; a full run gives the real figure)")
    return format_table(headers, rows) + "\n" + notes


def size_report(model: TFLiteModel, arena_bytes: int, float_bytes: int | None = None,
                board: str = DEFAULT_BOARD, cost=None) -> str:
    """The numbers a learner needs before flashing: flash, RAM, and what one inference
    costs (`cost`: an InferenceCost; None estimates it from MACs), labelled measured or
    estimated."""
    from tinyml_lab.core.cost import inference_cost

    fit = check_fit(model.size_bytes, arena_bytes, board)
    cost = cost or inference_cost(model, board=board, measure=False)
    rows = []
    if float_bytes:
        rows.append(["float32 model", float_bytes, ""])
    rows.append(["int8 model (flash)", model.size_bytes,
                 f"{fit.flash_fraction:.2%} of the flash budget"])
    rows.append(["tensor arena (RAM)", arena_bytes, f"{fit.ram_fraction:.2%} of the RAM budget"])
    if cost.arena_used_bytes is not None:
        rows.append(["arena used on the board build", cost.arena_used_bytes,
                     f"smallest that allocates: {cost.min_arena_bytes:,} B"])
    macs = sum(m for _, m in op_macs(model))
    rows.append(["multiply-accumulates", macs, "per inference"])
    how = "measured" if cost.measured else "estimated"
    rows.append([f"instructions per inference ({how})", cost.instructions,
                 "a lower bound on cycles"])
    rows.append([f"latency, at least (ms, {how})", round(cost.min_latency_ms, 3),
                 f"at {get_board(board).clock_mhz} MHz, one instruction per cycle"])
    return (format_table(["", "value", "note"], rows) + f"\ncost: {cost.source}\n"
            + fit.explain())


def plot_history(history, metrics=("loss",), log: bool | None = None):
    """Training curves from a Keras History: where over- or under-fitting shows. Losses are
    drawn on a log axis (they fall by decades), accuracies and other metrics on a linear one;
    `log` forces one or the other."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.2), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        ax.plot(history.history[name], label="train")
        if f"val_{name}" in history.history:
            ax.plot(history.history[f"val_{name}"], label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        if log if log is not None else name in ("loss", "mse"):
            ax.set_yscale("log")
        ax.legend()
    fig.tight_layout()
    return fig


def plot_curves(x: np.ndarray, curves: dict, title: str = "", points=None):
    """Several y(x) curves on one axis (e.g. sin(x), float model, TFLM int8 model)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    if points is not None:
        ax.scatter(*points, s=3, color="lightgray", label="training data")
    for label, y in curves.items():
        ax.plot(np.ravel(x), np.ravel(y), label=label)
    ax.set_xlabel("x")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_sizes(sizes: dict, budget: int | None = None, title: str = "Model size"):
    """Bar chart of byte counts, with the board budget as a line when given."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(list(sizes), list(sizes.values()), color="tab:blue")
    for i, v in enumerate(sizes.values()):
        ax.text(i, v, f"{v:,} B", ha="center", va="bottom")
    if budget:
        ax.axhline(budget, color="tab:red", linestyle="--", label="budget")
        ax.legend()
    ax.set_ylabel("bytes")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def op_labels(op_names) -> list[str]:
    """Tick labels for the steps of a memory plot: "in", then "0:CONV_2D", ... in full."""
    return ["in"] + [f"{i}:{name}" for i, name in enumerate(op_names)]


def plot_memory_plan(estimate, title: str = ""):
    """The planner's layout: each activation buffer as a box from the step it is created
    to its last use (x), at its offset in the arena's head (y)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig, ax = plt.subplots(figsize=(8, 3.8))
    colors = plt.cm.tab20.colors
    for k, b in enumerate(estimate.plan):
        ax.add_patch(Rectangle((b.first - 0.4, b.offset), b.last - b.first + 0.8, b.size,
                               facecolor=colors[k % len(colors)], edgecolor="black", lw=0.5,
                               alpha=0.85 if b.tensor is not None else 0.4,
                               hatch=None if b.tensor is not None else "//"))
    steps = len(estimate.op_names) + 1
    fig.set_size_inches(max(8, 0.32 * steps), 4.2)
    ax.set_xlim(-0.6, steps - 0.4)
    ax.set_ylim(0, max(estimate.head_bytes, 1) * 1.05)
    ax.axhline(estimate.head_bytes, color="tab:red", ls="--", lw=1,
               label=f"head {estimate.head_bytes:,} B")
    ax.set_xticks(range(steps))
    ax.set_xticklabels(op_labels(estimate.op_names), rotation=60, ha="right", fontsize=7)
    ax.set_xlabel("step: the model input, then each op in execution order")
    ax.set_ylabel("offset in the arena head (bytes)")
    ax.set_title(title or f"TFLM greedy memory plan ({estimate.target})")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


def plot_live_bytes(estimate, title: str = ""):
    """Activation bytes alive at each op: where the memory peak of a model is."""
    import matplotlib.pyplot as plt

    live = estimate.live_bytes_per_step()
    peak = estimate.peak_step
    fig, ax = plt.subplots(figsize=(max(8, 0.32 * len(live)), 3.6))
    colors = ["tab:red" if s == peak else "tab:blue" for s in range(len(live))]
    ax.bar(range(len(live)), live, color=colors)
    ax.axhline(estimate.head_bytes, color="gray", ls="--", lw=1,
               label=f"planned head {estimate.head_bytes:,} B")
    ax.set_xticks(range(len(live)))
    ax.set_xticklabels(op_labels(estimate.op_names), rotation=60, ha="right", fontsize=7)
    ax.set_xlabel("step: the model input, then each op in execution order (red: the peak)")
    ax.set_ylabel("live activation bytes")
    ax.set_title(title or f"Live activation memory per op (peak at {estimate.step_name(peak)})")
    ax.legend()
    fig.tight_layout()
    return fig
