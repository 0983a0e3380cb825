// Test double of the mbed core's PDM microphone: records whether the sketch set it up, and
// hands the samples a test feeds in to the sketch's onReceive() callback, a block at a time
// as the real driver's interrupt does (Deliver()).
#ifndef FAKE_ARDUINO_PDM_H_
#define FAKE_ARDUINO_PDM_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

struct FakePDM {
  void (*callback)() = nullptr;
  int channels = 0;
  long rate = 0;
  int gain = -1;
  const int16_t* feed = nullptr;  // samples still to deliver
  size_t feed_size = 0;
  size_t block = 256;  // samples per interrupt
  void onReceive(void (*function)()) { callback = function; }
  int begin(int c, long r) { channels = c; rate = r; return 1; }
  void setGain(int g) { gain = g; }
  int available() { return static_cast<int>(2 * (feed_size < block ? feed_size : block)); }
  int read(void* out, size_t bytes) {
    const size_t n = bytes / 2 < feed_size ? bytes / 2 : feed_size;
    std::memcpy(out, feed, 2 * n);
    feed += n;
    feed_size -= n;
    return static_cast<int>(2 * n);
  }
  void Deliver(const int16_t* samples, size_t count) {  // the interrupt, for every block
    feed = samples;
    feed_size = count;
    while (callback && feed_size > 0) callback();
  }
};
static FakePDM PDM;

#endif  // FAKE_ARDUINO_PDM_H_
