"""Compute a model's TFLite-Micro tensor arena, to the byte, without running TFLM.

The estimator replays what TFLM's MicroInterpreter::AllocateTensors does with an arena of
N bytes (see shared notes on TFLM's arena and micro_allocator.cc in tflite-micro):

- the tail (persistent) grows down from the end: each allocation lands at
  AlignDown(tail - size, alignment), so padding depends on where the tail sits and the
  allocations are replayed in TFLM's order, never summed;
- the head (non-persistent) holds, in turn, the scratch-buffer request list and the
  kernels' temporary tensors during Prepare, the allocation-info array and the greedy
  planner's working memory during planning, and finally the planned activations;
- the activations are placed by TFLM's greedy planner (largest first, first fit among
  buffers alive at the same time), not by a live-set bound: the two differ.

`used_bytes` is head + tail after allocation; `min_arena_bytes` is the smallest N for
which every step of the replay fits, found by bisection (feasibility is monotonic in N).

Struct sizes differ by build: a target profile holds them, each number with its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import ITEM_BYTES, Operator, TFLiteModel, read_model

ALIGN = 16  # MicroArenaBufferAlignment()
MAX_SCRATCH_PER_OP = 12  # kMaxScratchBuffersPerOp
PLANNER_BYTES_PER_BUFFER = 40  # GreedyMemoryPlanner::per_buffer_size(): 4 ints + 3 ints + 3 ints
OFFLINE_PLAN_METADATA = "OfflineMemoryAllocation"
ONLINE = -1



class ArenaEstimateError(TinyMLError):
    """The model uses something the estimator does not model: it refuses to guess."""


# ------------------------------------------------------------------ target profiles

@dataclass(frozen=True)
class Target:
    """Sizes (bytes) and alignments of what TFLM allocates, for one build of TFLM."""

    name: str
    description: str
    pointer: int                       # sizeof(void*) == alignof(void*)
    size_t: int
    arena_allocator: int               # (Recording)SingleArenaBufferAllocator
    planner: int                       # GreedyMemoryPlanner
    micro_allocator: int               # (Recording)MicroAllocator
    builtin_data_allocator: int        # MicroBuiltinDataAllocator
    subgraph_allocations: int          # SubgraphAllocations (per subgraph)
    eval_tensor: int                   # TfLiteEvalTensor
    node_and_registration: int         # NodeAndRegistration
    tflite_tensor: tuple[int, int]     # TfLiteTensor (size, align)
    affine_quantization: int           # TfLiteAffineQuantization
    allocation_info: int               # AllocationInfo (temporary, during planning)
    scratch_request: int               # internal::ScratchBufferRequest
    builtin_params: dict = field(default_factory=dict)   # op -> (size, align)
    op_data: dict = field(default_factory=dict)          # op -> bytes from kernel Init
    cmsis_nn: bool = False
    # "chirale-2.0.0": the kernels of the pinned Arduino library, modelled step by step
    # (arena_cmsis.chirale_*); "": the generic model (every input and output once)
    kernels: str = ""

    @property
    def struct_align(self) -> int:
        """alignof() of the pointer-holding structs (allocators, eval tensors, nodes)."""
        return self.pointer


# Builtin parameter structs parsed per op (flatbuffer_conversions.cc), as (size, align).
# Sizes from sizeof/alignof compiled against tflite-micro (Aug 2026) with g++ x86-64 and
# arm-none-eabi-g++ -mcpu=cortex-m4 (short enums shrink the enum-only structs).
_PARAMS_64 = {
    "CONV_2D": (28, 4), "DEPTHWISE_CONV_2D": (28, 4), "FULLY_CONNECTED": (16, 4),
    "AVERAGE_POOL_2D": (40, 4), "MAX_POOL_2D": (40, 4), "RESHAPE": (36, 4),
    "STRIDED_SLICE": (24, 4), "ADD": (8, 4), "MUL": (4, 4), "CONCATENATION": (8, 4),
    "SOFTMAX": (4, 4), "MEAN": (1, 1), "PACK": (8, 4), "SHAPE": (4, 4),
}
_PARAMS_ARM = dict(_PARAMS_64, FULLY_CONNECTED=(5, 1), ADD=(2, 1), MUL=(1, 1), SHAPE=(1, 1))
# Ops whose parser allocates nothing: PAD, QUANTIZE, DEQUANTIZE, LOGISTIC, TANH, RELU, RELU6,
# EXPAND_DIMS. Ops whose kernel has no Init: RESHAPE, SHAPE, PACK, EXPAND_DIMS.

# Kernel Init OpData sizes (reference kernels), allocated 16-aligned.
_OPDATA_64 = {
    "CONV_2D": 72, "DEPTHWISE_CONV_2D": 72, "FULLY_CONNECTED": 64, "SOFTMAX": 80,
    "AVERAGE_POOL_2D": 32, "MAX_POOL_2D": 32, "ADD": 60, "MUL": 36, "QUANTIZE": 32,
    "DEQUANTIZE": 32, "STRIDED_SLICE": 84, "LOGISTIC": 16, "TANH": 16, "RELU": 28,
    "RELU6": 8, "MEAN": 44, "CONCATENATION": 40, "PAD": 56,
}
_OPDATA_ARM = dict(_OPDATA_64, CONV_2D=56, DEPTHWISE_CONV_2D=56, FULLY_CONNECTED=48,
                   SOFTMAX=56, CONCATENATION=24)

TARGETS = {
    "python": Target(
        "python",
        "the pinned tflite_micro wheel on x86-64 (recording allocator, compression build); "
        "checked to the byte against the wheel by the tests",
        pointer=8, size_t=8, arena_allocator=104, planner=72, micro_allocator=272,
        builtin_data_allocator=16, subgraph_allocations=24, eval_tensor=24,
        node_and_registration=64, tflite_tensor=(64, 8), affine_quantization=24,
        allocation_info=32, scratch_request=16,
        # the wheel's FullyConnected params are 32 B, 8-aligned (newer than Aug-2026 source)
        builtin_params=dict(_PARAMS_64, FULLY_CONNECTED=(32, 8)),
        # compression adds weight/bias decode state to Conv/DW (+8), FC (+8) and Concat
        # (10 scratch indices, +40)
        op_data=dict(_OPDATA_64, CONV_2D=80, DEPTHWISE_CONV_2D=80, FULLY_CONNECTED=72,
                     CONCATENATION=80),
    ),
    "x86-64": Target(
        "x86-64", "a plain TFLM build for x86-64 (no recording, no compression)",
        pointer=8, size_t=8, arena_allocator=72, planner=72, micro_allocator=72,
        builtin_data_allocator=16, subgraph_allocations=16, eval_tensor=24,
        node_and_registration=64, tflite_tensor=(64, 8), affine_quantization=24,
        allocation_info=32, scratch_request=16,
        builtin_params=_PARAMS_64, op_data=_OPDATA_64,
    ),
    "cortex-m": Target(
        "cortex-m", "32-bit arm-none-eabi layout (short enums), reference kernels",
        pointer=4, size_t=4, arena_allocator=36, planner=44, micro_allocator=36,
        builtin_data_allocator=8, subgraph_allocations=8, eval_tensor=12,
        node_and_registration=32, tflite_tensor=(32, 4), affine_quantization=12,
        allocation_info=24, scratch_request=12,
        builtin_params=_PARAMS_ARM, op_data=_OPDATA_ARM,
    ),
}
# The Nano 33 BLE Sense build: Chirale_TensorFlowLite 2.0.0 (TFLM of July 2024 + CMSIS-NN)
# compiled with the Arduino core's flags for the Cortex-M4F (-Os, softfp, short enums, no
# TF_LITE_STATIC_MEMORY). Every number was measured on that build, run in QEMU by
# tinyml_lab.core.board: "sizes" is the runner's sizeof/alignof job (struct_sizes()),
# "trace" its allocation trace (trace_allocations(): each persistent, temporary and
# resizable allocation AllocateTensors makes, with size and alignment). The tests check
# the whole replay against arena_used_bytes() and the bisected minimum arena.
_PARAMS_CHIRALE = {  # sizes: sizeof/alignof(TfLite*Params); short enums shrink FC and MEAN
    "CONV_2D": (24, 4),            # TfLiteConvParams (no quantized_bias_type yet)
    "DEPTHWISE_CONV_2D": (28, 4),  # TfLiteDepthwiseConvParams
    "FULLY_CONNECTED": (4, 1),     # TfLiteFullyConnectedParams: 4 one-byte fields
    "AVERAGE_POOL_2D": (40, 4), "MAX_POOL_2D": (40, 4),  # TfLitePoolParams
    "RESHAPE": (36, 4),            # TfLiteReshapeParams
    "STRIDED_SLICE": (20, 4),      # TfLiteStridedSliceParams (no offset field yet)
    "ADD": (2, 1), "MUL": (1, 1), "CONCATENATION": (8, 4), "SOFTMAX": (4, 4),
    "MEAN": (1, 1),                # TfLiteReducerParams
    "PACK": (8, 4), "SHAPE": (1, 1),
}
_OPDATA_CHIRALE = {  # trace: the bytes each kernel's Init asks for (16-aligned)
    "CONV_2D": 60, "DEPTHWISE_CONV_2D": 60,  # cmsis_nn OpData: OpDataConv + buffer_idx
    "FULLY_CONNECTED": 60,   # cmsis_nn: OpDataFullyConnected (36) + 2 pointers + 4 int
    "SOFTMAX": 64,           # cmsis_nn CMSISNNSoftmaxParams
    "AVERAGE_POOL_2D": 36, "MAX_POOL_2D": 36,  # cmsis_nn pooling OpData
    "ADD": 60, "MUL": 36, "QUANTIZE": 32, "DEQUANTIZE": 32, "STRIDED_SLICE": 84,
    "LOGISTIC": 16, "TANH": 16, "RELU": 28, "RELU6": 2, "MEAN": 40, "CONCATENATION": 24,
    "PAD": 56,
}
TARGETS["cortex-m-cmsis-nn"] = Target(
    "cortex-m-cmsis-nn",
    "the Arduino Nano 33 BLE Sense build: Chirale_TensorFlowLite 2.0.0 (TFLM + CMSIS-NN) for "
    "the Cortex-M4F with the core's flags; measured on that build in QEMU",
    pointer=4, size_t=4,
    arena_allocator=36,        # sizes: SingleArenaBufferAllocator; trace: first allocation
    planner=44,                # sizes: GreedyMemoryPlanner
    micro_allocator=36,        # sizes: MicroAllocator
    builtin_data_allocator=8,  # trace: the 8-byte allocation after the MicroAllocator
    subgraph_allocations=8,    # sizes: SubgraphAllocations (two pointers)
    eval_tensor=12,            # sizes: TfLiteEvalTensor
    node_and_registration=44,  # sizes: NodeAndRegistration (TfLiteNode 40: not static memory)
    tflite_tensor=(64, 4),     # sizes: TfLiteTensor, full (no TF_LITE_STATIC_MEMORY)
    affine_quantization=12,    # sizes: TfLiteAffineQuantization
    allocation_info=24,        # sizes: AllocationInfo
    scratch_request=12,        # sizes: internal::ScratchBufferRequest
    builtin_params=_PARAMS_CHIRALE, op_data=_OPDATA_CHIRALE,
    cmsis_nn=True, kernels="chirale-2.0.0",
)

# What the estimator models. Anything else is refused by name.
SUPPORTED_OPS = frozenset(
    set(_OPDATA_64) | set(_PARAMS_64) | {"EXPAND_DIMS", "RESHAPE", "SHAPE", "PACK"}
)


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        raise ArenaEstimateError(
            f"Unknown target {name!r}; choose one of {', '.join(TARGETS)}."
        ) from None


# ------------------------------------------------------------------ per-op kernel model

@dataclass(frozen=True)
class KernelNeeds:
    """What one op's kernel allocates: in Prepare, persistent arrays and scratch requests."""

    prepare_persistent: tuple[int, ...] = ()  # bytes, each 16-aligned
    scratch: tuple[int, ...] = ()              # scratch buffer requests, in order
    # Prepare in order, ("temp", tensor) / ("persistent", bytes); None: every input and
    # output as a temporary tensor once, then prepare_persistent
    steps: tuple | None = None


def _dims(model: TFLiteModel, index: int) -> tuple[int, ...]:
    return model.tensors[index].shape


def _elements(shape) -> int:
    return int(np.prod(shape, dtype=np.int64)) if len(shape) else 1


def kernel_needs(model: TFLiteModel, op: Operator, target: Target) -> KernelNeeds:
    """The Prepare-time allocations of one op, per TFLM's kernels."""
    if target.kernels == "chirale-2.0.0":
        from tinyml_lab.core.arena_cmsis import chirale_prepare_steps, chirale_scratch

        return KernelNeeds(scratch=chirale_scratch(model, op),
                           steps=chirale_prepare_steps(model, op))
    name = op.name
    if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        filt = model.tensors[op.inputs[1]]
        channels = filt.shape[0] if name == "CONV_2D" else filt.shape[3]
        persistent = (4 * channels, 4 * channels)  # per-channel multipliers and shifts
        scratch = _cmsis_scratch(model, op) if target.cmsis_nn else ()
        return KernelNeeds(persistent, scratch)
    if name == "FULLY_CONNECTED":
        filt = model.tensors[op.inputs[1]]
        persistent = (4 * filt.shape[0],) * 2 if filt.is_per_channel else ()
        scratch = _cmsis_scratch(model, op) if target.cmsis_nn else ()
        return KernelNeeds(persistent, scratch)
    if name == "MEAN":
        out = _elements(_dims(model, op.outputs[0]))
        rank = len(_dims(model, op.inputs[0]))
        axes = _elements(_dims(model, op.inputs[1]))
        in_type = model.tensors[op.inputs[0]].dtype
        first = (4 * out,) if in_type in ("int8", "int16") else ()
        return KernelNeeds((), first + (4 * rank, 4 * axes))
    if name == "AVERAGE_POOL_2D" and target.cmsis_nn:
        return KernelNeeds((), _cmsis_scratch(model, op))
    return KernelNeeds()


def _cmsis_scratch(model: TFLiteModel, op: Operator) -> tuple[int, ...]:
    """Scratch buffers the CMSIS-NN kernels request on a Cortex-M4 with DSP (no MVE)."""
    from tinyml_lab.core.arena_cmsis import cmsis_nn_scratch

    return cmsis_nn_scratch(model, op)


# ------------------------------------------------------------------ greedy planner

@dataclass(frozen=True)
class PlannedBuffer:
    """One buffer the planner placed in the head: a tensor or a kernel scratch buffer."""

    name: str
    tensor: int | None  # tensor index, None for scratch buffers
    size: int           # rounded up to 16
    first: int          # step it is created (graph inputs 0, op i at i + 1)
    last: int           # last step it is used
    offset: int


def greedy_plan(buffers: list[tuple[int, int, int, int]]) -> list[int]:
    """Offsets for (size, first, last, offline_offset) buffers, as GreedyMemoryPlanner does.

    Online buffers are loaded into the sort arrays from the back (so they start out in
    reverse order), then bubble-sorted by size, largest first; each takes the lowest
    offset where it fits among the already placed buffers that overlap it in time.
    """
    count = len(buffers)
    if count == 0:
        return []
    offsets = [ONLINE] * count
    order = [0] * count
    head, tail = 0, count
    for i, (size, _, _, offline) in enumerate(buffers):
        if offline == ONLINE:
            tail -= 1
            order[tail] = i
        else:
            order[head] = i
            offsets[i] = offline
            head += 1
    online = order[head:]
    swapped = True
    while swapped:  # stable bubble sort, descending size, exactly as ReverseSortInPlace
        swapped = False
        for k in range(1, len(online)):
            if buffers[online[k - 1]][0] < buffers[online[k]][0]:
                online[k - 1], online[k] = online[k], online[k - 1]
                swapped = True
    order[head:] = online

    placed: list[int] = []  # buffer ids sorted by offset (ties: insertion order)
    first_id = order[0]
    if offsets[first_id] == ONLINE:
        offsets[first_id] = 0
    placed.append(first_id)
    for buffer_id in order[1:]:
        size, first, last, offline = buffers[buffer_id]
        if offline != ONLINE:
            candidate = offline
        else:
            candidate = 0
            overlapping = [
                b for b in placed if not (buffers[b][1] > last or first > buffers[b][2])
            ]
            prior = None
            for nxt in overlapping + [None]:
                if prior is not None:
                    candidate = max(candidate, offsets[prior] + buffers[prior][0])
                if nxt is None or offsets[nxt] - candidate >= size:
                    break
                prior = nxt
        offsets[buffer_id] = candidate
        # keep `placed` sorted by offset; a new entry goes after equal offsets, except that
        # one below the list's first entry becomes the new first
        pos = len(placed)
        if offsets[placed[0]] > candidate:
            pos = 0
        else:
            for k in range(1, len(placed)):
                if offsets[placed[k]] > candidate:
                    pos = k
                    break
        placed.insert(pos, buffer_id)
    return offsets


# ------------------------------------------------------------------ the replay

class _OutOfArena(Exception):
    """An allocation did not fit: the arena size being tried is too small."""


class _Arena:
    """TFLM's SingleArenaBufferAllocator, with addresses as offsets into an aligned arena."""

    def __init__(self, size: int):
        self.size = size
        self.head = 0
        self.temp = 0
        self.tail = size
        self.categories: dict[str, int] = {}

    def persistent(self, size: int, align: int, category: str) -> None:
        new_tail = (self.tail - size) // align * align
        if new_tail < self.head:
            raise _OutOfArena(category)
        self.categories[category] = self.categories.get(category, 0) + self.tail - new_tail
        self.tail = new_tail

    def resize_head(self, size: int) -> None:
        """Grow or shrink the head's resizable buffer (it starts at the aligned arena start)."""
        if self.tail < size:
            raise _OutOfArena("head")
        self.head = self.temp = size

    def allocate_temp(self, size: int, align: int) -> None:
        start = -(-self.temp // align) * align
        if self.tail - start < size:
            raise _OutOfArena("temporary")
        self.temp = start + size

    def reset_temp(self) -> None:
        self.temp = self.head

    def available(self) -> int:
        return (self.tail // ALIGN * ALIGN) - (-(-self.temp // ALIGN) * ALIGN)


@dataclass(frozen=True)
class ArenaEstimate:
    """The arena a model needs in one TFLM build."""

    target: str
    head_bytes: int
    tail_bytes: int
    min_arena_bytes: int
    tail_breakdown: dict
    plan: tuple[PlannedBuffer, ...]
    op_names: tuple[str, ...]

    @property
    def used_bytes(self) -> int:
        return self.head_bytes + self.tail_bytes

    def live_bytes_per_step(self) -> list[int]:
        """Bytes of planned buffers alive at each step (0 = inputs, i + 1 = op i)."""
        steps = len(self.op_names) + 1
        live = [0] * steps
        for b in self.plan:
            for s in range(max(b.first, 0), min(b.last, steps - 1) + 1):
                live[s] += b.size
        return live

    @property
    def peak_step(self) -> int:
        """The step with the most bytes alive (first such step)."""
        live = self.live_bytes_per_step()
        return int(np.argmax(live)) if live else 0

    def live_at(self, step: int) -> tuple[PlannedBuffer, ...]:
        return tuple(b for b in self.plan if b.first <= step <= b.last)

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "used_bytes": self.used_bytes,
            "head_bytes": self.head_bytes,
            "tail_bytes": self.tail_bytes,
            "min_arena_bytes": self.min_arena_bytes,
            "tail_breakdown": dict(self.tail_breakdown),
            "peak_step": self.peak_step,
            "peak_op": self.step_name(self.peak_step),
            "peak_buffers": [b.name for b in self.live_at(self.peak_step)],
        }

    def step_name(self, step: int) -> str:
        return "inputs" if step == 0 else f"op {step - 1} {self.op_names[step - 1]}"


def _check_supported(model: TFLiteModel) -> None:
    if model.subgraph_count != 1:
        raise ArenaEstimateError(
            f"The model has {model.subgraph_count} subgraphs; the estimator models "
            "single-subgraph models only (control flow ops plan several subgraphs together)."
        )
    missing = sorted({op.name for op in model.operators} - SUPPORTED_OPS)
    if missing:
        raise ArenaEstimateError(
            f"The arena estimator does not model op(s) {', '.join(missing)}: it will not guess. "
            "Measure the arena instead: python -m tinyml_lab arena MODEL --measure."
        )
    for t in model.tensors:
        if t.dtype not in ITEM_BYTES:
            raise ArenaEstimateError(f"Tensor {t.name!r} has type {t.dtype}, not modelled.")


def tensor_lifetimes(op_io, tensor_count: int, inputs, outputs) -> tuple[list[int], list[int]]:
    """(first, last) step of each tensor as TFLM's planner sees them: step 0 holds the graph
    inputs, op i runs at step i + 1; a tensor lives from the step that writes it to the
    last that reads it, graph outputs to the end. ONLINE for tensors no op touches.
    op_io: (inputs, outputs) of each op in order."""
    n_ops = len(op_io)
    first = [ONLINE] * tensor_count
    last = [ONLINE] * tensor_count

    def created(i, step):
        if first[i] == ONLINE:
            first[i] = step

    for i in inputs:
        created(i, 0)
        last[i] = 0
    for step, (ins, outs) in enumerate(op_io, start=1):
        for i in outs:
            created(i, step)
        for i in ins:
            if i >= 0:
                last[i] = step
        for i in outs:
            last[i] = step
    for i in outputs:
        created(i, n_ops)
        last[i] = n_ops
    return first, last


def live_tensor_bytes(op_io, sizes, inputs, outputs) -> list[int]:
    """Bytes of the tensors alive while each op runs (its inputs, its outputs and whatever
    waits for a later op): the activation memory a perfect planner needs at that op.
    sizes[i]: bytes of tensor i, 0 for constants."""
    first, last = tensor_lifetimes(op_io, len(sizes), inputs, outputs)
    change = [0] * (len(op_io) + 2)
    for size, a, b in zip(sizes, first, last):
        if a != ONLINE and size:
            change[max(a, 1)] += size
            change[b + 1] -= size
    live, running = [], 0
    for step in range(1, len(op_io) + 1):
        running += change[step]
        live.append(running)
    return live


def model_live_bytes(model: TFLiteModel) -> list[int]:
    """live_tensor_bytes of a model's activations (exact bytes, no alignment or scratch)."""
    sizes = [0 if t.is_constant or t.is_variable else t.nbytes for t in model.tensors]
    return live_tensor_bytes([(op.inputs, op.outputs) for op in model.operators], sizes,
                             model.inputs, model.outputs)


def _plan_inputs(model: TFLiteModel, needs: list[KernelNeeds], offline: list[int] | None):
    """Buffers to plan, with lifetimes, in TFLM's AllocationInfo order: tensors by index,
    then scratch buffers by request order."""
    first, last = tensor_lifetimes([(op.inputs, op.outputs) for op in model.operators],
                                   len(model.tensors), model.inputs, model.outputs)
    buffers, names = [], []
    for t in model.tensors:
        nbytes = t.nbytes
        offline_offset = offline[t.index] if offline else ONLINE
        planned = (not t.is_constant and not t.is_variable and nbytes != 0) or (
            t.is_variable and offline_offset != ONLINE
        )
        if planned:
            buffers.append((-(-nbytes // ALIGN) * ALIGN, first[t.index], last[t.index],
                            offline_offset))
            names.append((t.name or f"tensor {t.index}", t.index))
    for step, (op, need) in enumerate(zip(model.operators, needs), start=1):
        for k, nbytes in enumerate(need.scratch):
            buffers.append((-(-nbytes // ALIGN) * ALIGN, step, step, ONLINE))
            names.append((f"scratch {k} of op {op.index} {op.name}", None))
    return buffers, names


def _offline_offsets(model: TFLiteModel) -> list[int] | None:
    data = model.metadata(OFFLINE_PLAN_METADATA)
    if not data:
        return None
    values = np.frombuffer(data, dtype="<i4")
    count = int(values[2])
    if count != len(model.tensors):
        raise ArenaEstimateError(
            f"The offline memory plan lists {count} tensors, the model has "
            f"{len(model.tensors)}: TFLM would refuse this model."
        )
    return [int(v) for v in values[3 : 3 + count]]


def _replay(model: TFLiteModel, target: Target, arena_size: int, needs, buffers, offline,
            head: int) -> _Arena:
    """Run AllocateTensors' allocations against an arena of arena_size bytes; `head` is the
    greedy plan's size (it does not depend on the arena). Raises _OutOfArena."""
    t = target
    a = _Arena(arena_size)
    sa = t.struct_align
    # MicroAllocator::Create
    a.persistent(t.arena_allocator, sa, "allocator objects")
    a.persistent(t.planner, sa, "allocator objects")
    a.persistent(t.micro_allocator, sa, "allocator objects")
    # StartModelAllocation
    a.persistent(t.builtin_data_allocator, sa, "allocator objects")
    a.resize_head(t.scratch_request * MAX_SCRATCH_PER_OP)
    a.persistent(t.subgraph_allocations, sa, "allocator objects")
    a.persistent(t.eval_tensor * len(model.tensors), sa, "TfLiteEvalTensor")
    a.persistent(t.node_and_registration * len(model.operators), sa, "NodeAndRegistration")
    # PrepareNodeAndRegistrationDataFromFlatbuffer: builtin parameters of every op
    for op in model.operators:
        if op.name in t.builtin_params:
            size, align = t.builtin_params[op.name]
            a.persistent(size, align, "op parameters")
    # InitSubgraphs: kernel OpData
    for op in model.operators:
        if op.name in t.op_data:
            a.persistent(t.op_data[op.name], ALIGN, "kernel OpData")
    # PrepareSubgraphs: temporary tensors, per-channel arrays, scratch requests
    requests = 0
    for op, need in zip(model.operators, needs):
        if need.steps is None:
            for i in op.inputs + op.outputs:
                if i >= 0:
                    _temp_tensor(a, model, i, t)
            for nbytes in need.prepare_persistent:
                a.persistent(nbytes, ALIGN, "per-channel quantization")
        else:
            for kind, value in need.steps:
                if kind == "temp":
                    _temp_tensor(a, model, value, t)
                else:
                    a.persistent(value, ALIGN, "kernel Prepare buffers")
        requests += len(need.scratch)
        a.reset_temp()
        a.resize_head(t.scratch_request * (requests + MAX_SCRATCH_PER_OP))
    # FinishModelAllocation: scratch handles, then the plan
    if requests:
        a.persistent(t.pointer * requests, t.pointer, "scratch buffer handles")
    a.allocate_temp(t.size_t, t.size_t)  # subgraph offsets
    a.allocate_temp(t.allocation_info * (len(model.tensors) + requests), t.size_t)
    for tensor in model.tensors:
        if tensor.is_variable and (offline is None or offline[tensor.index] == ONLINE):
            a.persistent(tensor.nbytes, ALIGN, "variable tensors")
    if len(buffers) > a.available() // PLANNER_BYTES_PER_BUFFER:
        raise _OutOfArena("planner")
    a.head = a.temp = 0
    a.resize_head(head)
    # input_tensors_ / output_tensors_ and their TfLiteTensors
    for group in (model.inputs, model.outputs):
        a.persistent(t.pointer * len(group), ALIGN, "input/output TfLiteTensors")
        for i in group:
            _persistent_tensor(a, model, i, t)
    return a


def _temp_tensor(a: _Arena, model: TFLiteModel, index: int, t: Target) -> None:
    a.allocate_temp(*t.tflite_tensor)
    tensor = model.tensors[index]
    if tensor.is_quantized:
        a.allocate_temp(t.affine_quantization, t.pointer)
        a.allocate_temp(4 + 4 * len(tensor.scales), 4)


def _persistent_tensor(a: _Arena, model: TFLiteModel, index: int, t: Target) -> None:
    a.persistent(*t.tflite_tensor, "input/output TfLiteTensors")
    tensor = model.tensors[index]
    if tensor.is_quantized:
        a.persistent(t.affine_quantization, t.pointer, "input/output TfLiteTensors")
        a.persistent(4 + 4 * len(tensor.scales), 4, "input/output TfLiteTensors")


def estimate_arena(model: TFLiteModel | bytes | str | Path, target: str = "python") -> ArenaEstimate:
    """Head, tail, used and minimum arena bytes of a model for a TFLM build, with the plan."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    profile = get_target(target)
    _check_supported(model)
    needs = [kernel_needs(model, op, profile) for op in model.operators]
    offline = _offline_offsets(model)
    buffers, names = _plan_inputs(model, needs, offline)
    offsets = greedy_plan(buffers)
    head = max((o + b[0] for o, b in zip(offsets, buffers)), default=0)

    def fits(size: int) -> bool:
        try:
            _replay(model, profile, size, needs, buffers, offline, head)
            return True
        except _OutOfArena:
            return False

    # used bytes: replay on a roomy arena whose size is a multiple of 16
    roomy = 1 << 20
    while not fits(roomy):
        roomy *= 4
        if roomy > 1 << 34:
            raise ArenaEstimateError("The model needs more than 16 GiB of arena.")
    arena = _replay(model, profile, roomy, needs, buffers, offline, head)
    tail = roomy - arena.tail
    lo, hi = 0, head + tail + 1024
    while not fits(hi):
        hi *= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if fits(mid) else (mid, hi)
    plan = tuple(
        PlannedBuffer(name, tensor, size, first, last, offset)
        for (name, tensor), (size, first, last, _), offset in zip(names, buffers, offsets)
    )
    return ArenaEstimate(profile.name, head, tail, hi, dict(arena.categories), plan,
                         tuple(op.name for op in model.operators))


def live_set_lower_bound(estimate: ArenaEstimate) -> int:
    """The most bytes alive at one step: what an optimal planner would need."""
    return max(estimate.live_bytes_per_step(), default=0)


# TFLM aligns the arena's start up to 16, so an array that is not 16-byte aligned loses up
# to 15 bytes; 16 keeps the constant a multiple of 16. The sketches declare their arena
# alignas(16) and lose nothing, but a learner who copies the constant may not.
UNALIGNED_ARENA_SLACK = ALIGN
SKETCH_TARGET = "cortex-m-cmsis-nn"


_needs: dict[tuple[str, str], int] = {}


def board_arena_need(model: TFLiteModel | bytes | str | Path, target: str = SKETCH_TARGET) -> int:
    """The fewest arena bytes a target's TFLM build runs the model with: the larger of its
    used bytes and its minimum working arena (remembered per model and target: an export
    asks for it several times)."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    key = (model.sha256, target)
    if key not in _needs:
        estimate = estimate_arena(model, target)
        if len(_needs) > 256:
            _needs.clear()
        _needs[key] = max(estimate.min_arena_bytes, estimate.used_bytes)
    return _needs[key]


def sketch_arena_bytes(model: TFLiteModel | bytes | str | Path, target: str = SKETCH_TARGET) -> int:
    """kTensorArenaSize for a sketch: the larger of the target's used bytes and minimum
    working arena, rounded up to 16, plus the unaligned-array slack. No other margin."""
    need = board_arena_need(model, target)
    return -(-need // ALIGN) * ALIGN + UNALIGNED_ARENA_SLACK


def host_arena_bytes(model: TFLiteModel | bytes | str | Path, sketch_arena: int,
                     target: str = SKETCH_TARGET) -> int:
    """The host runtime's equivalent of a sketch's arena: the host (python target) need plus
    the margin the sketch has above the target's need. The host's 64-bit structs take more
    bytes than the board's 32-bit ones, so the board's number would fail on the host, and
    a roomy host arena would hide a sketch arena that is too small; this one asks the host
    the board's question (allocate with exactly this much to spare)."""
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    return int(sketch_arena) + board_arena_need(model, "python") - board_arena_need(model, target)
