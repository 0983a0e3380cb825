// IMU wrapper for the Arduino Nano 33 BLE Sense, chosen at compile time:
//   BOARD_REVISION 1: Nano 33 BLE Sense (Rev1), LSM9DS1, library Arduino_LSM9DS1
//   BOARD_REVISION 2: Nano 33 BLE Sense Rev2, BMI270 + BMM150, library Arduino_BMI270_BMM150
// Both give the same thing: a new sample 119 times a second, acceleration in g (+-4 g full
// scale) and angular rate in degrees/s (+-2000 full scale), in right-handed axes.
//
// Rev1: the LSM9DS1 library runs accelerometer and gyroscope at 119 Hz, +-4 g and +-2000
// deg/s; a sample is ready when both have new data, as in the workshop's IMU_Capture.
// Rev2: the BMI270 runs at 200 Hz (its rates are powers of two; the library's default is
// 100 Hz) and the wrapper takes its latest reading every 1/119 s, so windows span the same
// second on both boards. Arduino_BMI270_BMM150 1.1.0 to 1.2.3 (pinned in sketch.yaml)
// reports x = -y_chip, y = -x_chip on this board: a mirror image (left-handed axes, see the
// library's issue #44 and pull request #68). The wrapper undoes it, so the gyro turns the
// same way as the accelerometer says the board turns. Re-check this if the library changes.
// Hand-written (not generated). The imu_capture sketch carries an identical copy.
#ifndef GESTURE_IMU_READER_H_
#define GESTURE_IMU_READER_H_

#ifndef BOARD_REVISION
#error "Define BOARD_REVISION as 1 (Nano 33 BLE Sense) or 2 (Rev2) before including imu_reader.h"
#endif

#include <stdint.h>

#if BOARD_REVISION == 1
#include <Arduino_LSM9DS1.h>
#elif BOARD_REVISION == 2
#include <Arduino_BMI270_BMM150.h>
#else
#error "BOARD_REVISION must be 1 (Nano 33 BLE Sense, LSM9DS1) or 2 (Rev2, BMI270 + BMM150)"
#endif

namespace imu_reader {

constexpr float kSampleRateHz = 119.0f;
constexpr uint32_t kSamplePeriodUs = 8403;  // 1 / 119 Hz

#if BOARD_REVISION == 1

inline const char* Name() { return "Nano 33 BLE Sense Rev1 (LSM9DS1)"; }

inline bool Begin() { return IMU.begin() == 1; }

// Writes aX, aY, aZ (g), gX, gY, gZ (deg/s) and returns true when a new sample is ready.
inline bool Read(float sample[6]) {
  if (!IMU.accelerationAvailable() || !IMU.gyroscopeAvailable()) return false;
  IMU.readAcceleration(sample[0], sample[1], sample[2]);
  IMU.readGyroscope(sample[3], sample[4], sample[5]);
  return true;
}

#else  // BOARD_REVISION == 2

// The library's sensor with a faster output data rate; ranges stay at +-4 g and +-2000
// deg/s, which the library's conversion to g and deg/s assumes.
class Bmi270At200Hz : public BoschSensorClass {
 public:
  explicit Bmi270At200Hz(TwoWire& wire) : BoschSensorClass(wire) {}

 protected:
  int8_t configure_sensor(struct bmi2_dev* dev) override {
    struct bmi2_sens_config config[2];
    config[0].type = BMI2_ACCEL;
    config[0].cfg.acc.odr = BMI2_ACC_ODR_200HZ;
    config[0].cfg.acc.range = BMI2_ACC_RANGE_4G;
    config[0].cfg.acc.bwp = BMI2_ACC_NORMAL_AVG4;
    config[0].cfg.acc.filter_perf = BMI2_PERF_OPT_MODE;
    config[1].type = BMI2_GYRO;
    config[1].cfg.gyr.odr = BMI2_GYR_ODR_200HZ;
    config[1].cfg.gyr.range = BMI2_GYR_RANGE_2000;
    config[1].cfg.gyr.ois_range = BMI2_GYR_OIS_2000;
    config[1].cfg.gyr.bwp = BMI2_GYR_NORMAL_MODE;
    config[1].cfg.gyr.noise_perf = BMI2_POWER_OPT_MODE;
    config[1].cfg.gyr.filter_perf = BMI2_PERF_OPT_MODE;
    const int8_t result = bmi2_set_sensor_config(config, 2, dev);
    if (result != BMI2_OK) return result;
    const uint8_t sensors[2] = {BMI2_ACCEL, BMI2_GYRO};
    return bmi2_sensor_enable(sensors, 2, dev);
  }

  using BoschSensorClass::configure_sensor;  // the magnetometer's stays as the library has it
};

inline Bmi270At200Hz& Sensor() {
  static Bmi270At200Hz sensor(Wire1);  // the Nano 33 BLE's IMU sits on the second I2C bus
  return sensor;
}

inline uint32_t& NextSampleUs() {
  static uint32_t next = 0;
  return next;
}

inline const char* Name() { return "Nano 33 BLE Sense Rev2 (BMI270 + BMM150)"; }

inline bool Begin() {
  NextSampleUs() = micros();
  return Sensor().begin() == 1;
}

// Writes aX, aY, aZ (g), gX, gY, gZ (deg/s) and returns true every 1/119 s.
inline bool Read(float sample[6]) {
  const uint32_t now = micros();
  uint32_t& next = NextSampleUs();
  if (static_cast<int32_t>(now - next) < 0) return false;
  next += kSamplePeriodUs;
  if (static_cast<int32_t>(now - next) >= 0) next = now + kSamplePeriodUs;  // fell behind
  float ax, ay, az, gx, gy, gz;
  Sensor().readAcceleration(ax, ay, az);
  Sensor().readGyroscope(gx, gy, gz);
  // undo the library's mirrored mapping (x = -y_chip, y = -x_chip): right-handed again
  sample[0] = -ay;
  sample[1] = -ax;
  sample[2] = az;
  sample[3] = -gy;
  sample[4] = -gx;
  sample[5] = gz;
  return true;
}

#endif

}  // namespace imu_reader

#endif  // GESTURE_IMU_READER_H_
