// camera_capture: take photos for the person-detection chapter.
//
// Arduino Nano 33 BLE Sense with the OV7675 camera on the Tiny Machine Learning Kit shield.
// Waits for a command from `python -m tinyml_lab capture camera ...` (close the Serial
// Monitor first: one program at a time can hold the port):
//   frame   read one QCIF frame (176 x 144, RGB565) and send it (capture_protocol.h: a header
//           line with the size and a CRC-32, the frame's bytes as readFrame() stores them,
//           "END")
// The computer saves each frame as a PNG file, the picture the person_detection sketch's
// camera path starts from. The orange LED is on while a frame is read.
//
// At start: "camera_capture ready; OV7675 176x144 RGB565". Library: Arduino_OV767X
// (sketch.yaml pins it). Board: Arduino Mbed OS Nano Boards.
#include <Arduino_OV767X.h>

#include "capture_protocol.h"

namespace {
constexpr int kWidth = 176;
constexpr int kHeight = 144;
constexpr int kFrameBytes = kWidth * kHeight * 2;
constexpr int kCameraFps = 1;
constexpr int kOv7675 = 1;  // Arduino_OV767X's value for the OV7675, for a 4-argument begin()

alignas(4) uint8_t frame[kFrameBytes];
capture::LineReader command;

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

void SendFrame() {
  digitalWrite(LED_BUILTIN, HIGH);
  Camera.readFrame(frame);
  digitalWrite(LED_BUILTIN, LOW);
  char header[64];
  capture::FormatFrameHeader(header, sizeof header, kWidth, kHeight,
                             capture::Crc32(frame, kFrameBytes));
  Serial.println(header);
  Serial.write(frame, kFrameBytes);
  Serial.println();
  Serial.println("END");
}
}  // namespace

void setup() {
  Serial.begin(115200);
  pinMode(LED_BUILTIN, OUTPUT);
  while (!Serial) {
  }  // wait for the capture command (or the Serial Monitor)
  if (!BeginCamera(Camera, 0)) {
    halt("error: no camera. Is the OV7675 seated in the shield's camera socket?");
  }
  if (Camera.width() != kWidth || Camera.height() != kHeight || Camera.bytesPerPixel() != 2) {
    halt("error: the camera did not start in QCIF RGB565.");
  }
  Serial.println("camera_capture ready; OV7675 176x144 RGB565");
}

void loop() {
  while (Serial.available() > 0) {
    if (!command.Add(Serial.read())) continue;
    long unused = 0;
    if (capture::ParseCommand(command.line(), "frame", &unused)) {
      SendFrame();
    } else if (command.line()[0] != '\0') {
      Serial.print("error: unknown command '");
      Serial.print(command.line());
      Serial.println("' (frame)");
    }
  }
}
