// Loudness of microphone samples in dB below full scale (dBFS): portable C++, checked on the
// host against tinyml_lab.chapters.wake_word.capture.sound_level. 0 dBFS is the loudest an
// int16 sample can be; a quiet room is about -60 dBFS RMS, speech at arm's length -30 to -20.
// The same file is in arduino_sketches/audio_capture and arduino_sketches/microphone_test.
#ifndef SOUND_LEVEL_H_
#define SOUND_LEVEL_H_

#include <math.h>
#include <stdint.h>

struct SoundLevel {
  float rms_dbfs;   // average loudness
  float peak_dbfs;  // loudest sample
  long clipped;     // samples at full scale: the gain is too high
  long samples;
};

class LevelMeter {
 public:
  void Reset() {
    sum_squares_ = 0;
    peak_ = 0;
    clipped_ = 0;
    count_ = 0;
  }
  void Add(const int16_t* samples, int count) {
    for (int i = 0; i < count; ++i) {
      const int32_t s = samples[i];
      const int32_t magnitude = s < 0 ? -s : s;
      sum_squares_ += static_cast<int64_t>(s) * s;
      if (magnitude > peak_) peak_ = magnitude;
      if (magnitude >= 32767) ++clipped_;
    }
    count_ += count;
  }
  SoundLevel Level() const {
    SoundLevel level = {kFloorDbfs, kFloorDbfs, clipped_, count_};
    if (count_ > 0) {
      const double rms = sqrt(static_cast<double>(sum_squares_) / count_) / 32768.0;
      level.rms_dbfs = Dbfs(rms);
      level.peak_dbfs = Dbfs(peak_ / 32768.0);
    }
    return level;
  }

 private:
  static constexpr float kFloorDbfs = -100.0f;
  static float Dbfs(double fraction) {
    const double db = fraction > 0 ? 20.0 * log10(fraction) : kFloorDbfs;
    return static_cast<float>(db < kFloorDbfs ? kFloorDbfs : db);
  }
  int64_t sum_squares_ = 0;
  int32_t peak_ = 0;
  long clipped_ = 0;
  long count_ = 0;
};

#endif  // SOUND_LEVEL_H_
