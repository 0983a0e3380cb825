// Portable streaming for the wake_word sketch: microphone samples in, one row of int8
// features every 20 ms out, and the last second of rows in the order the model reads them.
// No Arduino headers: the tests feed it audio in chunks of random sizes with the host g++
// and compare every row with the Python frontend on the same stream. Hand-written.
#ifndef WAKE_WORD_AUDIO_STREAM_H_
#define WAKE_WORD_AUDIO_STREAM_H_

#include <stdint.h>
#include <string.h>

#include "log_mel.h"

namespace wake_word {

// A ring of the most recent kCapacity samples. One writer (the microphone's interrupt) and
// one reader (loop()); samples are addressed by their absolute index since the start, so
// the reader can tell whether what it wants is still there. Indices are uint32_t and wrap
// after 74 hours; a power-of-two capacity keeps the ring continuous across the wrap.
template <int kCapacity>
class AudioRing {
  static_assert(kCapacity > 0 && (kCapacity & (kCapacity - 1)) == 0,
                "AudioRing capacity must be a power of two");

 public:
  // Called from the microphone callback: append count samples (the oldest are overwritten).
  void Write(const int16_t* samples, int count) {
    uint32_t end = written_;
    for (int i = 0; i < count; ++i) buffer_[(end + i) % kCapacity] = samples[i];
    written_ = end + count;  // publish after the copy: the reader never sees half a write
  }

  uint32_t written() const { return written_; }

  // Copy samples [start, start + count) into out; false if they are not all in the ring
  // (not yet recorded, or already overwritten because the reader fell behind).
  bool Read(uint32_t start, int16_t* out, int count) const {
    if (Ahead(start) < count || Ahead(start) > kCapacity) return false;
    for (int i = 0; i < count; ++i) out[i] = buffer_[(start + i) % kCapacity];
    return Ahead(start) <= kCapacity;  // still not overwritten after the copy
  }

  // How many samples have been written from index start on (negative: start is ahead).
  int32_t Ahead(uint32_t start) const { return static_cast<int32_t>(written_ - start); }

 private:
  int16_t buffer_[kCapacity];
  volatile uint32_t written_ = 0;
};

// The last kFrames rows of features; Push is O(one row), CopyTo lays them out oldest first.
class FeatureWindow {
 public:
  void Push(const int8_t* row) {
    memcpy(rows_[next_], row, kMelChannels);
    next_ = (next_ + 1) % kFrames;
    if (count_ < kFrames) ++count_;
  }
  bool full() const { return count_ == kFrames; }
  void CopyTo(int8_t* dest) const {  // dest: kFeatureSize int8, as the model's input
    for (int r = 0; r < kFrames; ++r) {
      memcpy(dest + r * kMelChannels, rows_[(next_ + r) % kFrames], kMelChannels);
    }
  }

 private:
  int8_t rows_[kFrames][kMelChannels] = {};
  int next_ = 0;
  int count_ = 0;
};

// Turns the ring into feature rows: frame n covers samples [n * stride, n * stride + window).
class FeatureStream {
 public:
  FeatureStream(float scale, int zero_point) : scale_(scale), zero_point_(zero_point) {}

  // Compute the next row if its audio has arrived; returns false when it has not. If the
  // reader fell so far behind that the audio was overwritten, it skips ahead (and counts).
  template <int kCapacity>
  bool Next(const AudioRing<kCapacity>& ring, LogMelFrontend& frontend, int8_t* row) {
    int16_t samples[kWindowSamples];
    const uint32_t start = frame_ * kStrideSamples;
    if (ring.Read(start, samples, kWindowSamples)) {
      frontend.ComputeInt8(samples, scale_, zero_point_, row);
      ++frame_;
      return true;
    }
    const int32_t ahead = ring.Ahead(start);
    if (ahead >= kWindowSamples) {  // overwritten: jump ahead to the newest whole frame
      ++skipped_;
      frame_ += (ahead - kWindowSamples) / kStrideSamples;
    }
    return false;
  }

  uint32_t frame() const { return frame_; }  // frames computed so far (x 20 ms = audio time)
  uint32_t skipped() const { return skipped_; }

 private:
  float scale_;
  int zero_point_;
  uint32_t frame_ = 0;
  uint32_t skipped_ = 0;
};

}  // namespace wake_word

#endif  // WAKE_WORD_AUDIO_STREAM_H_
