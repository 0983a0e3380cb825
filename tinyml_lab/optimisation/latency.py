"""Latency from op count: a straight line per backbone, and how far it carries.

MicroNets observed that models sampled from one backbone run at nearly the same op
throughput on a microcontroller, so a line in MACs predicts their latency well enough to
search with, while two backbones can sit on different lines. This module fits that line to
measured (MACs, instructions per inference) points, reports its error, and says how much
worse one line for several backbones does.

The fit minimises the *relative* error by default (each point weighted by 1/y): a family
spans a hundredfold in MACs, and an ordinary least-squares line would serve the biggest
models and miss the small ones by more than they cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinyml_lab.core.errors import TinyMLError


@dataclass(frozen=True)
class LineFit:
    """instructions = slope * MACs + intercept, fitted to `macs` and `instructions`."""

    label: str
    slope: float
    intercept: float
    macs: tuple[int, ...]
    instructions: tuple[int, ...]

    def predict(self, macs):
        """Instructions per inference for a MAC count (a number or an array)."""
        values = self.slope * np.asarray(macs, dtype=np.float64) + self.intercept
        return float(values) if np.ndim(values) == 0 else values

    def errors(self, macs=None, instructions=None) -> np.ndarray:
        """Relative errors (predicted / measured - 1) on these points, or on its own."""
        macs = self.macs if macs is None else macs
        instructions = self.instructions if instructions is None else instructions
        y = np.asarray(instructions, dtype=np.float64)
        return self.predict(macs) / y - 1

    @property
    def mean_error(self) -> float:
        return float(np.mean(np.abs(self.errors())))

    @property
    def worst_error(self) -> float:
        return float(np.max(np.abs(self.errors())))

    def describe(self) -> str:
        return (f"{self.label}: instructions = {self.slope:.2f} x MACs + "
                f"{self.intercept:,.0f} ({len(self.macs)} models; mean error "
                f"{self.mean_error:.1%}, worst {self.worst_error:.1%})")


def fit_line(macs, instructions, label: str = "", relative: bool = True) -> LineFit:
    """Least-squares line through (MACs, instructions); `relative` weights each point by
    1 / instructions so that every model's percentage error counts the same."""
    x = np.asarray(macs, dtype=np.float64)
    y = np.asarray(instructions, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise TinyMLError(f"Give one MAC count per instruction count (got {x.shape} and "
                          f"{y.shape}).")
    if len(x) < 2 or len(np.unique(x)) < 2:
        raise TinyMLError("A line needs at least two models with different MAC counts.")
    if np.any(y <= 0):
        raise TinyMLError("Instruction counts must be positive: measure the models first.")
    w = 1 / y if relative else np.ones_like(y)
    design = np.stack([x, np.ones_like(x)], axis=1) * w[:, None]
    (slope, intercept), *_ = np.linalg.lstsq(design, y * w, rcond=None)
    return LineFit(label, float(slope), float(intercept), tuple(int(v) for v in x),
                   tuple(int(v) for v in y))


@dataclass(frozen=True)
class BackboneComparison:
    """One line per backbone, and one line for all of them, on the same points."""

    per_backbone: dict[str, LineFit]
    pooled: LineFit

    def rows(self) -> list[list]:
        """Per backbone: its own line's errors, then the pooled line's errors on it."""
        rows = []
        for name, fit in self.per_backbone.items():
            pooled = np.abs(self.pooled.errors(fit.macs, fit.instructions))
            rows.append([name, len(fit.macs), f"{fit.slope:.2f}", f"{fit.mean_error:.1%}",
                         f"{fit.worst_error:.1%}", f"{np.mean(pooled):.1%}",
                         f"{np.max(pooled):.1%}"])
        return rows

    HEADERS = ("backbone", "models", "instructions per MAC", "own line: mean error", "worst",
               "one line for all: mean error", "worst")

    def pooled_mean_error(self, backbone: str) -> float:
        """The one-line-for-all's mean relative error on one backbone's points."""
        fit = self.per_backbone[backbone]
        return float(np.mean(np.abs(self.pooled.errors(fit.macs, fit.instructions))))

    def pooled_is_worse(self) -> bool:
        """Whether one line for all misses every backbone by more than its own line."""
        return all(self.pooled_mean_error(name) > fit.mean_error
                   for name, fit in self.per_backbone.items())


def compare_backbones(points: dict[str, tuple], relative: bool = True) -> BackboneComparison:
    """points: backbone name -> (MACs, instructions). Fits each, and all of them pooled."""
    if len(points) < 2:
        raise TinyMLError("Compare at least two backbones.")
    fits = {name: fit_line(m, i, name, relative) for name, (m, i) in points.items()}
    macs = np.concatenate([np.asarray(m) for m, _ in points.values()])
    instr = np.concatenate([np.asarray(i) for _, i in points.values()])
    return BackboneComparison(fits, fit_line(macs, instr, "one line for all", relative))


def plot_backbones(comparison: BackboneComparison, title: str = ""):
    """Instructions against MACs on log axes: each backbone's points and line, and the
    pooled line dashed, as MicroNets' Figure 2 does for latency."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    everything = np.concatenate([f.macs for f in comparison.per_backbone.values()])
    grid = np.geomspace(everything.min() * 0.8, everything.max() * 1.25, 50)
    for colour, (name, fit) in zip(colours, comparison.per_backbone.items()):
        axes[0].loglog(fit.macs, fit.instructions, "o", color=colour, label=name, ms=5)
        axes[0].loglog(grid, fit.predict(grid), "-", color=colour, lw=1)
        axes[1].plot(fit.macs, 100 * fit.errors(), "o", color=colour,
                     label=f"{name}, own line")
        axes[1].plot(fit.macs, 100 * comparison.pooled.errors(fit.macs, fit.instructions),
                     "x", color=colour, label=f"{name}, one line for all")
    axes[0].loglog(grid, comparison.pooled.predict(grid), "k--", lw=1, label="one line for all")
    axes[0].set_xlabel("MACs per inference")
    axes[0].set_ylabel("instructions per inference")
    axes[0].legend(fontsize=8)
    axes[1].set_xscale("log")
    axes[1].axhline(0, color="gray", lw=0.8)
    axes[1].set_xlabel("MACs per inference")
    axes[1].set_ylabel("line's error (%)")
    axes[1].legend(fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
