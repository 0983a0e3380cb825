"""Write a new .tflite made of parts of an existing one: its tensors (with new shapes where
asked), its ops (with changed options where asked), and a few new ops and constants.

What the course builds this way must run exactly as the original does, so nothing is
re-quantized or re-encoded: weights, biases and quantization parameters are the original's
bytes and numbers, copied. Used by the patch planner (sub-models of a network, per-patch
models) and the offline memory plan (metadata). Constant data stays 16-byte aligned
(tflite_file.pack_model).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.tflite_file import (
    TFLiteModel,
    _schema,
    pack_model,
    read_model,
    unpack_model,
)

# The op versions the converter gives these ops on int8 tensors (TFLite's op_version.cc).
NEW_OP_VERSIONS = {"PAD": 2, "STRIDED_SLICE": 2}
_OPTIONS = {  # op -> (BuiltinOptions member, options class)
    "PAD": ("PadOptions", _schema.PadOptionsT),
    "STRIDED_SLICE": ("StridedSliceOptions", _schema.StridedSliceOptionsT),
}
_NUMPY_TO_TFLITE = {np.dtype(np.int32): _schema.TensorType.INT32,
                    np.dtype(np.int8): _schema.TensorType.INT8}


@functools.lru_cache(maxsize=4)
def _unpacked(data: bytes):
    """The source's object tree, parsed once for the many models a planner writes from it."""
    return unpack_model(data)


class ModelWriter:
    """A new single-subgraph model assembled from `source`'s pieces.

    Tensors are referred to by their index in the new model, which the methods return."""

    def __init__(self, source: TFLiteModel | bytes | str | Path):
        self.source = source if isinstance(source, TFLiteModel) else read_model(source)
        self._tree = _unpacked(self.source.data)  # shared: the writer only copies from it
        if len(self._tree.subgraphs) != 1:
            raise TinyMLError(f"The model has {len(self._tree.subgraphs)} subgraphs; only "
                              "single-subgraph models can be split.")
        self._graph = self._tree.subgraphs[0]
        self._buffers = [_schema.BufferT()]  # buffer 0: the empty buffer every model has
        self._tensors: list = []
        self._operators: list = []
        self._codes: list = []
        self._code_index: dict = {}
        self._constants: dict[int, int] = {}  # source constant tensor -> new tensor
        self._metadata: list[tuple[str, bytes]] = []

    # ------------------------------------------------------------- tensors

    def tensor(self, index: int, shape: Sequence[int] | None = None) -> int:
        """A copy of the source's tensor `index`: same type and quantization, and for a
        constant the same data (copied once however often it is asked for); an activation
        may get a new shape (a patch of the original)."""
        original = self._graph.tensors[index]
        constant = self.source.tensors[index].is_constant
        if constant:
            if shape is not None and tuple(shape) != self.source.tensors[index].shape:
                raise TinyMLError(f"Tensor {index} is a constant: its shape cannot change.")
            if index in self._constants:
                return self._constants[index]
        tensor = copy.deepcopy(original)
        tensor.name = None
        tensor.shapeSignature = None
        if shape is not None:
            tensor.shape = np.asarray(shape, dtype=np.int32)
        if constant:
            buffer = self._tree.buffers[original.buffer]
            self._buffers.append(_schema.BufferT())
            self._buffers[-1].data = np.asarray(buffer.data, np.uint8).tobytes()
            tensor.buffer = len(self._buffers) - 1
        else:
            tensor.buffer = 0
        self._tensors.append(tensor)
        new = len(self._tensors) - 1
        if constant:
            self._constants[index] = new
        return new

    def constant(self, values) -> int:
        """A new constant tensor (int32 or int8), e.g. a PAD op's paddings."""
        values = np.ascontiguousarray(values)
        if values.dtype not in _NUMPY_TO_TFLITE:
            raise TinyMLError(f"Constants of type {values.dtype} are not written here.")
        tensor = _schema.TensorT()
        tensor.shape = np.asarray(values.shape, dtype=np.int32)
        tensor.type = _NUMPY_TO_TFLITE[values.dtype]
        self._buffers.append(_schema.BufferT())
        self._buffers[-1].data = values.astype(values.dtype.newbyteorder("<")).tobytes()
        tensor.buffer = len(self._buffers) - 1
        self._tensors.append(tensor)
        return len(self._tensors) - 1

    def shape(self, index: int) -> tuple[int, ...]:
        return tuple(int(d) for d in self._tensors[index].shape)

    # ------------------------------------------------------------- ops

    def _code(self, code) -> int:
        key = (code.builtinCode, code.deprecatedBuiltinCode, code.version, code.customCode)
        if key not in self._code_index:
            self._codes.append(copy.deepcopy(code))
            self._code_index[key] = len(self._codes) - 1
        return self._code_index[key]

    def copy_op(self, op_index: int, inputs: Sequence[int], outputs: Sequence[int],
                **options) -> None:
        """The source's op `op_index` on new tensors (-1 for an absent optional input),
        with some builtin options changed (e.g. padding=VALID)."""
        op = copy.deepcopy(self._graph.operators[op_index])
        op.opcodeIndex = self._code(self._tree.operatorCodes[op.opcodeIndex])
        op.inputs = np.asarray(inputs, dtype=np.int32)
        op.outputs = np.asarray(outputs, dtype=np.int32)
        op.intermediates = None
        for key, value in options.items():
            if op.builtinOptions is None or not hasattr(op.builtinOptions, key):
                raise TinyMLError(f"Op {op_index} ({self.source.operators[op_index].name}) "
                                  f"has no option {key!r}.")
            setattr(op.builtinOptions, key, value)
        self._operators.append(op)

    def new_op(self, name: str, inputs: Sequence[int], outputs: Sequence[int],
               **options) -> None:
        """An op the source may not have (PAD, STRIDED_SLICE), at the int8 version."""
        if name not in _OPTIONS:
            raise TinyMLError(f"The writer adds only {', '.join(_OPTIONS)} ops, not {name}.")
        builtin = getattr(_schema.BuiltinOperator, name)
        code = _schema.OperatorCodeT()
        code.builtinCode = builtin
        code.deprecatedBuiltinCode = min(builtin, 127)
        code.version = NEW_OP_VERSIONS[name]
        member, options_class = _OPTIONS[name]
        op = _schema.OperatorT()
        op.opcodeIndex = self._code(code)
        op.inputs = np.asarray(inputs, dtype=np.int32)
        op.outputs = np.asarray(outputs, dtype=np.int32)
        op.builtinOptionsType = getattr(_schema.BuiltinOptions, member)
        op.builtinOptions = options_class()
        for key, value in options.items():
            setattr(op.builtinOptions, key, value)
        self._operators.append(op)

    def metadata(self, name: str, data: bytes) -> None:
        """A named metadata entry (e.g. TFLM's "OfflineMemoryAllocation")."""
        self._metadata.append((name, bytes(data)))

    # ------------------------------------------------------------- result

    def finish(self, inputs: Sequence[int], outputs: Sequence[int],
               description: str = "") -> bytes:
        """The model's bytes, checked by reading them back."""
        graph = _schema.SubGraphT()
        graph.tensors = self._tensors
        graph.operators = self._operators
        graph.inputs = np.asarray(inputs, dtype=np.int32)
        graph.outputs = np.asarray(outputs, dtype=np.int32)
        model = _schema.ModelT()
        model.version = self._tree.version
        model.description = description or None
        model.operatorCodes = self._codes
        model.subgraphs = [graph]
        model.buffers = list(self._buffers)
        entries = []
        for name, data in self._metadata:
            model.buffers.append(_schema.BufferT())
            model.buffers[-1].data = data
            entry = _schema.MetadataT()
            entry.name = name
            entry.buffer = len(model.buffers) - 1
            entries.append(entry)
        model.metadata = entries or None
        data = pack_model(model, 1024 + sum(len(b.data or b"") for b in model.buffers))
        read_model(data)
        return data


def extract_ops(source: TFLiteModel | bytes | str | Path, op_indices: Sequence[int],
                inputs: Sequence[int], outputs: Sequence[int], description: str = "") -> bytes:
    """The part of a model made of some of its ops, unchanged, between the given source
    tensors: e.g. the rest of a network after its first K ops, fed by their output."""
    writer = ModelWriter(source)
    new: dict[int, int] = {}

    def mapped(index: int) -> int:
        if index < 0:
            return index
        if index not in new:
            new[index] = writer.tensor(index)
        return new[index]

    for i in inputs:
        mapped(i)
    for k in op_indices:
        op = writer.source.operators[k]
        writer.copy_op(k, [mapped(i) for i in op.inputs], [mapped(i) for i in op.outputs])
    return writer.finish([new[i] for i in inputs], [mapped(i) for i in outputs], description)


def with_metadata(source: TFLiteModel | bytes | str | Path, name: str, data: bytes) -> bytes:
    """The same model with a metadata entry added (an existing one of that name replaced)."""
    model = source if isinstance(source, TFLiteModel) else read_model(source)
    tree = unpack_model(model.data)
    tree.metadata = [m for m in (tree.metadata or []) if (m.name or b"").decode() != name]
    tree.buffers.append(_schema.BufferT())
    tree.buffers[-1].data = bytes(data)
    entry = _schema.MetadataT()
    entry.name = name
    entry.buffer = len(tree.buffers) - 1
    tree.metadata.append(entry)
    out = pack_model(tree, len(model.data) + len(data) + 1024)
    read_model(out)
    return out
