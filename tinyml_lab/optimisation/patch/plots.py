"""Pictures of patch-based inference: the patches' overlapping input regions (the halo),
how a patch's region shrinks layer by layer towards its tile, live memory per op for both
schedules, and the sweep's peak against its extra MACs."""

from __future__ import annotations

import numpy as np

from tinyml_lab.optimisation.patch.costs import PlanCosts
from tinyml_lab.optimisation.patch.plan import PatchPlan


def plot_halos(plan: PatchPlan, image: np.ndarray | None = None, patch: int | None = None):
    """Left: the network input with every patch's input region (they overlap: the halo).
    Right: one patch's region in every tensor of the stage, as a fraction of that map,
    from the input (largest) to its tile of the stage output."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    height, width = plan.input_tensor.shape[1:3]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.8))
    if image is not None:
        left.imshow(np.asarray(image).squeeze(), cmap="gray", extent=(0, width, height, 0))
    colours = plt.cm.tab10.colors
    for k, p in enumerate(plan.patches):
        r = p.input_region
        left.add_patch(Rectangle((r.cols.lo, r.rows.lo), r.width, r.height, fill=False,
                                 lw=1.6, ls="--", edgecolor=colours[k % 10]))
    left.add_patch(Rectangle((0, 0), width, height, fill=False, lw=1, edgecolor="black"))
    left.set_xlim(-4, width + 4)
    left.set_ylim(height + 4, -4)
    left.set_title(f"{len(plan.patches)} patches' input regions on the {height}x{width} input")
    patch = len(plan.patches) // 2 if patch is None else patch
    graph = plan.graphs[patch]
    seen, shown = set(), []
    for node in graph.nodes:  # one region per network tensor: the largest the patch holds
        if node.tensor not in seen:
            seen.add(node.tensor)
            shown.append(node)
    for k, node in enumerate(shown):
        h, w = plan.source.tensors[node.tensor].shape[1:3]
        r = node.region
        right.add_patch(Rectangle((r.cols.lo / w, r.rows.lo / h), r.width / w, r.height / h,
                                  fill=False, lw=1.2, edgecolor=plt.cm.viridis(k / max(1, len(shown) - 1))))
    tile = graph.tile
    h, w = plan.output_tensor.shape[1:3]
    right.add_patch(Rectangle((tile.cols.lo / w, tile.rows.lo / h), tile.width / w,
                              tile.height / h, color="tab:red", alpha=0.3, label="its tile"))
    right.add_patch(Rectangle((0, 0), 1, 1, fill=False, lw=1, edgecolor="black"))
    right.set_xlim(-0.05, 1.05)
    right.set_ylim(1.05, -0.05)
    right.set_aspect("equal")
    right.legend(loc="lower right")
    right.set_title(f"patch {patch}: its region in each of the {len(shown)} tensors\n"
                    "(as a fraction of each map; yellow: nearest the output)")
    fig.tight_layout()
    return fig


def plot_live_memory(costs: PlanCosts, op_names, title: str = ""):
    """Bytes alive while each op runs: layer by layer, and patch by patch (the most any
    patch holds, the assembled stage output included)."""
    import matplotlib.pyplot as plt

    steps = np.arange(len(costs.layer_live))
    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.bar(steps - 0.2, costs.layer_live, 0.4, label=f"layer by layer (peak "
           f"{costs.layer_peak_bytes:,} B)", color="tab:gray")
    ax.bar(steps + 0.2, costs.patch_live, 0.4, label=f"patch by patch (peak "
           f"{costs.patch_peak_bytes:,} B)", color="tab:green")
    ax.axvline(costs.stage_ops - 0.5, color="black", ls=":", lw=1)
    ax.text(costs.stage_ops - 0.6, max(costs.layer_live) * 0.95, "patches | rest ",
            ha="center", fontsize=8)
    ax.set_xticks(steps)
    ax.set_xticklabels([f"{i}:{n[:9]}" for i, n in enumerate(op_names)], rotation=70,
                       ha="right", fontsize=7)
    ax.set_ylabel("live activation bytes")
    ax.set_title(title or f"Memory per op: first {costs.stage_ops} ops on a {costs.grid}x"
                 f"{costs.grid} grid")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_sweep(points: list[PlanCosts], chosen: PlanCosts | None = None,
               max_mac_overhead: float = 0.30):
    """Each plan's activation peak (fraction of layer by layer's) against its extra MACs,
    one colour per grid; the MAC budget and the half-peak line dashed."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for grid in sorted({p.grid for p in points}):
        mine = [p for p in points if p.grid == grid]
        ax.scatter([100 * p.mac_overhead for p in mine], [100 * p.peak_ratio for p in mine],
                   s=18, label=f"{grid}x{grid}")
    ax.axvline(100 * max_mac_overhead, color="tab:red", ls="--", lw=1,
               label=f"+{max_mac_overhead:.0%} MAC budget")
    ax.axhline(50, color="gray", ls=":", lw=1, label="half the peak")
    if chosen is not None:
        ax.scatter([100 * chosen.mac_overhead], [100 * chosen.peak_ratio], s=160,
                   facecolors="none", edgecolors="black", lw=1.5,
                   label=f"chosen: {chosen.grid}x{chosen.grid}, {chosen.stage_ops} ops")
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlabel("extra MACs (%)")
    ax.set_ylabel("activation peak (% of layer by layer)")
    ax.set_title("Grid and stage depth: memory against recomputation")
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig
