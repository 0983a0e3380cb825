// Test double of TFLM's MicroMutableOpResolver: same names and signatures for the calls
// the generated model_ops.h makes, but each Add* call only records the op it registers,
// so the host g++ can compile and run the generated resolver without the TFLM sources.
#ifndef FAKE_TFLM_MICRO_MUTABLE_OP_RESOLVER_H_
#define FAKE_TFLM_MICRO_MUTABLE_OP_RESOLVER_H_

#include <string>
#include <vector>

enum TfLiteStatus { kTfLiteOk = 0, kTfLiteError = 1 };

namespace tflite {

template <unsigned int tOpCount>
class MicroMutableOpResolver {
 public:
  std::vector<std::string> registered;
  TfLiteStatus AddAbs() { return Record("ABS"); }
  TfLiteStatus AddAdd() { return Record("ADD"); }
  TfLiteStatus AddAddN() { return Record("ADD_N"); }
  TfLiteStatus AddArgMax() { return Record("ARG_MAX"); }
  TfLiteStatus AddArgMin() { return Record("ARG_MIN"); }
  TfLiteStatus AddAveragePool2D() { return Record("AVERAGE_POOL_2D"); }
  TfLiteStatus AddBatchMatMul() { return Record("BATCH_MATMUL"); }
  TfLiteStatus AddBatchToSpaceNd() { return Record("BATCH_TO_SPACE_ND"); }
  TfLiteStatus AddCast() { return Record("CAST"); }
  TfLiteStatus AddCeil() { return Record("CEIL"); }
  TfLiteStatus AddConcatenation() { return Record("CONCATENATION"); }
  TfLiteStatus AddConv2D() { return Record("CONV_2D"); }
  TfLiteStatus AddCos() { return Record("COS"); }
  TfLiteStatus AddCumSum() { return Record("CUMSUM"); }
  TfLiteStatus AddDepthwiseConv2D() { return Record("DEPTHWISE_CONV_2D"); }
  TfLiteStatus AddDepthToSpace() { return Record("DEPTH_TO_SPACE"); }
  TfLiteStatus AddDequantize() { return Record("DEQUANTIZE"); }
  TfLiteStatus AddDiv() { return Record("DIV"); }
  TfLiteStatus AddElu() { return Record("ELU"); }
  TfLiteStatus AddEqual() { return Record("EQUAL"); }
  TfLiteStatus AddExp() { return Record("EXP"); }
  TfLiteStatus AddExpandDims() { return Record("EXPAND_DIMS"); }
  TfLiteStatus AddFill() { return Record("FILL"); }
  TfLiteStatus AddFloor() { return Record("FLOOR"); }
  TfLiteStatus AddFloorDiv() { return Record("FLOOR_DIV"); }
  TfLiteStatus AddFloorMod() { return Record("FLOOR_MOD"); }
  TfLiteStatus AddFullyConnected() { return Record("FULLY_CONNECTED"); }
  TfLiteStatus AddGather() { return Record("GATHER"); }
  TfLiteStatus AddGatherNd() { return Record("GATHER_ND"); }
  TfLiteStatus AddGreater() { return Record("GREATER"); }
  TfLiteStatus AddGreaterEqual() { return Record("GREATER_EQUAL"); }
  TfLiteStatus AddHardSwish() { return Record("HARD_SWISH"); }
  TfLiteStatus AddL2Normalization() { return Record("L2_NORMALIZATION"); }
  TfLiteStatus AddL2Pool2D() { return Record("L2_POOL_2D"); }
  TfLiteStatus AddLeakyRelu() { return Record("LEAKY_RELU"); }
  TfLiteStatus AddLess() { return Record("LESS"); }
  TfLiteStatus AddLessEqual() { return Record("LESS_EQUAL"); }
  TfLiteStatus AddLog() { return Record("LOG"); }
  TfLiteStatus AddLogicalAnd() { return Record("LOGICAL_AND"); }
  TfLiteStatus AddLogicalNot() { return Record("LOGICAL_NOT"); }
  TfLiteStatus AddLogicalOr() { return Record("LOGICAL_OR"); }
  TfLiteStatus AddLogistic() { return Record("LOGISTIC"); }
  TfLiteStatus AddLogSoftmax() { return Record("LOG_SOFTMAX"); }
  TfLiteStatus AddMaximum() { return Record("MAXIMUM"); }
  TfLiteStatus AddMaxPool2D() { return Record("MAX_POOL_2D"); }
  TfLiteStatus AddMean() { return Record("MEAN"); }
  TfLiteStatus AddMinimum() { return Record("MINIMUM"); }
  TfLiteStatus AddMirrorPad() { return Record("MIRROR_PAD"); }
  TfLiteStatus AddMul() { return Record("MUL"); }
  TfLiteStatus AddNeg() { return Record("NEG"); }
  TfLiteStatus AddNotEqual() { return Record("NOT_EQUAL"); }
  TfLiteStatus AddPack() { return Record("PACK"); }
  TfLiteStatus AddPad() { return Record("PAD"); }
  TfLiteStatus AddPadV2() { return Record("PADV2"); }
  TfLiteStatus AddPrelu() { return Record("PRELU"); }
  TfLiteStatus AddQuantize() { return Record("QUANTIZE"); }
  TfLiteStatus AddReduceMax() { return Record("REDUCE_MAX"); }
  TfLiteStatus AddRelu() { return Record("RELU"); }
  TfLiteStatus AddRelu6() { return Record("RELU6"); }
  TfLiteStatus AddReshape() { return Record("RESHAPE"); }
  TfLiteStatus AddResizeBilinear() { return Record("RESIZE_BILINEAR"); }
  TfLiteStatus AddResizeNearestNeighbor() { return Record("RESIZE_NEAREST_NEIGHBOR"); }
  TfLiteStatus AddRound() { return Record("ROUND"); }
  TfLiteStatus AddRsqrt() { return Record("RSQRT"); }
  TfLiteStatus AddSelectV2() { return Record("SELECT_V2"); }
  TfLiteStatus AddShape() { return Record("SHAPE"); }
  TfLiteStatus AddSin() { return Record("SIN"); }
  TfLiteStatus AddSlice() { return Record("SLICE"); }
  TfLiteStatus AddSoftmax() { return Record("SOFTMAX"); }
  TfLiteStatus AddSpaceToBatchNd() { return Record("SPACE_TO_BATCH_ND"); }
  TfLiteStatus AddSpaceToDepth() { return Record("SPACE_TO_DEPTH"); }
  TfLiteStatus AddSplit() { return Record("SPLIT"); }
  TfLiteStatus AddSplitV() { return Record("SPLIT_V"); }
  TfLiteStatus AddSqrt() { return Record("SQRT"); }
  TfLiteStatus AddSquare() { return Record("SQUARE"); }
  TfLiteStatus AddSquaredDifference() { return Record("SQUARED_DIFFERENCE"); }
  TfLiteStatus AddSqueeze() { return Record("SQUEEZE"); }
  TfLiteStatus AddStridedSlice() { return Record("STRIDED_SLICE"); }
  TfLiteStatus AddSub() { return Record("SUB"); }
  TfLiteStatus AddSum() { return Record("SUM"); }
  TfLiteStatus AddSvdf() { return Record("SVDF"); }
  TfLiteStatus AddTanh() { return Record("TANH"); }
  TfLiteStatus AddTranspose() { return Record("TRANSPOSE"); }
  TfLiteStatus AddTransposeConv() { return Record("TRANSPOSE_CONV"); }
  TfLiteStatus AddUnidirectionalSequenceLSTM() { return Record("UNIDIRECTIONAL_SEQUENCE_LSTM"); }
  TfLiteStatus AddUnpack() { return Record("UNPACK"); }
  TfLiteStatus AddZerosLike() { return Record("ZEROS_LIKE"); }

 private:
  TfLiteStatus Record(const char* op) {
    if (registered.size() >= tOpCount) return kTfLiteError;  // resolver too small
    for (const auto& r : registered) {
      if (r == op) return kTfLiteError;  // TFLM refuses duplicates too
    }
    registered.push_back(op);
    return kTfLiteOk;
  }
};

}  // namespace tflite

#endif  // FAKE_TFLM_MICRO_MUTABLE_OP_RESOLVER_H_
