"""Read a .tflite flatbuffer once, and answer every question about it.

The TFLM runner, the exporter, `info` and the reports all ask this module; none of them
parses the file on its own. It also writes the one edit the course makes to a file:
dropping the names TFLM never reads (strip_names), which are flash on a board. It uses the schema bindings that ship inside the pinned
`tflite_micro` wheel, so reading a model never imports TensorFlow.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinyml_lab.core.errors import ModelFormatError

try:  # the bindings live at this path inside the tflite_micro wheel
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as _schema
except ImportError as exc:  # pragma: no cover - only without requirements.txt installed
    raise ImportError(
        "tinyml_lab needs the tflite_micro wheel: pip install -r requirements.txt"
    ) from exc

FILE_IDENTIFIER = b"TFL3"
MAX_DIMS = 6  # TFLM's RuntimeShape holds at most 6 dimensions

BUILTIN_OP_NAMES = {
    code: name for name, code in vars(_schema.BuiltinOperator).items() if name.isupper()
}
_TENSOR_TYPE_NAMES = {
    code: name.lower() for name, code in vars(_schema.TensorType).items() if name.isupper()
}
ITEM_BYTES = {  # bytes per element of each TFLite tensor type we size
    "float32": 4, "float16": 2, "int32": 4, "uint8": 1, "int64": 8, "bool": 1, "int16": 2,
    "int8": 1, "float64": 8, "uint64": 8, "uint32": 4, "uint16": 2,
}


@dataclass(frozen=True)
class Tensor:
    """One tensor of the model's main subgraph."""

    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    buffer: int
    is_constant: bool
    is_variable: bool
    scales: tuple[float, ...]
    zero_points: tuple[int, ...]
    quantized_dimension: int

    @property
    def nbytes(self) -> int:
        """Bytes of the tensor's data (0 for unknown element types)."""
        return int(np.prod(self.shape, dtype=np.int64)) * ITEM_BYTES.get(self.dtype, 0)

    @property
    def is_quantized(self) -> bool:
        return len(self.scales) > 0

    @property
    def is_per_channel(self) -> bool:
        return len(self.scales) > 1


@dataclass(frozen=True)
class Operator:
    """One op in execution order: its builtin name and the tensor indices it touches."""

    index: int
    name: str
    version: int
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    # builtin options as plain values, e.g. {"padding": 0, "strideW": 2, ...} for CONV_2D
    options: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class TFLiteModel:
    """What a .tflite file holds, as plain Python values."""

    data: bytes
    schema_version: int
    description: str
    subgraph_count: int
    tensors: tuple[Tensor, ...]
    operators: tuple[Operator, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    metadata_names: tuple[str, ...]
    metadata_buffers: tuple[bytes, ...] = ()

    def metadata(self, name: str) -> bytes | None:
        """The bytes of a named metadata entry (e.g. "OfflineMemoryAllocation"), or None."""
        for key, data in zip(self.metadata_names, self.metadata_buffers):
            if key == name:
                return data
        return None

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def op_names(self) -> tuple[str, ...]:
        """Distinct op names in order of first use: what a resolver must register."""
        return tuple(dict.fromkeys(op.name for op in self.operators))

    @property
    def input_tensors(self) -> tuple[Tensor, ...]:
        return tuple(self.tensors[i] for i in self.inputs)

    @property
    def output_tensors(self) -> tuple[Tensor, ...]:
        return tuple(self.tensors[i] for i in self.outputs)

    @property
    def constant_bytes(self) -> int:
        """Bytes of weights and biases (the part that grows with the model)."""
        return sum(t.nbytes for t in self.tensors if t.is_constant)

    @property
    def float_tensors(self) -> tuple[Tensor, ...]:
        return tuple(t for t in self.tensors if t.dtype in ("float32", "float16", "float64"))

    @property
    def is_full_int8(self) -> bool:
        """True when inputs, outputs and every activation and weight are integers."""
        return not self.float_tensors and all(
            t.dtype == "int8" for t in self.input_tensors + self.output_tensors
        )


def read_model(source: bytes | bytearray | str | Path) -> TFLiteModel:
    """Parse a .tflite file or its bytes; raise ModelFormatError with the fix if it is not one."""
    data = _load_bytes(source)
    where = f"{source}" if isinstance(source, (str, Path)) else "the given bytes"
    if len(data) < 8:
        raise ModelFormatError(
            f"{where} is {len(data)} bytes long: too short to be a TFLite model. "
            "Convert a Keras model with tinyml_lab.core.convert first."
        )
    if data[4:8] != FILE_IDENTIFIER:
        raise ModelFormatError(
            f"{where} is not a TFLite flatbuffer: its file identifier is {data[4:8]!r}, "
            f"expected {FILE_IDENTIFIER!r}. Is it a Keras (.keras/.h5) or SavedModel file? "
            "Convert it with tinyml_lab.core.convert.to_int8()."
        )
    try:
        model = _schema.ModelT.InitFromPackedBuf(data, 0)
        parsed = _to_dataclasses(model, data)
    except ModelFormatError:
        raise
    except Exception as exc:  # flatbuffers reports damage as struct/index/value errors
        raise ModelFormatError(
            f"{where} looks like a TFLite model but cannot be read ({type(exc).__name__}: "
            f"{exc}); it is probably truncated or corrupt. Re-export it from the notebook."
        ) from exc
    return parsed


def _load_bytes(source: bytes | bytearray | str | Path) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"Expected a .tflite file's path or its bytes, got "
                        f"{type(source).__name__}.")
    path = Path(source)
    if not path.is_file():
        raise ModelFormatError(f"No model file at {path}: check the path.")
    return path.read_bytes()


def _to_dataclasses(model, data: bytes) -> TFLiteModel:
    if not model.subgraphs:
        raise ModelFormatError("The model has no subgraph: it is empty or corrupt.")
    graph = model.subgraphs[0]
    buffers = model.buffers or []
    tensors = []
    for index, t in enumerate(graph.tensors or []):
        # TFLM follows these indices without checking them: out of range, it reads whatever
        # memory lies there and crashes, or not, depending on the process
        if not 0 <= t.buffer < max(len(buffers), 1):
            raise ModelFormatError(
                f"Tensor {index} refers to buffer {t.buffer}, but the model has only "
                f"{len(buffers)}: the file is corrupt. Re-export it from the notebook.")
        buffer = buffers[t.buffer] if t.buffer < len(buffers) else None
        has_data = buffer is not None and buffer.data is not None and len(buffer.data) > 0
        q = t.quantization
        scales = tuple(float(s) for s in (q.scale if q is not None and q.scale is not None else ()))
        zeros = tuple(
            int(z) for z in (q.zeroPoint if q is not None and q.zeroPoint is not None else ())
        )
        tensor = Tensor(
            index=index,
            name=(t.name or b"").decode("utf-8", "replace"),
            shape=tuple(int(d) for d in (t.shape if t.shape is not None else ())),
            dtype=_TENSOR_TYPE_NAMES.get(t.type, f"type{t.type}"),
            buffer=int(t.buffer),
            is_constant=has_data,
            is_variable=bool(t.isVariable),
            scales=scales,
            zero_points=zeros,
            quantized_dimension=int(q.quantizedDimension) if q is not None else 0,
        )
        if any(d < 0 for d in tensor.shape):
            raise ModelFormatError(f"Tensor {index} has shape {list(tensor.shape)}: dimensions "
                                   "are never negative, the file is corrupt. Re-export it.")
        if has_data and tensor.dtype in ITEM_BYTES and len(buffer.data) != tensor.nbytes:
            raise ModelFormatError(
                f"Tensor {tensor.name!r} should hold {tensor.nbytes} bytes but its buffer has "
                f"{len(buffer.data)}: the file is corrupt. Re-export it from the notebook."
            )
        _check_quantization_shape(tensor)
        tensors.append(tensor)
    for m in model.metadata or []:
        if not 0 <= m.buffer < len(buffers):
            raise ModelFormatError(f"A metadata entry refers to buffer {m.buffer}, but the "
                                   f"model has only {len(buffers)}: the file is corrupt.")
    codes = model.operatorCodes or []
    operators = []
    for index, op in enumerate(graph.operators or []):
        code = codes[op.opcodeIndex]
        builtin = max(int(code.builtinCode), int(code.deprecatedBuiltinCode))
        name = BUILTIN_OP_NAMES.get(builtin, f"BUILTIN_{builtin}")
        if name == "CUSTOM":
            name = f"CUSTOM:{(code.customCode or b'').decode('utf-8', 'replace')}"
        operators.append(
            Operator(
                index=index,
                name=name,
                version=int(code.version),
                inputs=tuple(int(i) for i in (op.inputs if op.inputs is not None else ())),
                outputs=tuple(int(i) for i in (op.outputs if op.outputs is not None else ())),
                options=_plain_options(op.builtinOptions),
            )
        )
    for op in operators:
        for i in op.inputs + op.outputs:
            if not -1 <= i < len(tensors) or (i == -1 and i in op.outputs):
                raise ModelFormatError(
                    f"Op {op.index} ({op.name}) refers to tensor {i}, but the model has only "
                    f"{len(tensors)}: the file is corrupt."
                )
    for kind, indices in (("input", graph.inputs), ("output", graph.outputs)):
        for i in (indices if indices is not None else ()):
            if not 0 <= int(i) < len(tensors):
                raise ModelFormatError(f"The model's {kind} is tensor {int(i)}, but the model "
                                       f"has only {len(tensors)}: the file is corrupt.")
    return TFLiteModel(
        data=data,
        schema_version=int(model.version),
        description=(model.description or b"").decode("utf-8", "replace"),
        subgraph_count=len(model.subgraphs),
        tensors=tuple(tensors),
        operators=tuple(operators),
        inputs=tuple(int(i) for i in graph.inputs),
        outputs=tuple(int(i) for i in graph.outputs),
        metadata_names=tuple(
            (m.name or b"").decode("utf-8", "replace") for m in (model.metadata or [])
        ),
        metadata_buffers=tuple(
            _buffer_bytes(buffers, m.buffer) for m in (model.metadata or [])
        ),
    )


def _check_quantization_shape(tensor: Tensor) -> None:
    """As many zero points as scales, and per-channel parameters along a real axis with one
    per channel: TFLM indexes them by channel without checking."""
    if not tensor.scales and not tensor.zero_points:
        return
    where = f"Tensor {tensor.index} ({tensor.name or 'unnamed'})"
    if len(tensor.zero_points) != len(tensor.scales):
        raise ModelFormatError(f"{where} has {len(tensor.scales)} scale(s) but "
                               f"{len(tensor.zero_points)} zero point(s): the file is corrupt.")
    if len(tensor.scales) > 1:
        axis = tensor.quantized_dimension
        if not 0 <= axis < len(tensor.shape) or tensor.shape[axis] != len(tensor.scales):
            raise ModelFormatError(
                f"{where} has {len(tensor.scales)} per-channel scales along axis {axis} of "
                f"shape {list(tensor.shape)}: the file is corrupt.")


def check_integrity(model: TFLiteModel) -> None:
    """ModelFormatError for what no converter writes but one flipped byte can: an op reading
    a tensor that nothing fills (no data, no model input, no earlier op's output: a weight
    that lost its buffer), a model output nothing computes, a scale that is negative or not
    finite, a zero point its integer type cannot hold. TFLM would run some of these, on
    garbage, and crash on others."""
    filled = set(model.inputs) | {t.index for t in model.tensors if t.is_constant or t.is_variable}
    for op in model.operators:
        for i in op.inputs:
            if i >= 0 and i not in filled:
                tensor = model.tensors[i]
                raise ModelFormatError(
                    f"Op {op.index} ({op.name}) reads tensor {i} ({tensor.name or 'unnamed'}), "
                    "which has no data and is computed by no earlier op: the file is corrupt "
                    "(a weight lost its buffer?). Convert and export the model again.")
        filled.update(op.outputs)
    for i in model.outputs:
        if i not in filled:
            raise ModelFormatError(f"The model's output tensor {i} is computed by no op: the "
                                   "file is corrupt. Convert and export the model again.")
    for t in model.tensors:
        if len(t.shape) > MAX_DIMS:
            raise ModelFormatError(f"Tensor {t.index} ({t.name or 'unnamed'}) has "
                                   f"{len(t.shape)} dimensions; TFLM's kernels handle at most "
                                   f"{MAX_DIMS}: the file is corrupt, or the model cannot run "
                                   "on a microcontroller.")
        bad_scale = next((s for s in t.scales if not (np.isfinite(s) and s >= 0)), None)
        if bad_scale is not None:
            raise ModelFormatError(f"Tensor {t.index} ({t.name or 'unnamed'}) has scale "
                                   f"{bad_scale!r}; scales are finite and positive: the file "
                                   "is corrupt. Convert and export the model again.")
        if t.dtype in ("int8", "uint8", "int16") and t.zero_points:
            info = np.iinfo(t.dtype)
            if not all(info.min <= z <= info.max for z in t.zero_points):
                raise ModelFormatError(f"Tensor {t.index} ({t.name or 'unnamed'}) has a zero "
                                       f"point outside {t.dtype}'s {info.min}..{info.max}: the "
                                       "file is corrupt. Convert and export the model again.")


def _plain_options(options) -> dict:
    if options is None:
        return {}
    return {k: v for k, v in vars(options).items() if isinstance(v, (int, float, bool))}


def _buffer_bytes(buffers, index: int) -> bytes:
    if index >= len(buffers) or buffers[index].data is None:
        return b""
    return bytes(bytearray(buffers[index].data))


_NUMPY_TYPES = {"float32": np.float32, "float16": np.float16, "int32": np.int32,
                "uint8": np.uint8, "int64": np.int64, "bool": np.bool_, "int16": np.int16,
                "int8": np.int8, "float64": np.float64, "uint64": np.uint64,
                "uint32": np.uint32, "uint16": np.uint16}


def tensor_values(model: TFLiteModel, index: int) -> np.ndarray:
    """The stored values of a constant tensor (weights, biases), shaped as in the file."""
    tensor = model.tensors[index]
    if not tensor.is_constant:
        raise ModelFormatError(
            f"Tensor {index} ({tensor.name!r}) is not a constant: only weights and biases have "
            "stored values; activations exist only while the model runs."
        )
    if tensor.dtype not in _NUMPY_TYPES:
        raise ModelFormatError(f"Tensor {index} has element type {tensor.dtype}, which "
                               "tinyml_lab cannot turn into numbers.")
    root = _schema.Model.GetRootAs(model.data, 0)
    raw = root.Buffers(tensor.buffer).DataAsNumpy()
    values = np.frombuffer(np.asarray(raw, dtype=np.uint8).tobytes(),
                           dtype=np.dtype(_NUMPY_TYPES[tensor.dtype]).newbyteorder("<"))
    return values.reshape(tensor.shape).astype(_NUMPY_TYPES[tensor.dtype])


class _AlignedBuffer(_schema.BufferT):
    """A constant buffer packed with its data 16-byte aligned, as the converter writes it:
    the generated Python bindings align it to 1 byte, and kernels read int32 biases and
    int8 weights in place from flash, where misaligned wide loads can fault."""

    def __init__(self, raw: bytes | None, offset: int, size: int):
        super().__init__()
        self.raw, self.offset, self.size = raw, offset, size

    def Pack(self, builder):  # noqa: N802 - the bindings' method name
        data = None
        if self.raw:
            builder.StartVector(1, len(self.raw), 16)
            builder.head -= len(self.raw)
            builder.Bytes[builder.head:builder.head + len(self.raw)] = self.raw
            data = builder.EndVector()
        _schema.BufferStart(builder)
        if data is not None:
            _schema.BufferAddData(builder, data)
        _schema.BufferAddOffset(builder, self.offset)
        _schema.BufferAddSize(builder, self.size)
        return _schema.BufferEnd(builder)


def _as_bytes(data) -> bytes | None:
    if data is None or isinstance(data, bytes):
        return data
    return np.asarray(data, np.uint8).tobytes()


def unpack_model(source: bytes | bytearray | str | Path):
    """The model as the schema's editable object tree (ModelT), for the writers."""
    data = _load_bytes(source)
    read_model(data)  # refuse anything that is not a readable model, with the usual message
    return _schema.ModelT.InitFromPackedBuf(data, 0)


def pack_model(model, size_hint: int = 1024) -> bytes:
    """Serialise a ModelT with every constant buffer 16-byte aligned, as the converter
    writes them (see _AlignedBuffer)."""
    import flatbuffers

    model.buffers = [
        b if isinstance(b, _AlignedBuffer) else
        _AlignedBuffer(_as_bytes(b.data), b.offset, b.size) for b in model.buffers]
    builder = flatbuffers.Builder(size_hint)
    builder.Finish(model.Pack(builder), file_identifier=FILE_IDENTIFIER)
    return bytes(builder.Output())


def strip_names(source: bytes | bytearray | str | Path) -> bytes:
    """The same model without tensor and subgraph names, signatures and description.

    TFLM never reads them, but they sit in flash: the converter names each tensor after
    every layer fused into it, about 13 KB on the person detector. Ops, shapes, weights,
    quantization and metadata are untouched, and constant data stays 16-byte aligned."""
    data = _load_bytes(source)
    model = unpack_model(data)
    model.description = None
    model.signatureDefs = None
    for subgraph in model.subgraphs:
        subgraph.name = None
        for tensor in subgraph.tensors:
            tensor.name = None
    return pack_model(model, len(data))
