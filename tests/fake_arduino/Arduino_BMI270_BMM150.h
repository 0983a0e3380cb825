// Test double of Arduino_BMI270_BMM150 1.2.3 (the names imu_reader.h uses). Like the real
// library on the Nano 33 BLE, it reports x = -y_chip, y = -x_chip, z = z_chip, and it
// configures the sensor through the virtual configure_sensor() a subclass may override.
// The test sets the chip's axes and checks what the wrapper makes of them.
#ifndef FAKE_ARDUINO_BMI270_BMM150_H_
#define FAKE_ARDUINO_BMI270_BMM150_H_

#include "Arduino.h"

#define BMI2_OK 0
#define BMI2_POWER_OPT_MODE 0
#define BMI2_PERF_OPT_MODE 1
#define BMI2_ACCEL 0
#define BMI2_GYRO 1
#define BMI2_ACC_NORMAL_AVG4 0x02
#define BMI2_ACC_ODR_100HZ 0x08
#define BMI2_ACC_ODR_200HZ 0x09
#define BMI2_ACC_RANGE_4G 0x01
#define BMI2_GYR_NORMAL_MODE 0x02
#define BMI2_GYR_ODR_100HZ 0x08
#define BMI2_GYR_ODR_200HZ 0x09
#define BMI2_GYR_OIS_2000 0x01
#define BMI2_GYR_RANGE_2000 0x00

struct bmi2_accel_config { uint8_t odr, bwp, filter_perf, range; };
struct bmi2_gyro_config { uint8_t odr, bwp, filter_perf, ois_range, range, noise_perf; };
struct bmi2_sens_config {
  uint8_t type;
  union { bmi2_accel_config acc; bmi2_gyro_config gyr; } cfg;
};
struct bmi2_dev { bmi2_sens_config applied[2]; int enabled = 0; bool present = true; };
struct bmm150_dev { int configured = 0; };

inline int8_t bmi2_set_sensor_config(struct bmi2_sens_config* cfg, uint8_t n, struct bmi2_dev* dev) {
  for (uint8_t i = 0; i < n; ++i) dev->applied[cfg[i].type] = cfg[i];
  return BMI2_OK;
}
inline int8_t bmi2_sensor_enable(const uint8_t* list, uint8_t n, struct bmi2_dev* dev) {
  for (uint8_t i = 0; i < n; ++i) dev->enabled |= 1 << list[i];
  return BMI2_OK;
}

inline float fake_chip_accel[3] = {0, 0, 0};
inline float fake_chip_gyro[3] = {0, 0, 0};

class BoschSensorClass {
 public:
  explicit BoschSensorClass(TwoWire& wire) : wire_(&wire) {}
  virtual ~BoschSensorClass() {}
  int begin() {
    if (!bmi2.present) return 0;
    return configure_sensor(&bmi2) == BMI2_OK && configure_sensor(&bmm1) == 0;
  }
  int readAcceleration(float& x, float& y, float& z) {
    x = -fake_chip_accel[1]; y = -fake_chip_accel[0]; z = fake_chip_accel[2];
    return 1;
  }
  int readGyroscope(float& x, float& y, float& z) {
    x = -fake_chip_gyro[1]; y = -fake_chip_gyro[0]; z = fake_chip_gyro[2];
    return 1;
  }
  bmi2_dev bmi2;
  bmm150_dev bmm1;
  TwoWire* wire_;

 protected:
  virtual int8_t configure_sensor(struct bmm150_dev* dev) { dev->configured = 1; return 0; }
  virtual int8_t configure_sensor(struct bmi2_dev* dev) {  // the library's default: 100 Hz
    bmi2_sens_config cfg[2];
    cfg[0].type = BMI2_ACCEL; cfg[0].cfg.acc.odr = BMI2_ACC_ODR_100HZ;
    cfg[0].cfg.acc.range = BMI2_ACC_RANGE_4G;
    cfg[1].type = BMI2_GYRO; cfg[1].cfg.gyr.odr = BMI2_GYR_ODR_100HZ;
    cfg[1].cfg.gyr.range = BMI2_GYR_RANGE_2000;
    return bmi2_set_sensor_config(cfg, 2, dev);
  }
};

inline BoschSensorClass IMU_BMI270_BMM150(Wire1);
#define IMU IMU_BMI270_BMM150

#endif  // FAKE_ARDUINO_BMI270_BMM150_H_
