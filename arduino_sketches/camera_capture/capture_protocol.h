// How the capture sketches send a recording or a frame to `python -m tinyml_lab capture`:
// portable C++ (no Arduino headers), so the course's tests compile it on the host and read
// its output with the Python side (tinyml_lab.core.serial_capture).
//
// The computer sends one command line ("record 1000", "frame", "gain 30"). A recording or a
// frame goes back as one block:
//   a header line   "AUDIO 16000 16000 1a2b3c4d"  (rate, samples, CRC-32 of the data), or
//                   "FRAME 176 144 RGB565 1a2b3c4d" (width, height, format, CRC-32)
//   the data        raw bytes (audio: int16 little-endian; frame: as readFrame() stores it)
//   a line          "END"
// Any other line the sketch prints is a message for the person at the computer.
// The same file is in arduino_sketches/audio_capture and arduino_sketches/camera_capture.
#ifndef CAPTURE_PROTOCOL_H_
#define CAPTURE_PROTOCOL_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

namespace capture {

constexpr int kLineLength = 48;  // longest command line kept

// CRC-32 as zlib computes it (reflected, polynomial 0xEDB88320); call again with the
// previous result to continue over more data.
inline uint32_t Crc32(const uint8_t* data, size_t size, uint32_t crc = 0) {
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline int FormatAudioHeader(char* out, size_t size, int rate, int samples, uint32_t crc) {
  return snprintf(out, size, "AUDIO %d %d %08lx", rate, samples,
                  static_cast<unsigned long>(crc));
}

inline int FormatFrameHeader(char* out, size_t size, int width, int height, uint32_t crc) {
  return snprintf(out, size, "FRAME %d %d RGB565 %08lx", width, height,
                  static_cast<unsigned long>(crc));
}

// Collects characters into a command line; Add() returns true when a line is complete.
class LineReader {
 public:
  bool Add(int c) {
    if (c < 0) return false;
    if (c == '\r') return false;
    if (c == '\n') {
      line_[length_] = '\0';
      length_ = 0;
      return true;
    }
    if (length_ < kLineLength - 1) line_[length_++] = static_cast<char>(c);
    return false;
  }
  const char* line() const { return line_; }

 private:
  char line_[kLineLength] = {0};
  int length_ = 0;
};

// "word" or "word N": true when `line` is `word`, with *value set to N (or left alone).
inline bool ParseCommand(const char* line, const char* word, long* value) {
  const size_t n = strlen(word);
  if (strncmp(line, word, n) != 0) return false;
  const char* rest = line + n;
  if (*rest == '\0') return true;
  if (*rest != ' ') return false;
  char* end = nullptr;
  const long parsed = strtol(rest + 1, &end, 10);
  if (end == rest + 1 || *end != '\0') return false;
  *value = parsed;
  return true;
}

}  // namespace capture

#endif  // CAPTURE_PROTOCOL_H_
