"""Checks for the optimisation chapters' exercises (05 quantization, 06 pruning, and the
chapters after them): call one after writing your function, read what it says.

Each check runs your code on cases with known answers (computed by tinyml_lab's own
implementation), and prints either a pass or the first case that went wrong with a hint at
the usual mistake. It returns a CheckResult, truthy when passed, and never raises on a wrong
answer (tinyml_lab.core.checking has the convention). The model chapters' checks live in
their own packages: tinyml_lab.chapters.<chapter>.checks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tinyml_lab.core.checking import QUICK_NOTE, CheckResult, call, result
from tinyml_lab.optimisation import quantize as q

_RANGES = [(-1.0, 1.0), (0.0, 6.0), (-0.3, 2.7), (-5.0, -1.0), (0.5, 3.0), (-2.0, 0.25)]


def check_scale_zero_point(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(rmin, rmax) -> (scale, zero_point) for asymmetric int8 activations."""
    name = "scale and zero point"
    for rmin, rmax in _RANGES:
        want = q.params_from_range(rmin, rmax)
        got, error = call(fn, rmin, rmax)
        if error:
            return result(name, False, error, echo)
        try:
            scale, zero = float(got[0]), got[1]
        except (TypeError, IndexError, ValueError):
            return result(name, False, f"return (scale, zero_point), got {got!r}", echo)
        if not np.isclose(scale, float(want.scale), rtol=1e-6):
            hint = (" Remember to widen the range to include 0 first."
                    if rmin > 0 or rmax < 0 else " scale = (max - min) / (127 - (-128)).")
            return result(name, False, f"for range [{rmin}, {rmax}] the scale should be "
                           f"{float(want.scale):.6g}, yours is {scale:.6g}.{hint}", echo)
        if not float(zero).is_integer() or int(zero) != int(want.zero_point):
            return result(name, False, f"for range [{rmin}, {rmax}] the zero point should be "
                           f"{int(want.zero_point)}, yours is {zero}. It is the integer that "
                           "stands for 0.0: round(-128 - min / scale), kept in [-128, 127], "
                           "with halves "
                           "rounded away from zero (Python's round() sends -0.5 to 0).", echo)
    return result(name, True, f"all {len(_RANGES)} ranges match TFLite's parameters", echo)


def check_quantize(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(x, scale, zero_point) -> int8 array."""
    name = "quantize"
    x = np.array([-3.0, -1.0, -0.26, -0.25, 0.0, 0.25, 0.26, 1.0, 2.4, 9.0])
    for rmin, rmax in ((-1.0, 2.5), (-3.0, 3.0)):
        params = q.params_from_range(rmin, rmax)
        want = q.quantize(x, params)
        got, error = call(fn, x, float(params.scale), int(params.zero_point))
        if error:
            return result(name, False, error, echo)
        got = np.asarray(got)
        if got.shape != want.shape:
            return result(name, False, f"expected shape {want.shape}, got {got.shape}", echo)
        if not np.array_equal(got.astype(np.int64), want.astype(np.int64)):
            bad = int(np.argmax(got.astype(np.int64) != want))
            hint = "clip to [-128, 127]" if abs(x[bad]) > 2 else \
                "round(x / scale) + zero_point, rounding halves away from zero"
            return result(name, False, f"x = {x[bad]} should give {int(want[bad])}, yours "
                           f"gives {got[bad]} (scale {float(params.scale):.4g}, zero point "
                           f"{int(params.zero_point)}): {hint}.", echo)
        if got.dtype != np.int8:
            return result(name, False, f"values are right; return them as int8, not {got.dtype}",
                           echo)
    return result(name, True, "values, rounding, clipping and dtype match", echo)


def check_per_channel_scales(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(kernel) -> one symmetric scale per output channel (last axis of a Keras kernel)."""
    name = "per-channel weight scales"
    rng = np.random.default_rng(7)
    kernel = rng.normal(size=(3, 3, 4, 5)) * np.array([0.1, 1.0, 0.01, 3.0, 0.5])
    want = np.atleast_1d(q.weight_params(kernel).scale)
    got, error = call(fn, kernel)
    if error:
        return result(name, False, error, echo)
    got = np.ravel(np.asarray(got, dtype=np.float64))
    if got.shape != want.shape:
        return result(name, False, f"expected {want.size} scales (one per output channel, the "
                       f"last axis), got {got.size}", echo)
    if not np.allclose(got, want, rtol=1e-6):
        if np.allclose(got, want * 127 / 128, rtol=1e-6):
            hint = "weights are symmetric in [-127, 127]: divide by 127, not 128"
        elif np.allclose(got, np.abs(kernel).max() / 127, rtol=1e-6):
            hint = "that is one scale for the whole tensor; take the max per output channel"
        else:
            hint = "scale = max |w| over each output channel / 127"
        return result(name, False, f"expected {np.round(want, 6).tolist()}, got "
                       f"{np.round(got, 6).tolist()}: {hint}", echo)
    return result(name, True, "one scale per output channel, max|w| / 127", echo)


def check_magnitude_mask(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(weights, sparsity) -> 0/1 mask zeroing the smallest-magnitude weights."""
    name = "magnitude mask"
    rng = np.random.default_rng(3)
    weights = rng.normal(size=(6, 10))
    for target in (0.0, 0.3, 0.75, 0.9):
        got, error = call(fn, weights, target)
        if error:
            return result(name, False, error, echo)
        mask = np.asarray(got)
        if mask.shape != weights.shape:
            return result(name, False, f"the mask must have the weights' shape {weights.shape}, "
                           f"got {mask.shape}", echo)
        zeros = int(np.sum(mask == 0))
        want = int(round(target * weights.size))
        if zeros != want:
            return result(name, False, f"sparsity {target}: expected exactly {want} zeros of "
                           f"{weights.size}, got {zeros}", echo)
        if zeros and zeros < weights.size:
            kept_min = np.abs(weights[mask != 0]).min()
            pruned_max = np.abs(weights[mask == 0]).max()
            if pruned_max > kept_min:
                return result(name, False, f"sparsity {target}: a weight of magnitude "
                               f"{pruned_max:.3f} was pruned while {kept_min:.3f} was kept; "
                               "prune by |w|, smallest first", echo)
    return result(name, True, "exact counts, smallest magnitudes pruned", echo)


def check_filter_ranking(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(kernel, keep) -> indices (ascending) of the `keep` output channels with largest L1."""
    name = "L1 filter ranking"
    rng = np.random.default_rng(5)
    kernel = rng.normal(size=(3, 3, 4, 8)) * rng.uniform(0.1, 2.0, size=8)
    norms = np.abs(kernel).reshape(-1, 8).sum(axis=0)
    for keep in (2, 5, 8):
        want = np.sort(np.argsort(-norms, kind="stable")[:keep])
        got, error = call(fn, kernel, keep)
        if error:
            return result(name, False, error, echo)
        got = np.asarray(got).ravel()
        if sorted(got.tolist()) != want.tolist():
            hint = "rank by the sum of |w| over all axes but the last (output channels)"
            if sorted(got.tolist()) == np.sort(np.argsort(norms)[:keep]).tolist():
                hint = "those are the weakest channels; keep the largest norms"
            return result(name, False, f"keep={keep}: expected channels {want.tolist()}, got "
                           f"{sorted(got.tolist())}: {hint}", echo)
    return result(name, True, "keeps the highest-L1 output channels", echo)


def check_sparsity(sparsities: dict[str, float], target: float | dict[str, float],
                   echo: bool = True) -> CheckResult:
    """Each layer's measured sparsity (prune.sparsity(model)) equals its target to 0.5%."""
    name = "sparsity reached"
    for layer, value in sparsities.items():
        want = target.get(layer, 0.0) if isinstance(target, dict) else target
        if abs(value - want) > 0.005:
            return result(name, False, f"layer {layer!r} is {value:.1%} sparse, target "
                           f"{want:.1%}: did training run past the schedule's end_step, and "
                           "were the masks applied after the last step?", echo)
    return result(name, True, f"{len(sparsities)} layer(s) at their target sparsity", echo)


def check_structured_pruning(before, after, max_bytes_ratio: float = 0.5,
                             max_loss_points: float = 2.0, quick: bool = False,
                             echo: bool = True) -> CheckResult:
    """The issue's target: `after` (a Footprint) has at most half the int8 bytes of `before`
    and loses at most 2 points of its metric, with MACs and arena smaller too."""
    name = "structured pruning target"
    ratio = after.int8_bytes / before.int8_bytes
    loss = 100 * (before.metric - after.metric)
    problems = []
    if ratio > max_bytes_ratio:
        problems.append(f"int8 bytes are {ratio:.0%} of the original (target <= "
                        f"{max_bytes_ratio:.0%}): keep fewer channels")
    if loss > max_loss_points:
        problems.append(f"{after.metric_name} dropped {loss:.2f} points (target <= "
                        f"{max_loss_points}): fine-tune longer or prune the sensitive layers less")
    if after.macs >= before.macs or after.arena_used_bytes >= before.arena_used_bytes:
        problems.append("MACs and arena should shrink too: did the rebuilt model really lose "
                        "channels?")
    if problems:
        return result(name, False, "; ".join(problems + ([QUICK_NOTE] if quick else [])), echo)
    return result(name, True, f"{ratio:.0%} of the bytes, {loss:+.2f} points lost", echo)


def check_multiplier_and_shift(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(real) -> (multiplier, shift): the int32 multiplier in [2^30, 2^31) and the power of
    two with real = multiplier / 2^31 * 2^shift, as TFLite stores a requantization scale."""
    from tinyml_lab.optimisation.integer_inference import quantize_multiplier

    name = "requantization multiplier and shift"
    for real in (0.0066031638752540355, 0.02482275168000891, 0.3, 0.75, 1.9, 2.0**-12):
        want = quantize_multiplier(real)
        got, error = call(fn, real)
        if error:
            return result(name, False, error, echo)
        try:
            got = (int(got[0]), int(got[1]))
        except (TypeError, IndexError, ValueError):
            return result(name, False, f"return (multiplier, shift), got {got!r}", echo)
        if got != want:
            if got[1] == want[1] and abs(got[0] - want[0]) == 1:
                hint = "round the fraction x 2^31 to the nearest integer, not down"
            elif not 2**30 <= got[0] < 2**31:
                hint = ("the multiplier must lie in [2^30, 2^31): math.frexp(real) gives the "
                        "fraction in [0.5, 1) and the exponent")
            else:
                hint = "real = fraction * 2^shift with fraction in [0.5, 1): shift = exponent"
            return result(name, False, f"M = {real:.6g} should give {want}, yours {got}: "
                          f"{hint}", echo)
    return result(name, True, "the same int32 multipliers and shifts as TFLite", echo)



# ------------------------------------------------------------------ chapter 07


def check_input_span(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(out_lo, out_hi, in_size, kernel, stride) -> (lo, hi): the input rows (padding
    included: below 0 or from in_size on) that output rows out_lo..out_hi-1 of a SAME
    convolution read, TFLite's way."""
    from tinyml_lab.optimisation.patch.geometry import AxisWindow, Span, same_padding_before

    name = "input span of a tile"
    cases = [(0, 4, 96, 3, 2), (4, 8, 96, 3, 2), (44, 48, 96, 3, 2), (0, 6, 97, 3, 2),
             (0, 5, 48, 3, 1), (10, 20, 48, 5, 1), (20, 25, 49, 5, 2), (0, 3, 12, 1, 1),
             (3, 6, 6, 3, 1), (0, 24, 48, 2, 2)]
    for out_lo, out_hi, size, kernel, stride in cases:
        out = -(-size // stride)
        before = same_padding_before(size, kernel, stride, 1, out)
        want = AxisWindow(kernel, stride, 1, before).reads(Span(out_lo, out_hi))
        got, error = call(fn, out_lo, out_hi, size, kernel, stride)
        if error:
            return result(name, False, error, echo)
        try:
            lo, hi = int(got[0]), int(got[1])
        except (TypeError, IndexError, ValueError):
            return result(name, False, f"return (lo, hi), got {got!r}", echo)
        if (lo, hi) != (want.lo, want.hi):
            where = (f"{kernel}x{kernel} stride {stride} on {size} rows, output rows "
                     f"{out_lo}..{out_hi - 1}")
            if lo != want.lo:
                hint = (f"SAME pads {max((out - 1) * stride + kernel - size, 0)} rows in all "
                        f"and TFLite puts the smaller half ({before}) before: the first output "
                        "row o reads from o * stride - before")
            else:
                hint = ("the last output row (out_hi - 1) reads up to (out_hi - 1) * stride "
                        "- before + kernel - 1; hi is one past it")
            return result(name, False, f"{where}: expected ({want.lo}, {want.hi}), got "
                           f"({lo}, {hi}). Hint: {hint}.", echo)
    return result(name, True, f"all {len(cases)} tiles read the rows TFLite's SAME padding "
                   "gives, halo and padding included", echo)


def check_patch_plan(model, grid: int, stage_ops: int, max_peak_ratio: float = 0.40,
                     max_mac_overhead: float = 0.20, echo: bool = True) -> CheckResult:
    """The plan (grid, stage_ops) of `model` keeps the activation peak at most
    max_peak_ratio of layer by layer's with at most max_mac_overhead extra MACs, and runs
    exactly (3 random inputs in TFLM)."""
    from tinyml_lab.core.errors import TinyMLError
    from tinyml_lab.optimisation.patch import analyse

    name = "patch plan"
    try:
        report = analyse(model, int(grid), int(stage_ops), verify_inputs=3)
    except (TinyMLError, TypeError, ValueError) as exc:
        return result(name, False, f"this plan cannot be made: {exc}", echo)
    c = report.costs
    stage_peak = max(c.patch_live[:stage_ops])
    rest_peak = max(c.patch_live[stage_ops:])
    problems = []
    if c.peak_ratio > max_peak_ratio:
        if rest_peak >= stage_peak:
            why = (f"the peak ({rest_peak:,} B) is in the rest of the network, after op "
                   f"{stage_ops - 1}, which runs layer by layer: make the stage deeper")
        else:
            why = (f"the peak ({stage_peak:,} B) is while the patches run: more patches "
                   "(a finer grid) make each smaller")
        problems.append(f"the peak is {c.peak_ratio:.0%} of layer by layer's (target <= "
                        f"{max_peak_ratio:.0%}): {why}")
    if c.mac_overhead > max_mac_overhead:
        problems.append(f"the halos add {c.mac_overhead:.0%} MACs (target <= "
                        f"{max_mac_overhead:.0%}): a shallower stage or a coarser grid "
                        "recomputes less")
    if not report.verification.exact:
        problems.append("the patch schedule's output differs from layer by layer's")
    if problems:
        return result(name, False, "; ".join(problems), echo)
    return result(name, True, f"peak {c.peak_ratio:.0%} of layer by layer's, "
                   f"{c.mac_overhead:+.0%} MACs, identical outputs", echo)


def check_offline_plan(model, offsets, echo: bool = True) -> CheckResult:
    """offsets {tensor: byte offset} places every activation of `model`, 16-byte aligned,
    no two tensors alive together overlapping, in no more head than the live-set bound."""
    from tinyml_lab.optimisation.memory_plan import activations, plan_conflicts, plan_head_bytes

    name = "offline memory plan"
    acts = activations(model)
    try:
        offsets = {int(k): int(v) for k, v in dict(offsets).items()}
    except (TypeError, ValueError):
        return result(name, False, "return a dict {tensor index: offset in bytes}", echo)
    missing = [a.tensor for a in acts if a.tensor not in offsets]
    if missing:
        return result(name, False, f"tensors {missing[:5]} have no offset: place every "
                       "activation (memory_plan.activations(model) lists them)", echo)
    odd = [t for t, o in offsets.items() if o % 16 or o < 0]
    if odd:
        return result(name, False, f"tensor {odd[0]} is at {offsets[odd[0]]}: offsets must "
                       "be multiples of 16, from 0", echo)
    bad = plan_conflicts(acts, offsets)
    if bad:
        a, b = bad[0]
        return result(name, False, f"tensors {a} and {b} are alive at the same time and "
                       "their bytes overlap: one op reads one while writing the other; "
                       "put them at opposite ends of the head", echo)
    head = plan_head_bytes(acts, offsets)
    bound = max(sum(a.size for a in acts if a.first <= s <= a.last)
                for s in range(len(model.operators) + 1))
    if head > bound:
        return result(name, False, f"the plan needs {head:,} B of head; the most alive at "
                       f"once is {bound:,} B, and a plan can reach it: reuse the bytes of "
                       "tensors that are no longer needed", echo)
    return result(name, True, f"{len(acts)} tensors in {head:,} B, the live-set bound",
                   echo)


def check_line_fit(fn: Callable, echo: bool = True) -> CheckResult:
    """fn(macs, instructions) -> (slope, intercept) of the ordinary least-squares line."""
    from tinyml_lab.optimisation.latency import fit_line

    name = "least-squares line"
    rng = np.random.default_rng(11)
    noisy = rng.uniform(1e5, 3e6, 12)
    cases = [(np.array([1e5, 2e5, 4e5]), np.array([7e5, 1.2e6, 2.2e6])),  # on 5 x + 200,000
             (noisy, 4.2 * noisy + 3e5 + rng.normal(0, 5e4, noisy.size))]
    for macs, instructions in cases:
        want = fit_line(macs, instructions, relative=False)
        got, error = call(fn, macs.copy(), instructions.copy())
        if error:
            return result(name, False, error, echo)
        try:
            slope, intercept = float(got[0]), float(got[1])
        except (TypeError, IndexError, ValueError):
            return result(name, False, f"return (slope, intercept), got {got!r}", echo)
        if np.isclose(slope, want.intercept, rtol=1e-6) and np.isclose(intercept, want.slope,
                                                                        rtol=1e-6):
            return result(name, False, "slope and intercept are swapped: return "
                           "(slope, intercept)", echo)
        if not (np.isclose(slope, want.slope, rtol=1e-6)
                and np.isclose(intercept, want.intercept, rtol=1e-6, atol=1e-3)):
            return result(name, False, f"for {len(macs)} models the line should be "
                           f"{want.slope:.4f} x MACs + {want.intercept:,.1f}, yours is "
                           f"{slope:.4f} x MACs + {intercept:,.1f}. slope = cov(x, y) / var(x) "
                           "and intercept = mean(y) - slope * mean(x).", echo)
    return result(name, True, "slope and intercept match the least-squares line", echo)


def check_activation_peak(fn: Callable, cases: list[tuple[list, int]],
                          echo: bool = True) -> CheckResult:
    """fn(ops) -> the largest working set in bytes, where ops lists each op's
    (input elements, output elements) of int8 activations; `cases` pairs such lists with
    the answer tinyml_lab.optimisation.architecture gives for a real model."""
    name = "activation working set"
    for ops, want in cases:
        got, error = call(fn, [tuple(op) for op in ops])
        if error:
            return result(name, False, error, echo)
        try:
            got = int(got)
        except (TypeError, ValueError):
            return result(name, False, f"return a number of bytes, got {got!r}", echo)
        if got != want:
            unaligned = max(i + o for i, o in ops)
            hint = ("TFLM places every buffer on a 16-byte boundary: round each tensor up to "
                    "a multiple of 16 before adding" if got == unaligned else
                    "an op needs its input and its output at the same time: add them, then "
                    "take the largest over the ops")
            return result(name, False, f"for a model of {len(ops)} ops the peak is {want:,} B,"
                           f" yours is {got:,} B: {hint}.", echo)
    return result(name, True, f"{len(cases)} models' peaks match, to the byte", echo)


def check_budget_choice(choice, candidates, budget, echo: bool = True) -> CheckResult:
    """`choice` (a design Candidate) fits `budget`, and no trained candidate that fits is
    more accurate."""
    name = "best model under the budget"
    if choice is None:
        return result(name, False, "no model chosen: did any trained candidate fit? Run the "
                       "search with the new budget (cached candidates are reused).", echo)
    if not getattr(choice, "trained", False):
        return result(name, False, f"{choice.label} was not trained ({choice.skipped}): pick "
                       "among the trained candidates", echo)
    over = budget.violations(choice.flash_bytes, choice.arena_bytes, choice.instructions)
    if over:
        return result(name, False, f"{choice.label} is over the budget: {'; '.join(over)}. "
                       "Keep only candidates with candidate.fits(budget).", echo)
    better = [c for c in candidates if c.fits(budget) and c.metric > choice.metric]
    if better:
        best = max(better, key=lambda c: c.metric)
        return result(name, False, f"{best.label} also fits and scores {best.metric:.3f} "
                       f"against your {choice.metric:.3f}: take the highest metric among "
                       "those that fit.", echo)
    return result(name, True, f"{choice.label}: {choice.metric:.3f}, arena "
                   f"{choice.arena_bytes:,} B <= {budget.arena_bytes:,} B", echo)
