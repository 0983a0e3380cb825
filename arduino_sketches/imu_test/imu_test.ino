// imu_test: is the IMU working, and which one does this board have? Run this before the
// gesture chapter.
//
// Prints the accelerometer (g) and gyroscope (degrees/s) about 20 times a second, for the
// Serial Plotter (Tools > Serial Plotter, 115200 baud):
//   aX:0.012,aY:-0.031,aZ:1.002,gX:0.61,gY:-0.24,gZ:0.18
// Lying still on a table, one acceleration axis reads about 1 g (gravity) and the gyroscope
// about 0; turn the board and gravity moves to another axis; shake it and everything moves.
//
// Set BOARD_REVISION: 1 for the Nano 33 BLE Sense (LSM9DS1 IMU), 2 for the Nano 33 BLE Sense
// Rev2 (BMI270 + BMM150; the back of the board says "Rev2"). The wrong one stops at start-up
// with a message saying which to set. imu_reader.h is the same file as in the gesture and
// imu_capture sketches, so this is exactly what they read.
//
// At start: "imu_test ready; IMU Nano 33 BLE Sense Rev1 (LSM9DS1)" (or Rev2 (BMI270 + BMM150)). Libraries: Arduino_LSM9DS1 (Rev1) or
// Arduino_BMI270_BMM150 (Rev2); sketch.yaml pins both. Board: Arduino Mbed OS Nano Boards.
#ifndef BOARD_REVISION
#define BOARD_REVISION 2
#endif

#include "imu_reader.h"

namespace {
constexpr int kEvery = 6;  // print one sample in 6: about 20 lines a second at 119 Hz
const char* const kNames[6] = {"aX:", ",aY:", ",aZ:", ",gX:", ",gY:", ",gZ:"};
int samples = 0;
}  // namespace

void setup() {
  Serial.begin(115200);
  const unsigned long start = millis();
  while (!Serial && millis() - start < 3000) {
  }  // wait briefly for the Serial Monitor, then run without it
  if (!imu_reader::Begin()) {
    while (true) {
      Serial.println(BOARD_REVISION == 1
                         ? "No LSM9DS1 IMU: is this a Rev2 board? Set BOARD_REVISION to 2."
                         : "No BMI270 IMU: is this a Rev1 board? Set BOARD_REVISION to 1.");
      delay(2000);
    }
  }
  Serial.print("imu_test ready; IMU ");
  Serial.println(imu_reader::Name());
}

void loop() {
  float sample[6];  // aX, aY, aZ in g, gX, gY, gZ in degrees/s
  if (!imu_reader::Read(sample)) return;
  if (samples++ % kEvery) return;
  for (int c = 0; c < 6; ++c) {
    Serial.print(kNames[c]);
    Serial.print(sample[c], c < 3 ? 3 : 2);
  }
  Serial.println();
}
