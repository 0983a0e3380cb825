// imu_capture: record gestures for the gesture chapter, in the Arduino IMU_Capture format.
//
// Prints the header aX,aY,aZ,gX,gY,gZ once, then for every sharp movement (|aX|+|aY|+|aZ|
// >= 2.5 g) the next 119 samples (one second at 119 Hz: acceleration in g, angular rate in
// degrees/s) and a blank line. The orange LED is on while a gesture is recorded.
//
// Record with the course's command, which keeps only complete gestures and counts them:
//   python -m tinyml_lab capture --port PORT --gesture punch --out recordings/alice/punch.csv
// (close the Serial Monitor first: one program at a time can hold the port), or copy the
// Serial Monitor's output into punch.csv by hand.
//
// Set BOARD_REVISION: 1 for the Nano 33 BLE Sense (LSM9DS1 IMU), 2 for the Nano 33 BLE Sense
// Rev2 (BMI270 + BMM150). imu_gesture.h and imu_reader.h are the same files as in the
// gesture sketch, so what you record is cut and scaled exactly as the classifier sees it.
#ifndef BOARD_REVISION
#define BOARD_REVISION 2
#endif

#include "imu_gesture.h"
#include "imu_reader.h"

namespace {
GestureRecorder recorder;
}

void setup() {
  Serial.begin(115200);
  pinMode(LED_BUILTIN, OUTPUT);
  while (!Serial) {
  }  // wait for the Serial Monitor (or the capture command), so the header is not lost
  if (!imu_reader::Begin()) {
    Serial.println(BOARD_REVISION == 1
                       ? "No LSM9DS1 IMU: set BOARD_REVISION to 2 in imu_capture.ino."
                       : "No BMI270 IMU: set BOARD_REVISION to 1 in imu_capture.ino.");
    while (true) {
    }
  }
  Serial.println("aX,aY,aZ,gX,gY,gZ");
}

void loop() {
  float sample[kImuChannels];
  if (!imu_reader::Read(sample)) return;
  const bool was_recording = recorder.recording();
  const bool done = recorder.Add(sample);
  if (was_recording) {  // this sample belongs to the gesture being recorded
    char line[96];
    FormatImuLine(sample, line, sizeof line);
    Serial.println(line);
  }
  if (done) Serial.println();  // a blank line ends the gesture
  digitalWrite(LED_BUILTIN, recorder.recording() ? HIGH : LOW);
}
