"""Which TFLite ops TensorFlow Lite for Microcontrollers can run, and how to register them.

The table maps a builtin op name (as the .tflite file spells it) to the
MicroMutableOpResolver method that registers its kernel. It lists the ops whose
registration method is in the TFLM snapshot bundled by Chirale_TensorFlowLite (July 2024).
An op outside the table is one a sketch cannot register: the exporter refuses it by name,
before a learner finds out on the board ("Didn't find op for builtin opcode").
"""

from __future__ import annotations

from tinyml_lab.core.errors import UnsupportedOpError

RESOLVER_METHODS = {
    "ABS": "AddAbs",
    "ADD": "AddAdd",
    "ADD_N": "AddAddN",
    "ARG_MAX": "AddArgMax",
    "ARG_MIN": "AddArgMin",
    "AVERAGE_POOL_2D": "AddAveragePool2D",
    "BATCH_MATMUL": "AddBatchMatMul",
    "BATCH_TO_SPACE_ND": "AddBatchToSpaceNd",
    "CAST": "AddCast",
    "CEIL": "AddCeil",
    "CONCATENATION": "AddConcatenation",
    "CONV_2D": "AddConv2D",
    "COS": "AddCos",
    "CUMSUM": "AddCumSum",
    "DEPTH_TO_SPACE": "AddDepthToSpace",
    "DEPTHWISE_CONV_2D": "AddDepthwiseConv2D",
    "DEQUANTIZE": "AddDequantize",
    "DIV": "AddDiv",
    "ELU": "AddElu",
    "EQUAL": "AddEqual",
    "EXP": "AddExp",
    "EXPAND_DIMS": "AddExpandDims",
    "FILL": "AddFill",
    "FLOOR": "AddFloor",
    "FLOOR_DIV": "AddFloorDiv",
    "FLOOR_MOD": "AddFloorMod",
    "FULLY_CONNECTED": "AddFullyConnected",
    "GATHER": "AddGather",
    "GATHER_ND": "AddGatherNd",
    "GREATER": "AddGreater",
    "GREATER_EQUAL": "AddGreaterEqual",
    "HARD_SWISH": "AddHardSwish",
    "L2_NORMALIZATION": "AddL2Normalization",
    "L2_POOL_2D": "AddL2Pool2D",
    "LEAKY_RELU": "AddLeakyRelu",
    "LESS": "AddLess",
    "LESS_EQUAL": "AddLessEqual",
    "LOG": "AddLog",
    "LOG_SOFTMAX": "AddLogSoftmax",
    "LOGICAL_AND": "AddLogicalAnd",
    "LOGICAL_NOT": "AddLogicalNot",
    "LOGICAL_OR": "AddLogicalOr",
    "LOGISTIC": "AddLogistic",
    "MAX_POOL_2D": "AddMaxPool2D",
    "MAXIMUM": "AddMaximum",
    "MEAN": "AddMean",
    "MINIMUM": "AddMinimum",
    "MIRROR_PAD": "AddMirrorPad",
    "MUL": "AddMul",
    "NEG": "AddNeg",
    "NOT_EQUAL": "AddNotEqual",
    "PACK": "AddPack",
    "PAD": "AddPad",
    "PADV2": "AddPadV2",
    "PRELU": "AddPrelu",
    "QUANTIZE": "AddQuantize",
    "REDUCE_MAX": "AddReduceMax",
    "RELU": "AddRelu",
    "RELU6": "AddRelu6",
    "RESHAPE": "AddReshape",
    "RESIZE_BILINEAR": "AddResizeBilinear",
    "RESIZE_NEAREST_NEIGHBOR": "AddResizeNearestNeighbor",
    "ROUND": "AddRound",
    "RSQRT": "AddRsqrt",
    "SELECT_V2": "AddSelectV2",
    "SHAPE": "AddShape",
    "SIN": "AddSin",
    "SLICE": "AddSlice",
    "SOFTMAX": "AddSoftmax",
    "SPACE_TO_BATCH_ND": "AddSpaceToBatchNd",
    "SPACE_TO_DEPTH": "AddSpaceToDepth",
    "SPLIT": "AddSplit",
    "SPLIT_V": "AddSplitV",
    "SQRT": "AddSqrt",
    "SQUARE": "AddSquare",
    "SQUARED_DIFFERENCE": "AddSquaredDifference",
    "SQUEEZE": "AddSqueeze",
    "STRIDED_SLICE": "AddStridedSlice",
    "SUB": "AddSub",
    "SUM": "AddSum",
    "SVDF": "AddSvdf",
    "TANH": "AddTanh",
    "TRANSPOSE": "AddTranspose",
    "TRANSPOSE_CONV": "AddTransposeConv",
    "UNIDIRECTIONAL_SEQUENCE_LSTM": "AddUnidirectionalSequenceLSTM",
    "UNPACK": "AddUnpack",
    "ZEROS_LIKE": "AddZerosLike",
}


def resolver_method(op_name: str, where: str = "") -> str:
    """The MicroMutableOpResolver method for an op; UnsupportedOpError if TFLM lacks it."""
    try:
        return RESOLVER_METHODS[op_name]
    except KeyError:
        raise UnsupportedOpError(unsupported_op_message(op_name, where)) from None


def unsupported_op_message(op_name: str, where: str = "") -> str:
    place = f" (used by {where})" if where else ""
    return (
        f"TensorFlow Lite for Microcontrollers has no kernel for op {op_name}{place}. "
        "Replace that layer with one TFLM supports (Dense, Conv1D/2D, DepthwiseConv2D, "
        "pooling, ReLU/ReLU6/sigmoid/tanh/softmax activations, Add, Concatenate, Reshape) "
        "and convert again."
    )


def require_pinned_kernels(model) -> None:
    """Refuse what the sketches' library computes differently from the host runtime, not
    only what it lacks: the TFLM snapshot in Chirale_TensorFlowLite 2.0.0 applies only the
    first scale of per-channel FULLY_CONNECTED weights (measured on its Cortex-M4 build), so
    such a model would answer differently on the board from what the notebook verified."""
    for op in model.operators:
        if op.name == "FULLY_CONNECTED" and model.tensors[op.inputs[1]].is_per_channel:
            raise UnsupportedOpError(
                f"Op {op.index} (FULLY_CONNECTED) has per-channel weights, which the "
                "sketches' TFLM library (Chirale_TensorFlowLite 2.0.0) reads with the first "
                "channel's scale only: the board would give other answers than the host. "
                "Convert with per-tensor dense weights (convert.to_int8's default, "
                "per_channel_dense=False).")
