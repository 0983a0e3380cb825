"""The stage of a CNN that runs patch by patch, and what one patch of it computes.

A stage is a network's first K ops. It can run patch by patch when every one of them
works on a neighbourhood of each pixel (convolution, depthwise convolution, pooling, pad,
element-wise activations and additions) and the rest of the network reads exactly one of
its tensors, the stage output, which the patches assemble tile by tile.

`patch_graph` works out one tile's computation: backwards from the tile, the region of
every tensor the tile depends on (its halo: the hull of what its readers need, cut to the
tensor's edges), then forwards, the ops of a model that computes just that, with
- each convolution and pooling switched to VALID padding on an input cut exactly to what
  it reads (STRIDED_SLICE where the tensor holds more, for a reader that needs less),
- a PAD with the tensor's zero point wherever TFLite's SAME padding (or an explicit PAD op
  of the network) would have padded: at the map's edges only, so interior patches read
  their neighbours' real values and edge patches read what the whole map would have.
The network input itself is cut by the caller (the patch driver), zero point outside.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import TFLiteModel, tensor_values
from tinyml_lab.optimisation.patch.geometry import IDENTITY, AxisWindow, Region, axis_window

WINDOW_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D")
ELEMENTWISE_OPS = ("RELU", "RELU6", "LOGISTIC", "TANH", "QUANTIZE")
BINARY_OPS = ("ADD", "MUL")
STAGE_OPS = frozenset(WINDOW_OPS + ELEMENTWISE_OPS + BINARY_OPS + ("PAD",))
POOLS = ("AVERAGE_POOL_2D", "MAX_POOL_2D")


class PatchPlanError(TinyMLError):
    """The model, stage or grid cannot be run patch by patch exactly; says why and what to
    choose instead."""


@dataclass(frozen=True)
class Stage:
    """The first `ops` ops of a model, read from one input, feeding the rest through one
    tensor."""

    model: TFLiteModel
    ops: int
    input: int    # the network's input tensor
    output: int   # the one tensor the rest of the network reads
    slots: tuple = field(default=(), repr=False, compare=False)  # activation_slots per op

    def spatial(self, tensor: int) -> tuple[int, int]:
        shape = self.model.tensors[tensor].shape
        return shape[1], shape[2]


def _feature_map(model: TFLiteModel, index: int, op) -> None:
    t = model.tensors[index]
    if len(t.shape) != 4 or t.shape[0] != 1:
        raise PatchPlanError(f"Op {op.index} ({op.name}) works on tensor {index} of shape "
                             f"{list(t.shape)}; patches need 4-D feature maps of batch 1 "
                             "(1, height, width, channels).")
    if t.dtype != "int8" or not t.is_quantized:
        raise PatchPlanError(f"Tensor {index} (op {op.index} {op.name}) is {t.dtype}; the "
                             "planner splits full-int8 models: convert with "
                             "tinyml_lab.core.convert.to_int8 first.")


def _pad_amounts(model: TFLiteModel, op) -> list[tuple[int, int]]:
    paddings = model.tensors[op.inputs[1]]
    if not paddings.is_constant:
        raise PatchPlanError(f"Op {op.index} (PAD) takes its paddings at run time; only "
                             "constant paddings can be split into patches.")
    amounts = [tuple(int(v) for v in row) for row in tensor_values(model, op.inputs[1])]
    if amounts[0] != (0, 0) or amounts[3] != (0, 0):
        raise PatchPlanError(f"Op {op.index} (PAD) pads the batch or channel axis; only "
                             "rows and columns can be padded inside a stage.")
    return amounts


def activation_slots(model: TFLiteModel, op) -> list[tuple[int, AxisWindow, AxisWindow]]:
    """(input slot, row window, column window) of each feature map an op reads."""
    if op.name not in STAGE_OPS:
        fix = (f"End the stage before it (--stage-ops {op.index} or fewer)." if op.index else
               "The network starts with it, so no stage can be split off.")
        raise PatchPlanError(
            f"Op {op.index} ({op.name}) cannot run patch by patch: each of its outputs reads "
            f"more than a neighbourhood (or it is not modelled). {fix}")
    out = model.tensors[op.outputs[0]].shape
    for index in [op.inputs[0], op.outputs[0]]:
        _feature_map(model, index, op)
    inp = model.tensors[op.inputs[0]].shape
    o = op.options
    if op.name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        filt = model.tensors[op.inputs[1]].shape
        if op.name == "DEPTHWISE_CONV_2D" and filt[3] != out[3]:
            raise PatchPlanError(f"Op {op.index}: filter and output channels disagree.")
        rows = axis_window(o.get("padding", 0), inp[1], filt[1], o.get("strideH", 1),
                           o.get("dilationHFactor", 1), out[1])
        cols = axis_window(o.get("padding", 0), inp[2], filt[2], o.get("strideW", 1),
                           o.get("dilationWFactor", 1), out[2])
        return [(0, rows, cols)]
    if op.name in POOLS:
        rows = axis_window(o.get("padding", 0), inp[1], o.get("filterHeight", 1),
                           o.get("strideH", 1), 1, out[1])
        cols = axis_window(o.get("padding", 0), inp[2], o.get("filterWidth", 1),
                           o.get("strideW", 1), 1, out[2])
        return [(0, rows, cols)]
    if op.name == "PAD":
        amounts = _pad_amounts(model, op)
        a, b = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
        if (a.scales, a.zero_points) != (b.scales, b.zero_points):
            raise PatchPlanError(f"Op {op.index} (PAD) changes the quantization; the "
                                 "planner splits only pads that copy their input.")
        return [(0, AxisWindow(before=amounts[1][0]), AxisWindow(before=amounts[2][0]))]
    if op.name in BINARY_OPS:
        for slot in (0, 1):
            t = model.tensors[op.inputs[slot]]
            if t.is_constant or t.shape != out:
                raise PatchPlanError(
                    f"Op {op.index} ({op.name}) broadcasts or adds a constant (input shape "
                    f"{list(t.shape)}, output {list(out)}); inside a stage both inputs must "
                    "be feature maps of the output's shape.")
            _feature_map(model, op.inputs[slot], op)
        return [(0, IDENTITY, IDENTITY), (1, IDENTITY, IDENTITY)]
    return [(0, IDENTITY, IDENTITY)]  # element-wise


def find_stage(model: TFLiteModel, ops: int) -> Stage:
    """The stage made of the model's first `ops` ops, checked; PatchPlanError says why not."""
    n = len(model.operators)
    if not model.is_full_int8:
        raise PatchPlanError("The model is not fully int8 (it has float tensors or float "
                             "inputs/outputs); the planner splits full-int8 models: convert "
                             "with tinyml_lab.core.convert.to_int8 first.")
    if model.subgraph_count != 1 or len(model.inputs) != 1:
        raise PatchPlanError("The planner splits single-subgraph models with one input.")
    if not 1 <= ops < n:
        raise PatchPlanError(f"The stage must have 1 to {n - 1} of the model's {n} ops "
                             f"(the rest of the network needs at least one); got {ops}.")
    produced, slots = set(), []
    for op in model.operators[:ops]:
        slots.append(tuple(activation_slots(model, op)))  # raises for an op that cannot be split
        produced.update(op.outputs)
    read_later = {i for op in model.operators[ops:] for i in op.inputs if i >= 0}
    read_later |= set(model.outputs)
    network_input = model.inputs[0]
    if network_input in read_later:
        raise PatchPlanError("The network input is also read after the stage; the planner "
                             "needs the stage to be its only reader.")
    frontier = sorted(produced & read_later)
    if len(frontier) != 1:
        raise PatchPlanError(
            f"After op {ops - 1} the rest of the network reads {len(frontier)} tensors of the "
            f"stage ({frontier}); a stage must end where exactly one tensor crosses (not in "
            "the middle of a residual block). Choose another --stage-ops.")
    if frontier[0] in model.outputs:
        raise PatchPlanError("The stage output is a model output; end the stage earlier.")
    return Stage(model, ops, network_input, frontier[0], tuple(slots))


def stage_ends(model: TFLiteModel) -> list[int]:
    """Every K for which the first K ops form a stage."""
    ends = []
    for k in range(1, len(model.operators)):
        try:
            activation_slots(model, model.operators[k - 1])
        except PatchPlanError:
            break  # no longer stage can pass this op
        try:
            find_stage(model, k)
        except PatchPlanError:
            continue  # e.g. inside a residual block
        ends.append(k)
    return ends


# ------------------------------------------------------------------ one patch


@dataclass(frozen=True)
class Node:
    """A tensor of a patch model: a region of one of the network's tensors."""

    tensor: int    # the network's tensor (values and quantization)
    region: Region
    channels: int

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return 1, self.region.height, self.region.width, self.channels

    @property
    def nbytes(self) -> int:  # int8
        return self.region.height * self.region.width * self.channels


@dataclass(frozen=True)
class Step:
    """One op of a patch model: a network op ("op", on nodes; None marks a constant or
    absent input, taken from the network op), or a "slice"/"pad" preparing the input of
    network op `op`. offsets: slice, (first row, first col) in its input; pad,
    ((top, bottom), (left, right))."""

    kind: str
    op: int
    inputs: tuple
    output: int
    offsets: tuple = ()


@dataclass(frozen=True)
class PatchGraph:
    """What one tile of the stage output takes: nodes, steps, the model's input and output."""

    tile: Region
    nodes: tuple[Node, ...]
    steps: tuple[Step, ...]
    input: int
    output: int

    @property
    def input_region(self) -> Region:
        """The network-input rows and columns the patch reads (may reach past the edges:
        those are padding, the input's zero point)."""
        return self.nodes[self.input].region

    def signature(self) -> tuple:
        """Equal for patches whose models are the same bytes (positions do not matter)."""
        return (tuple((n.tensor, n.shape) for n in self.nodes),
                tuple((s.kind, s.op, s.inputs, s.output, s.offsets) for s in self.steps),
                self.input, self.output)


def patch_graph(stage: Stage, tile: Region) -> PatchGraph:
    """The ops and tensors that compute `tile` of the stage output, exactly."""
    model = stage.model
    needs: dict[int, list[Region]] = defaultdict(list)
    needs[stage.output].append(tile)
    reads: dict[tuple[int, int], Region] = {}
    computed_region: dict[int, Region] = {}
    for k in reversed(range(stage.ops)):  # backwards: what each tensor must hold
        op = model.operators[k]
        out = op.outputs[0]
        if not needs[out]:
            continue  # this tile does not depend on the op
        region = _hull(needs[out]).clip(*stage.spatial(out))
        computed_region[k] = region
        for slot, rows, cols in stage.slots[k]:
            need = Region(rows.reads(region.rows), cols.reads(region.cols))
            reads[(k, slot)] = need
            needs[op.inputs[slot]].append(need)
    if not needs[stage.input]:
        raise PatchPlanError("The stage output does not depend on the network input.")

    nodes: list[Node] = []
    steps: list[Step] = []
    held: dict[int, tuple[int, Region]] = {}  # tensor -> (node, its region in that tensor)
    made: dict[tuple[int, Region], int] = {}

    def node(tensor: int, region: Region) -> int:
        nodes.append(Node(tensor, region, model.tensors[tensor].shape[3]))
        return len(nodes) - 1

    def materialize(tensor: int, need: Region, reader: int) -> int:
        """A node holding exactly `need` of `tensor` (padding included)."""
        if (tensor, need) in made:
            return made[(tensor, need)]
        current, have = held[tensor]
        inner = need if tensor == stage.input else need.clip(*stage.spatial(tensor))
        if inner is None:
            raise PatchPlanError(f"A patch of op {reader} would read padding only: the grid "
                                 "is too fine for this stage; choose a smaller --grid.")
        if inner != have:
            sliced = node(tensor, inner)
            steps.append(Step("slice", reader, (current,), sliced,
                              (inner.rows.lo - have.rows.lo, inner.cols.lo - have.cols.lo)))
            current = sliced
        if need != inner:
            op = model.operators[reader] if reader < stage.ops else None
            if op is not None and op.name in POOLS:
                raise PatchPlanError(
                    f"Op {reader} ({op.name}) has SAME padding at the map's edge: TFLite "
                    "leaves the padding out of the pool, which no zero-point pad "
                    f"reproduces. End the stage before it (--stage-ops {reader} or fewer).")
            padded = node(tensor, need)
            steps.append(Step("pad", reader, (current,), padded,
                              ((inner.rows.lo - need.rows.lo, need.rows.hi - inner.rows.hi),
                               (inner.cols.lo - need.cols.lo, need.cols.hi - inner.cols.hi))))
            current = padded
        made[(tensor, need)] = current
        return current

    first = node(stage.input, _hull(needs[stage.input]))
    held[stage.input] = (first, nodes[first].region)
    for k in range(stage.ops):  # forwards: the patch model's ops
        if k not in computed_region:
            continue
        op = model.operators[k]
        inputs: list = [None] * len(op.inputs)
        for slot, _, _ in stage.slots[k]:
            inputs[slot] = materialize(op.inputs[slot], reads[(k, slot)], k)
        if op.name == "PAD":  # realised by the pads above: same values, shifted indices
            held[op.outputs[0]] = (inputs[0], computed_region[k])
            continue
        out = node(op.outputs[0], computed_region[k])
        steps.append(Step("op", k, tuple(inputs), out))
        held[op.outputs[0]] = (out, computed_region[k])
    last = materialize(stage.output, tile, stage.ops)
    return PatchGraph(tile, tuple(nodes), tuple(steps), first, last)


def _hull(regions: list[Region]) -> Region:
    result = regions[0]
    for r in regions[1:]:
        result = result.hull(r)
    return result


def step_macs(model: TFLiteModel, graph: PatchGraph) -> list[int]:
    """Multiply-accumulates of each step of a patch model (slices and pads do none)."""
    from tinyml_lab.core.report import window_macs

    macs = []
    for step in graph.steps:
        op = model.operators[step.op] if step.kind == "op" else None
        weights = model.tensors[op.inputs[1]].shape if op and len(op.inputs) > 1 else ()
        macs.append(window_macs(op.name, weights, graph.nodes[step.output].shape) if op else 0)
    return macs
