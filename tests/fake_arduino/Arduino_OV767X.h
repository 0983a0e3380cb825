// Test double of Arduino_OV767X (the calls person_detection.ino makes): begin() records
// its arguments and answers as the library does for them; readFrame() copies the frame
// the test set, high byte first as the real one stores it. By default it has the 4-argument
// begin() of the library's newer sources; -DFAKE_OV767X_RELEASE_0_0_2 gives the 3-argument
// begin() of release 0.0.2 instead.
#ifndef FAKE_ARDUINO_OV767X_H_
#define FAKE_ARDUINO_OV767X_H_

#include <cstring>

enum { YUV422 = 0, RGB444 = 1, RGB565 = 2, GRAYSCALE = 4 };
enum { VGA = 0, CIF = 1, QVGA = 2, QCIF = 3, QQVGA = 4 };
#ifndef FAKE_OV767X_RELEASE_0_0_2
enum { OV7670 = 0, OV7675 = 1 };
#endif

class OV767X {
 public:
  bool present = true;  // false: the camera does not answer, begin() fails
  int resolution = -1, format = -1, fps = -1, camera_name = -1;  // -1: not given
  const unsigned char* next_frame = nullptr;  // what the next readFrame() delivers
  int frames_read = 0;

#ifdef FAKE_OV767X_RELEASE_0_0_2
  int begin(int r, int f, int s) { return Begin(r, f, s, -1); }
#else
  int begin(int r, int f, int s, int name = OV7670) { return Begin(r, f, s, name); }
#endif
  int width() const { return resolution == QCIF ? 176 : resolution == QQVGA ? 160 : 0; }
  int height() const { return resolution == QCIF ? 144 : resolution == QQVGA ? 120 : 0; }
  int bytesPerPixel() const { return format == GRAYSCALE ? 1 : 2; }
  void readFrame(void* buffer) {
    const int bytes = width() * height() * bytesPerPixel();
    if (next_frame) {
      std::memcpy(buffer, next_frame, bytes);
    } else {
      std::memset(buffer, 0, bytes);
    }
    ++frames_read;
  }

 private:
  int Begin(int r, int f, int s, int name) {
    resolution = r;
    format = f;
    fps = s;
    camera_name = name;
    return present && (s == 1 || s == 5) && width() > 0;
  }
};
inline OV767X Camera;

#endif  // FAKE_ARDUINO_OV767X_H_
