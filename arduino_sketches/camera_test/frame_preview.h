// A camera frame in a few numbers and as text: portable C++ (no Arduino headers), checked on
// the host against tinyml_lab.chapters.person_detection.capture (the same preview is printed
// by `python -m tinyml_lab capture camera`).
//
// The frame is what Arduino_OV767X's readFrame() stores for RGB565: two bytes a pixel, high
// byte first. Each pixel's gray level is BT.601 luma in integers, (77 R + 150 G + 29 B) / 256,
// on the 8-bit channels (5 and 6 bits widened by repeating their top bits).
#ifndef FRAME_PREVIEW_H_
#define FRAME_PREVIEW_H_

#include <stdint.h>

namespace frame_preview {

constexpr int kWidth = 176;  // QCIF
constexpr int kHeight = 144;
constexpr int kFrameBytes = kWidth * kHeight * 2;
constexpr int kCellWidth = 4;  // one character covers 4 x 8 pixels (characters are tall)
constexpr int kCellHeight = 8;
constexpr int kColumns = kWidth / kCellWidth;  // 44
constexpr int kRows = kHeight / kCellHeight;   // 18
constexpr char kRamp[] = " .:-=+*#%@";         // dark to bright
constexpr int kRampLength = sizeof(kRamp) - 1;

inline int Gray(const uint8_t* frame, int x, int y) {
  const uint8_t* p = frame + 2 * (y * kWidth + x);
  const unsigned v = (static_cast<unsigned>(p[0]) << 8) | p[1];
  const unsigned r5 = v >> 11, g6 = (v >> 5) & 0x3F, b5 = v & 0x1F;
  const unsigned r = (r5 << 3) | (r5 >> 2), g = (g6 << 2) | (g6 >> 4), b = (b5 << 3) | (b5 >> 2);
  return static_cast<int>((77 * r + 150 * g + 29 * b) >> 8);
}

struct FrameStats {
  int mean, min, max;  // gray levels 0..255
  bool flat;           // max - min < 8: one colour everywhere (lens covered, no camera data)
};

inline FrameStats Stats(const uint8_t* frame) {
  long total = 0;
  int low = 255, high = 0;
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      const int g = Gray(frame, x, y);
      total += g;
      if (g < low) low = g;
      if (g > high) high = g;
    }
  }
  return {static_cast<int>(total / (kWidth * kHeight)), low, high, high - low < 8};
}

// Row `row` (0..kRows-1) of the preview: kColumns characters and a terminating 0.
inline void PreviewRow(const uint8_t* frame, int row, char* out) {
  for (int column = 0; column < kColumns; ++column) {
    int total = 0;
    for (int dy = 0; dy < kCellHeight; ++dy) {
      for (int dx = 0; dx < kCellWidth; ++dx) {
        total += Gray(frame, column * kCellWidth + dx, row * kCellHeight + dy);
      }
    }
    const int mean = total / (kCellWidth * kCellHeight);
    out[column] = kRamp[mean * kRampLength / 256];
  }
  out[kColumns] = '\0';
}

}  // namespace frame_preview

#endif  // FRAME_PREVIEW_H_
