// Portable input/output conversion for the hello_sine sketch: no Arduino headers, so the
// tests compile it with the host g++ and compare it with tinyml_lab.core.tflm.quantize /
// dequantize on the same numbers. Hand-written (not generated).
#ifndef HELLO_SINE_SINE_IO_H_
#define HELLO_SINE_SINE_IO_H_

#include <math.h>
#include <stdint.h>

// real -> int8 with the model's input scale and zero point; rounds half away from zero
// (as lroundf does) and saturates to [-128, 127].
inline int8_t QuantizeToInt8(float value, float scale, int zero_point) {
  float scaled = value / scale;
  // clamp first: lroundf of a huge value overflows a 32-bit long on Cortex-M
  if (scaled > 1.0e6f) scaled = 1.0e6f;
  if (scaled < -1.0e6f) scaled = -1.0e6f;
  long q = lroundf(scaled) + zero_point;
  if (q < -128) q = -128;
  if (q > 127) q = 127;
  return static_cast<int8_t>(q);
}

// int8 -> real with the model's output scale and zero point.
inline float DequantizeInt8(int8_t value, float scale, int zero_point) {
  return (static_cast<int>(value) - zero_point) * scale;
}

// x for step `step` of a cycle of `steps` inferences: sweeps [0, 2*pi).
inline float SineSweepX(int step, int steps) {
  return 6.2831853f * static_cast<float>(step % steps) / static_cast<float>(steps);
}

// LED duty cycle 0..255 for y in [-1, 1].
inline int BrightnessFor(float y) {
  int duty = static_cast<int>(lroundf((y + 1.0f) * 127.5f));
  return duty < 0 ? 0 : (duty > 255 ? 255 : duty);
}

#endif  // HELLO_SINE_SINE_IO_H_
