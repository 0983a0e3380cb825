// Portable gesture signal path for the gesture and imu_capture sketches: no Arduino
// headers, so the tests compile it with the host g++ and compare it with its Python twin,
// tinyml_lab.chapters.gesture.features (same steps, same float32 arithmetic, same order).
// Hand-written (not generated). The imu_capture sketch carries an identical copy.
#ifndef GESTURE_IMU_GESTURE_H_
#define GESTURE_IMU_GESTURE_H_

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

constexpr int kImuChannels = 6;       // aX, aY, aZ in g; gX, gY, gZ in degrees/s
constexpr int kGestureSamples = 119;  // one second at 119 Hz
constexpr int kGestureValues = kGestureSamples * kImuChannels;
constexpr float kMotionThresholdG = 2.5f;  // the Arduino workshop's trigger
constexpr float kAccelRangeG = 4.0f;       // full scales of both boards' IMUs
constexpr float kGyroRangeDps = 2000.0f;

// Significant motion: the absolute accelerations add up to at least the threshold.
inline bool IsSignificantMotion(const float sample[kImuChannels],
                                float threshold_g = kMotionThresholdG) {
  return fabsf(sample[0]) + fabsf(sample[1]) + fabsf(sample[2]) >= threshold_g;
}

// Waits for significant motion, then keeps the next kGestureSamples samples (the sample
// that triggered is not kept, as in the workshop's IMU_Capture).
class GestureRecorder {
 public:
  explicit GestureRecorder(float threshold_g = kMotionThresholdG) : threshold_g_(threshold_g) {}

  // Feed every IMU sample; returns true on the sample that completes a window.
  bool Add(const float sample[kImuChannels]) {
    if (count_ < 0) {
      if (IsSignificantMotion(sample, threshold_g_)) count_ = 0;
      return false;
    }
    for (int c = 0; c < kImuChannels; ++c) window_[count_ * kImuChannels + c] = sample[c];
    if (++count_ < kGestureSamples) return false;
    count_ = -1;
    return true;
  }

  bool recording() const { return count_ >= 0; }
  const float* window() const { return window_; }

 private:
  float threshold_g_;
  int count_ = -1;  // -1: waiting for motion; else samples kept so far
  float window_[kGestureValues];
};

// The rotation taking the window's mean acceleration (gravity, as the hand starts and ends
// at rest) onto +z: Rodrigues' formula for the axis u x z, written out.
inline void GravityRotation(const float* window, float R[3][3]) {
  float sx = 0.0f, sy = 0.0f, sz = 0.0f;
  for (int i = 0; i < kGestureSamples; ++i) {
    sx += window[i * kImuChannels + 0];
    sy += window[i * kImuChannels + 1];
    sz += window[i * kImuChannels + 2];
  }
  const float n = static_cast<float>(kGestureSamples);
  const float mx = sx / n, my = sy / n, mz = sz / n;
  const float norm = sqrtf(mx * mx + my * my + mz * mz);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) R[r][c] = (r == c) ? 1.0f : 0.0f;
  }
  if (norm < 1e-6f) return;
  const float ux = mx / norm, uy = my / norm, uz = mz / norm;
  if (1.0f + uz < 1e-6f) {  // pointing straight down: half a turn about x
    R[1][1] = -1.0f;
    R[2][2] = -1.0f;
    return;
  }
  const float f = 1.0f / (1.0f + uz);
  R[0][0] = 1.0f - f * ux * ux;
  R[0][1] = -(f * ux * uy);
  R[0][2] = -ux;
  R[1][0] = -(f * ux * uy);
  R[1][1] = 1.0f - f * uy * uy;
  R[1][2] = -uy;
  R[2][0] = ux;
  R[2][1] = uy;
  R[2][2] = uz;
}

// In place: turn the window so gravity points up, then scale each channel's full scale
// onto [0, 1]: acceleration (a + 4) / 8, angular rate (g + 2000) / 4000.
inline void NormalizeGestureWindow(float* window) {
  float R[3][3];
  GravityRotation(window, R);
  for (int i = 0; i < kGestureSamples; ++i) {
    float* s = window + i * kImuChannels;
    for (int part = 0; part < 2; ++part) {
      float* v = s + 3 * part;
      const float x = v[0], y = v[1], z = v[2];
      for (int r = 0; r < 3; ++r) v[r] = R[r][0] * x + R[r][1] * y + R[r][2] * z;
    }
    for (int c = 0; c < 3; ++c) s[c] = (s[c] + kAccelRangeG) / (2.0f * kAccelRangeG);
    for (int c = 3; c < 6; ++c) s[c] = (s[c] + kGyroRangeDps) / (2.0f * kGyroRangeDps);
  }
}

// real -> int8 with the model's input scale and zero point; rounds half away from zero
// (as lroundf does) and saturates to [-128, 127].
inline int8_t QuantizeToInt8(float value, float scale, int zero_point) {
  float scaled = value / scale;
  if (scaled > 1.0e6f) scaled = 1.0e6f;  // lroundf of a huge value overflows a 32-bit long
  if (scaled < -1.0e6f) scaled = -1.0e6f;
  long q = lroundf(scaled) + zero_point;
  if (q < -128) q = -128;
  if (q > 127) q = 127;
  return static_cast<int8_t>(q);
}

inline float DequantizeInt8(int8_t value, float scale, int zero_point) {
  return (static_cast<int>(value) - zero_point) * scale;
}

// Index of the highest score; the first one on a tie.
inline int TopClass(const float* scores, int count) {
  int best = 0;
  for (int i = 1; i < count; ++i) {
    if (scores[i] > scores[best]) best = i;
  }
  return best;
}

// One CSV line "aX,aY,aZ,gX,gY,gZ" with three decimals, each value rounded half away from
// zero; "nan" for a failed read (NaN or infinite). Integer formatting only: the printf of
// the Arduino cores often has no %f. Returns the length written (the buffer needs 96 bytes).
inline int FormatImuLine(const float sample[kImuChannels], char* out, int size) {
  int n = 0;
  for (int c = 0; c < kImuChannels && n < size; ++c) {
    const char* comma = c ? "," : "";
    const float v = sample[c];
    if (!(fabsf(v) <= 3.0e38f)) {  // NaN or infinite
      n += snprintf(out + n, size - n, "%snan", comma);
      continue;
    }
    float milli = v * 1000.0f;
    if (milli > 1.0e9f) milli = 1.0e9f;
    if (milli < -1.0e9f) milli = -1.0e9f;
    const long m = lroundf(milli);
    const long a = labs(m);
    n += snprintf(out + n, size - n, "%s%s%ld.%03ld", comma, m < 0 ? "-" : "", a / 1000,
                  a % 1000);
  }
  return n;
}

#endif  // GESTURE_IMU_GESTURE_H_
