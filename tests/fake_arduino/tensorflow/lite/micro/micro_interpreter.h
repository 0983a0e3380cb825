// Test double of TFLM's MicroInterpreter with the same calls a sketch makes; Invoke() only
// counts its calls in fake_invokes (the real runtime is checked through the tflite_micro
// wheel in Python and on the board build).
#ifndef FAKE_ARDUINO_MICRO_INTERPRETER_H_
#define FAKE_ARDUINO_MICRO_INTERPRETER_H_

#include <cstddef>
#include <cstdint>

#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

struct TfLiteTensor {
  union {
    int8_t* int8;
    float* f;
  } data;
};

inline int fake_invokes = 0;

namespace tflite {
class MicroInterpreter {
 public:
  template <typename Resolver>
  MicroInterpreter(const Model*, const Resolver&, uint8_t* arena, size_t arena_size)
      : arena_(arena), arena_size_(arena_size) {
    tensor_.data.int8 = reinterpret_cast<int8_t*>(arena_);
  }
  TfLiteStatus AllocateTensors() { return arena_size_ > 0 ? kTfLiteOk : kTfLiteError; }
  TfLiteStatus Invoke() {
    ++fake_invokes;
    return kTfLiteOk;
  }
  TfLiteTensor* input(int) { return &tensor_; }
  TfLiteTensor* output(int) { return &tensor_; }
  size_t arena_used_bytes() const { return 0; }

 private:
  uint8_t* arena_;
  size_t arena_size_;
  TfLiteTensor tensor_;
};
}  // namespace tflite

#endif  // FAKE_ARDUINO_MICRO_INTERPRETER_H_
