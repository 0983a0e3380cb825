"""Offline memory plans: where each activation lives in the tensor arena, decided before
the model ever runs and written into it for TFLM to follow.

At start-up TFLM places every activation with its greedy planner (largest first, each at
the lowest offset free for its lifetime; tinyml_lab.core.arena.greedy_plan replays it). A
model may instead carry the plan in its "OfflineMemoryAllocation" metadata: int32 values
[version 1, subgraph 0, tensor count, then each tensor's offset in the arena's head, -1
for a tensor TFLM should place itself]. TFLM then uses those offsets as they are, for
better or for worse: a plan that reuses nothing costs the sum of all activations, a good
one costs the most that is alive at once (the live-set bound), which no plan can beat.
Kernel scratch buffers are always placed by TFLM, around the offline tensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tinyml_lab.core.arena import (
    ALIGN,
    OFFLINE_PLAN_METADATA,
    ONLINE,
    tensor_lifetimes,
)
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import TFLiteModel, read_model
from tinyml_lab.core.tflite_write import with_metadata


def _aligned(n: int) -> int:
    return -(-n // ALIGN) * ALIGN


@dataclass(frozen=True)
class Activation:
    """A tensor the arena's head holds: its bytes (16-aligned) and the steps it lives
    (0: the graph inputs, op i at step i + 1)."""

    tensor: int
    size: int
    first: int
    last: int

    def overlaps_in_time(self, other: Activation) -> bool:
        return not (self.last < other.first or other.last < self.first)


def activations(model: TFLiteModel) -> list[Activation]:
    """The model's planned tensors (not constants, not empty) with their lifetimes."""
    first, last = tensor_lifetimes([(op.inputs, op.outputs) for op in model.operators],
                                   len(model.tensors), model.inputs, model.outputs)
    return [Activation(t.index, _aligned(t.nbytes), first[t.index], last[t.index])
            for t in model.tensors
            if not t.is_constant and not t.is_variable and t.nbytes and first[t.index] != ONLINE]


def plan_head_bytes(acts: Sequence[Activation], offsets: dict[int, int]) -> int:
    """Bytes of head a plan needs: the highest end of any placed tensor."""
    return max((offsets[a.tensor] + a.size for a in acts), default=0)


def plan_conflicts(acts: Sequence[Activation], offsets: dict[int, int]) -> list[tuple[int, int]]:
    """Pairs of tensors alive at the same time whose bytes overlap (a broken plan)."""
    bad = []
    for i, a in enumerate(acts):
        for b in acts[i + 1:]:
            if a.overlaps_in_time(b):
                oa, ob = offsets[a.tensor], offsets[b.tensor]
                if oa < ob + b.size and ob < oa + a.size:
                    bad.append((a.tensor, b.tensor))
    return bad


def no_reuse_plan(model: TFLiteModel) -> dict[int, int]:
    """Every activation its own bytes, one after another: what planning saves, undone."""
    offsets, at = {}, 0
    for a in activations(model):
        offsets[a.tensor] = at
        at += a.size
    return offsets


def two_ends_plan(model: TFLiteModel) -> dict[int, int]:
    """For a chain (at most two activations alive at any step): each new tensor at the
    other end of the head from the one it is computed from, so the head is the largest
    input + output pair, the live-set bound."""
    acts = sorted(activations(model), key=lambda a: (a.first, a.tensor))
    for step in range(len(model.operators) + 1):
        alive = [a for a in acts if a.first <= step <= a.last]
        if len(alive) > 2:
            raise TinyMLError(f"At step {step} {len(alive)} activations are alive: the "
                              "two-ends plan is for chains (one tensor in, one out).")
    head = max((a.size + b.size for a in acts for b in acts
                if a is not b and a.overlaps_in_time(b)), default=0)
    head = max(head, max((a.size for a in acts), default=0))
    offsets = {}
    for k, a in enumerate(acts):
        offsets[a.tensor] = 0 if k % 2 == 0 else head - a.size
    return offsets


def offline_plan_metadata(model: TFLiteModel, offsets: dict[int, int]) -> bytes:
    """The "OfflineMemoryAllocation" bytes for a plan (tensors not in it: -1, online)."""
    values = [ONLINE] * len(model.tensors)
    for tensor, offset in offsets.items():
        if offset % ALIGN:
            raise TinyMLError(f"Tensor {tensor} is placed at {offset}, not a multiple of "
                              f"{ALIGN}: kernels expect 16-byte aligned tensors.")
        values[tensor] = int(offset)
    return np.asarray([1, 0, len(model.tensors), *values], dtype="<i4").tobytes()


def with_offline_plan(model: TFLiteModel | bytes, offsets: dict[int, int]) -> TFLiteModel:
    """The same model with the plan in its metadata; refuses a plan with conflicts."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    bad = plan_conflicts(activations(model), offsets)
    if bad:
        a, b = bad[0]
        raise TinyMLError(f"Tensors {a} and {b} are alive at the same time and their bytes "
                          f"overlap in this plan ({len(bad)} such pairs): move one of them.")
    return read_model(with_metadata(model, OFFLINE_PLAN_METADATA,
                                    offline_plan_metadata(model, offsets)))
