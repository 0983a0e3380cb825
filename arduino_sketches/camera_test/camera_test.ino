// camera_test: is the camera working? Run this before the person-detection chapter.
//
// Arduino Nano 33 BLE Sense with the OV7675 camera on the Tiny Machine Learning Kit shield.
// Once a second it reads a QCIF frame (176 x 144, RGB565) and prints, in the Serial Monitor
// (115200 baud), its gray levels and a 44 x 18 picture in characters (dark " .:-=+*#%@"
// bright), e.g.
//   frame 3: mean 97, min 12, max 231 (read 240 ms)
// followed by the picture. Cover the lens: the mean drops; wave a hand: the picture moves.
// "flat" (one colour everywhere) means the camera delivers no picture: check that it is seated
// in the shield's camera socket, the right way round. To save frames as PNG files, flash
// camera_capture and run `python -m tinyml_lab capture camera ...`.
//
// At start: "camera_test ready; OV7675 176x144 RGB565". Library: Arduino_OV767X (sketch.yaml
// pins it). Board: Arduino Mbed OS Nano Boards.
#include <Arduino_OV767X.h>

#include "frame_preview.h"

namespace {
constexpr int kCameraFps = 1;
constexpr int kOv7675 = 1;  // Arduino_OV767X's value for the OV7675, for a 4-argument begin()
constexpr unsigned long kEveryMs = 1000;

alignas(4) uint8_t frame[frame_preview::kFrameBytes];
unsigned long frames = 0;

// Released Arduino_OV767X 0.0.2 has begin(resolution, format, fps); its newer sources take
// the camera model too. The first overload exists only where begin() takes four arguments.
template <typename Cam>
auto BeginCamera(Cam& camera, int)
    -> decltype(camera.begin(QCIF, RGB565, kCameraFps, kOv7675)) {
  return camera.begin(QCIF, RGB565, kCameraFps, kOv7675);
}
template <typename Cam>
int BeginCamera(Cam& camera, long) {
  return camera.begin(QCIF, RGB565, kCameraFps);
}

void halt(const char* message) {
  while (true) {
    Serial.println(message);
    delay(2000);
  }
}
}  // namespace

void setup() {
  Serial.begin(115200);
  const unsigned long start = millis();
  while (!Serial && millis() - start < 3000) {
  }  // wait briefly for the Serial Monitor, then run without it
  if (!BeginCamera(Camera, 0)) {
    halt("error: no camera. Is the OV7675 seated in the shield's camera socket?");
  }
  if (Camera.width() != frame_preview::kWidth || Camera.height() != frame_preview::kHeight ||
      Camera.bytesPerPixel() != 2) {
    halt("error: the camera did not start in QCIF RGB565.");
  }
  Serial.println("camera_test ready; OV7675 176x144 RGB565");
}

void loop() {
  const unsigned long started = millis();
  Camera.readFrame(frame);
  const unsigned long read_ms = millis() - started;
  const frame_preview::FrameStats stats = frame_preview::Stats(frame);
  Serial.print("frame ");
  Serial.print(++frames);
  Serial.print(": mean ");
  Serial.print(stats.mean);
  Serial.print(", min ");
  Serial.print(stats.min);
  Serial.print(", max ");
  Serial.print(stats.max);
  Serial.print(" (read ");
  Serial.print(read_ms);
  Serial.println(stats.flat ? " ms) flat: no picture, check the camera" : " ms)");
  char row[frame_preview::kColumns + 1];
  for (int r = 0; r < frame_preview::kRows; ++r) {
    frame_preview::PreviewRow(frame, r, row);
    Serial.println(row);
  }
  const unsigned long spent = millis() - started;
  if (spent < kEveryMs) delay(kEveryMs - spent);
}
