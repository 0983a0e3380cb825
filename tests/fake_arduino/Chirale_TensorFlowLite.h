// Test double of the Arduino core as far as the course's sketches use it (pins, time,
// Serial), so the host g++ can compile a whole .ino and run setup() and loop() once;
// digitalRead() returns what the sketch last wrote, so tests can read the LEDs.
// The real library header only pulls in TFLM; the board functions come with the core.
#ifndef FAKE_ARDUINO_CHIRALE_TENSORFLOWLITE_H_
#define FAKE_ARDUINO_CHIRALE_TENSORFLOWLITE_H_

#include <cstdint>
#include <cstdio>

#define LED_BUILTIN 13
#define LEDR 22
#define LEDG 23
#define LEDB 24
#define OUTPUT 1
#define LOW 0
#define HIGH 1

inline int fake_pin_levels[64];  // what the sketch last wrote to each pin
inline void pinMode(int, int) {}
inline void digitalWrite(int pin, int value) { fake_pin_levels[pin] = value; }
inline void analogWrite(int, int) {}
inline int digitalRead(int pin) { return fake_pin_levels[pin]; }
inline unsigned long millis() {
  static unsigned long now = 0;
  return now += 10;
}
inline unsigned long micros() {
  static unsigned long now = 0;
  return now += 1000;
}
inline void delay(unsigned long) {}

struct FakeSerial {
  explicit operator bool() const { return true; }
  void begin(long) {}
  void print(const char* s) { std::printf("%s", s); }
  void print(int v) { std::printf("%d", v); }
  void print(unsigned v) { std::printf("%u", v); }
  void print(long v) { std::printf("%ld", v); }
  void print(unsigned long v) { std::printf("%lu", v); }
  void print(float v, int digits = 2) { std::printf("%.*f", digits, v); }
  template <typename T>
  void println(T v) { print(v); std::printf("\n"); }
  void println(float v, int digits) { print(v, digits); std::printf("\n"); }
  void println() { std::printf("\n"); }
};
static FakeSerial Serial;

#endif  // FAKE_ARDUINO_CHIRALE_TENSORFLOWLITE_H_
