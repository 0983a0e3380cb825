// Test double of Arduino_LSM9DS1 (the calls imu_reader.h makes): the test sets the next
// reading and whether the sensor has new data, as the real library reports them.
#ifndef FAKE_ARDUINO_LSM9DS1_H_
#define FAKE_ARDUINO_LSM9DS1_H_

#include "Arduino.h"

class LSM9DS1Class {
 public:
  int present = 1;
  bool accel_ready = false, gyro_ready = false;
  float accel[3] = {0, 0, 0}, gyro[3] = {0, 0, 0};
  int begin() { return present; }
  int accelerationAvailable() { return accel_ready; }
  int gyroscopeAvailable() { return gyro_ready; }
  int readAcceleration(float& x, float& y, float& z) {
    x = accel[0]; y = accel[1]; z = accel[2];
    accel_ready = false;
    return 1;
  }
  int readGyroscope(float& x, float& y, float& z) {
    x = gyro[0]; y = gyro[1]; z = gyro[2];
    gyro_ready = false;
    return 1;
  }
};

inline LSM9DS1Class IMU;

#endif  // FAKE_ARDUINO_LSM9DS1_H_
