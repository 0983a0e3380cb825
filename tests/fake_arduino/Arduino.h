// Test double of the few Arduino core names the gesture sketches use: a clock the test
// sets, an I2C bus object, pins that do nothing, and a Serial that writes to stdout.
// Lets the host g++ compile imu_reader.h and imu_capture.ino.
#ifndef FAKE_ARDUINO_H_
#define FAKE_ARDUINO_H_

#include <stdint.h>
#include <stdio.h>

inline uint32_t fake_micros = 0;
inline uint32_t micros() { return fake_micros; }
inline unsigned long millis() { return fake_micros / 1000; }
inline void delay(unsigned long ms) { fake_micros += ms * 1000; }

class TwoWire {};
inline TwoWire Wire;
inline TwoWire Wire1;

enum { LOW = 0, HIGH = 1, OUTPUT = 1, LED_BUILTIN = 13, LEDR = 22, LEDG = 23, LEDB = 24 };
inline int fake_pins[32];
inline void pinMode(int, int) {}
inline void digitalWrite(int pin, int value) { fake_pins[pin] = value; }
inline int digitalRead(int pin) { return fake_pins[pin]; }

class FakeSerial {
 public:
  explicit operator bool() const { return true; }
  void begin(unsigned long) {}
  void print(const char* s) { fputs(s, stdout); }
  void println(const char* s) { printf("%s\n", s); }
  void println() { printf("\n"); }
};
inline FakeSerial Serial;

#endif  // FAKE_ARDUINO_H_
