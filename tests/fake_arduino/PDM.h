// Test double of the mbed core's PDM microphone: records whether the sketch set it up, and
// hands the sketch audio a test queued with Feed() in blocks, as the driver's interrupt does.
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
  void onReceive(void (*function)()) { callback = function; }
  int begin(int c, long r) { channels = c; rate = r; return 1; }
  void setGain(int g) { gain = g; }
  const int16_t* queued = nullptr;
  size_t queued_samples = 0;
  // Queue samples and deliver one block of up to `block` samples to the sketch's callback.
  void Feed(const int16_t* samples, size_t count) { queued = samples; queued_samples = count; }
  int available() { return static_cast<int>(queued_samples * 2); }
  int read(void* out, size_t bytes) {
    size_t n = bytes / 2 < queued_samples ? bytes / 2 : queued_samples;
    std::memcpy(out, queued, n * 2);
    queued += n;
    queued_samples -= n;
    return static_cast<int>(n * 2);
  }
};
static FakePDM PDM;

#endif  // FAKE_ARDUINO_PDM_H_
