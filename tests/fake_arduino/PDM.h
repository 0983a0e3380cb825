// Test double of the mbed core's PDM microphone: records whether the sketch set it up.
#ifndef FAKE_ARDUINO_PDM_H_
#define FAKE_ARDUINO_PDM_H_

#include <cstddef>

struct FakePDM {
  void (*callback)() = nullptr;
  int channels = 0;
  long rate = 0;
  int gain = -1;
  void onReceive(void (*function)()) { callback = function; }
  int begin(int c, long r) { channels = c; rate = r; return 1; }
  void setGain(int g) { gain = g; }
  int available() { return 0; }
  int read(void*, size_t) { return 0; }
};
static FakePDM PDM;

#endif  // FAKE_ARDUINO_PDM_H_
