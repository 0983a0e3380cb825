// camera_preprocess.h: one OV7675 camera frame -> the person-detection model's int8 input.
//
// Portable C++ (no Arduino headers): the course's tests compile it with the host g++ and
// check it bit for bit against its Python twin, tinyml_lab/chapters/person_detection/
// camera.py, which is what the notebook trains on. Change one, change the other.
//
// Steps, in integer arithmetic so the board and Python cannot drift apart:
//   QCIF frame, 176 x 144 RGB565, 2 bytes a pixel, high byte first (the order the sensor
//   clocks them out and Arduino_OV767X's readFrame() stores them)
//   -> centre crop 144 x 144 (the model wants a square; cropping keeps the aspect ratio)
//   -> area-average resize to 96 x 96 (1.5 source pixels per output pixel)
//   -> grayscale, luma = (77 R + 150 G + 29 B) / 256 on 8-bit channels
//   -> int8 with the model's input quantization of gray / 255, through a 256-entry table.
#ifndef PERSON_DETECTION_CAMERA_PREPROCESS_H_
#define PERSON_DETECTION_CAMERA_PREPROCESS_H_

#include <math.h>
#include <stdint.h>

namespace camera_preprocess {

constexpr int kFrameWidth = 176;  // QCIF
constexpr int kFrameHeight = 144;
constexpr int kBytesPerPixel = 2;  // RGB565
constexpr int kFrameBytes = kFrameWidth * kFrameHeight * kBytesPerPixel;
constexpr int kCropSize = kFrameHeight;  // the largest centred square
constexpr int kCropLeft = (kFrameWidth - kCropSize) / 2;
constexpr int kCropTop = (kFrameHeight - kCropSize) / 2;
constexpr int kImageSize = 96;  // the model's input is kImageSize x kImageSize x 1
constexpr int kImagePixels = kImageSize * kImageSize;
static_assert(kCropSize * 2 == kImageSize * 3, "the resize assumes 1.5 source pixels a pixel");

// Resize and grayscale are both linear, so they are done as one sum of luma values scaled
// by 256 and weighted in thirds of a source pixel, then rounded once at the end: the
// result does not depend on which of the two comes first.
constexpr uint32_t kWeightTotal = 9 * 256;  // 3 x 3 thirds, luma scaled by 256

// Luma of one pixel scaled by 256 (0..65280). The 5- and 6-bit channels are widened to
// 8 bits by repeating their top bits, so full scale stays 255 (white stays white).
inline uint32_t Luma256(const uint8_t* pixel) {
  const uint32_t value = (static_cast<uint32_t>(pixel[0]) << 8) | pixel[1];
  const uint32_t r5 = value >> 11, g6 = (value >> 5) & 0x3f, b5 = value & 0x1f;
  const uint32_t r = (r5 << 3) | (r5 >> 2), g = (g6 << 2) | (g6 >> 4), b = (b5 << 3) | (b5 >> 2);
  return 77 * r + 150 * g + 29 * b;  // the weights sum to 256
}

// Output pixel o covers source pixels [1.5 o, 1.5 o + 1.5): for even o all of pixel
// 3o/2 and half of the next, for odd o half of one and all of the next. In thirds of
// the output pixel's width: weights (2, 1) starting at 3(o/2), or (1, 2) starting one on.
inline int FirstSource(int o) { return (o / 2) * 3 + (o & 1); }
inline uint32_t FirstWeight(int o) { return (o & 1) ? 1 : 2; }

// Gray value (0..255) of output pixel (x, y): the weighted 2 x 2 block of the crop.
inline uint8_t GrayPixel(const uint8_t* frame, int x, int y) {
  const int sx = kCropLeft + FirstSource(x), sy = kCropTop + FirstSource(y);
  const uint32_t wx0 = FirstWeight(x), wx1 = 3 - wx0, wy0 = FirstWeight(y), wy1 = 3 - wy0;
  const uint8_t* row0 = frame + (sy * kFrameWidth + sx) * kBytesPerPixel;
  const uint8_t* row1 = row0 + kFrameWidth * kBytesPerPixel;
  const uint32_t sum = wy0 * (wx0 * Luma256(row0) + wx1 * Luma256(row0 + kBytesPerPixel)) +
                       wy1 * (wx0 * Luma256(row1) + wx1 * Luma256(row1 + kBytesPerPixel));
  return static_cast<uint8_t>((sum + kWeightTotal / 2) / kWeightTotal);  // round half up
}

// The 96 x 96 gray picture the model sees before quantization, row by row.
inline void FrameToGray96(const uint8_t* frame, uint8_t* gray) {
  for (int y = 0; y < kImageSize; ++y) {
    for (int x = 0; x < kImageSize; ++x) gray[y * kImageSize + x] = GrayPixel(frame, x, y);
  }
}

// gray (0..255) -> int8 model input. The model was trained on gray / 255, so every one of
// the 256 gray levels has one int8 value: computed once here (float maths, as the Python
// twin does), then each frame is a table look-up.
class InputQuantizer {
 public:
  InputQuantizer(float scale, int zero_point) {
    for (int v = 0; v < 256; ++v) {
      float scaled = (static_cast<float>(v) / 255.0f) / scale;
      if (scaled > 1.0e6f) scaled = 1.0e6f;  // lroundf of a huge value overflows a long
      long q = lroundf(scaled) + zero_point;   // half away from zero, like tinyml_lab.core.tflm
      if (q < -128) q = -128;
      if (q > 127) q = 127;
      table_[v] = static_cast<int8_t>(q);
    }
  }
  int8_t operator()(uint8_t gray) const { return table_[gray]; }

 private:
  int8_t table_[256];
};

// The whole path: camera frame -> the model's input tensor (kImagePixels int8 values).
inline void FrameToInt8(const uint8_t* frame, const InputQuantizer& quantize, int8_t* input) {
  for (int y = 0; y < kImageSize; ++y) {
    for (int x = 0; x < kImageSize; ++x) {
      input[y * kImageSize + x] = quantize(GrayPixel(frame, x, y));
    }
  }
}

}  // namespace camera_preprocess

#endif  // PERSON_DETECTION_CAMERA_PREPROCESS_H_
