// Test double of the few Arduino core names the IMU, sensor-test and capture sketches use: a
// clock the test sets, an I2C bus object, pins that do nothing, and a Serial that writes text
// and bytes to stdout and reads what the computer sends from stdin. Lets the host g++ compile
// imu_reader.h, imu_capture.ino and the sensor sketches.
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

inline void noInterrupts() {}
inline void interrupts() {}

class FakeSerial {
 public:
  explicit operator bool() const { return true; }
  void begin(unsigned long) {}
  void print(const char* s) { fputs(s, stdout); }
  void print(int v) { printf("%d", v); }
  void print(unsigned v) { printf("%u", v); }
  void print(long v) { printf("%ld", v); }
  void print(unsigned long v) { printf("%lu", v); }
  void print(double v, int digits = 2) { printf("%.*f", digits, v); }
  void println(const char* s) { printf("%s\n", s); }
  template <typename T>
  void println(T v) { print(v); printf("\n"); }
  void println(double v, int digits) { print(v, digits); printf("\n"); }
  void println() { printf("\n"); }
  size_t write(const uint8_t* data, size_t size) { return fwrite(data, 1, size, stdout); }
  // What the computer sent: all of stdin, read at the first call.
  int available() { Load(); return static_cast<int>(size_ - position_); }
  int read() { Load(); return position_ < size_ ? input_[position_++] : -1; }

 private:
  void Load() {
    if (!loaded_) size_ = fread(input_, 1, sizeof input_, stdin);
    loaded_ = true;
  }
  unsigned char input_[4096];
  size_t size_ = 0, position_ = 0;
  bool loaded_ = false;
};
inline FakeSerial Serial;

#endif  // FAKE_ARDUINO_H_
