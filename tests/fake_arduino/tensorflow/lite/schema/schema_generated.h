// Test double: just enough of the TFLite schema for a sketch's setup() to compile.
#ifndef FAKE_ARDUINO_SCHEMA_GENERATED_H_
#define FAKE_ARDUINO_SCHEMA_GENERATED_H_

#define TFLITE_SCHEMA_VERSION 3

namespace tflite {
struct Model {
  int version() const { return TFLITE_SCHEMA_VERSION; }
};
inline const Model* GetModel(const void*) {
  static Model model;
  return &model;
}
}  // namespace tflite

#endif  // FAKE_ARDUINO_SCHEMA_GENERATED_H_
