// Test double of the mbed core's PDM microphone: records whether the sketch set it up, and
// hands the sketch audio a test queued with Feed(), at most a block per interrupt as the real
// driver does; Deliver() queues samples and runs the sketch's onReceive() callback until
// they are all read.
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
  const int16_t* queued = nullptr;  // samples still to deliver
  size_t queued_samples = 0;
  size_t block = 256;  // samples per interrupt
  void onReceive(void (*function)()) { callback = function; }
  int begin(int c, long r) { channels = c; rate = r; return 1; }
  void setGain(int g) { gain = g; }
  void Feed(const int16_t* samples, size_t count) { queued = samples; queued_samples = count; }
  int available() {
    return static_cast<int>(2 * (queued_samples < block ? queued_samples : block));
  }
  int read(void* out, size_t bytes) {
    const size_t n = bytes / 2 < queued_samples ? bytes / 2 : queued_samples;
    std::memcpy(out, queued, 2 * n);
    queued += n;
    queued_samples -= n;
    return static_cast<int>(2 * n);
  }
  void Deliver(const int16_t* samples, size_t count) {  // the interrupt, for every block
    Feed(samples, count);
    while (callback && queued_samples > 0) callback();
  }
};
static FakePDM PDM;

#endif  // FAKE_ARDUINO_PDM_H_
