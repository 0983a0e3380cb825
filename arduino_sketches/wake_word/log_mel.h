// Portable audio frontend for the wake_word sketch: 30 ms of 16 kHz audio -> 40 log-mel
// values in dB -> the model's int8 input. No Arduino headers: the tests compile it with the
// host g++ and check it against tinyml_lab.chapters.wake_word.log_mel (the Python twin the
// model was trained with) on the same audio. Hand-written (not generated); keep the constants equal
// to the Python module's (a test compares them).
//
// Per frame: periodic Hann window, 512-point FFT, power / (window sum)^2, 40 triangular mel
// filters between 125 Hz and 7.5 kHz, 10 * log10 with a -100 dB floor.
#ifndef WAKE_WORD_LOG_MEL_H_
#define WAKE_WORD_LOG_MEL_H_

#include <math.h>
#include <stdint.h>

namespace wake_word {

constexpr int kSampleRate = 16000;
constexpr int kWindowSamples = 480;  // 30 ms
constexpr int kStrideSamples = 320;  // 20 ms
constexpr int kFftSize = 512;
constexpr int kFftBins = kFftSize / 2 + 1;
constexpr int kMelChannels = 40;
constexpr double kLowerHz = 125.0;
constexpr double kUpperHz = 7500.0;
constexpr float kFloorDb = -100.0f;
constexpr int kClipSamples = 16000;
constexpr int kFrames = 1 + (kClipSamples - kWindowSamples) / kStrideSamples;  // 49
constexpr int kFeatureSize = kFrames * kMelChannels;                        // 1960

// real -> int8 with the model's input scale and zero point; rounds half away from zero (as
// lroundf does) and saturates to [-128, 127].
inline int8_t QuantizeToInt8(float value, float scale, int zero_point) {
  float scaled = value / scale;
  if (scaled > 1.0e6f) scaled = 1.0e6f;  // lroundf of a huge value overflows a 32-bit long
  if (scaled < -1.0e6f) scaled = -1.0e6f;
  long q = lroundf(scaled) + zero_point;
  if (q < -128) q = -128;
  if (q > 127) q = 127;
  return static_cast<int8_t>(q);
}

class LogMelFrontend {
 public:
  LogMelFrontend() { Init(); }

  // The window, FFT twiddles and mel table; computed once (in double, then stored as float).
  void Init() {
    const double pi = 3.14159265358979323846;
    for (int n = 0; n < kWindowSamples; ++n) {
      window_[n] = static_cast<float>(0.5 - 0.5 * cos(2.0 * pi * n / kWindowSamples));
    }
    for (int k = 0; k < kFftSize / 2; ++k) {
      cos_[k] = static_cast<float>(cos(2.0 * pi * k / kFftSize));
      sin_[k] = static_cast<float>(-sin(2.0 * pi * k / kFftSize));
    }
    // kMelChannels + 2 edges equally spaced on the mel scale; each FFT bin remembers the
    // edge below it (band_) and its weight on the rising slope of that channel; the
    // channel before gets 1 - weight (its falling slope).
    double edges[kMelChannels + 2];
    const double mel_lo = HzToMel(kLowerHz), mel_hi = HzToMel(kUpperHz);
    const double step = (mel_hi - mel_lo) / (kMelChannels + 1);
    for (int i = 0; i < kMelChannels + 2; ++i) {
      edges[i] = MelToHz(i == kMelChannels + 1 ? mel_hi : mel_lo + i * step);
    }
    for (int k = 0; k < kFftBins; ++k) {
      const double f = static_cast<double>(k) * kSampleRate / kFftSize;
      band_[k] = -1;
      weight_[k] = 0.0f;
      if (f < edges[0] || f >= edges[kMelChannels + 1]) continue;
      int j = 0;
      while (edges[j + 1] <= f) ++j;
      band_[k] = static_cast<int16_t>(j);
      weight_[k] = static_cast<float>((f - edges[j]) / (edges[j + 1] - edges[j]));
    }
  }

  // kWindowSamples int16 samples -> kMelChannels values in dB (float).
  void Compute(const int16_t* samples, float* mel_db) {
    for (int n = 0; n < kFftSize; ++n) {
      re_[n] = n < kWindowSamples ? window_[n] * (samples[n] * (1.0f / 32768.0f)) : 0.0f;
      im_[n] = 0.0f;
    }
    Fft();
    float energy[kMelChannels];
    for (int c = 0; c < kMelChannels; ++c) energy[c] = 0.0f;
    const float norm = 1.0f / ((kWindowSamples / 2.0f) * (kWindowSamples / 2.0f));
    for (int k = 0; k < kFftBins; ++k) {
      const int j = band_[k];
      if (j < 0) continue;
      const float power = (re_[k] * re_[k] + im_[k] * im_[k]) * norm;
      if (j < kMelChannels) energy[j] += weight_[k] * power;
      if (j >= 1) energy[j - 1] += (1.0f - weight_[k]) * power;
    }
    const float floor_power = powf(10.0f, kFloorDb / 10.0f);
    for (int c = 0; c < kMelChannels; ++c) {
      mel_db[c] = 10.0f * log10f(energy[c] > floor_power ? energy[c] : floor_power);
    }
  }

  // What goes into the model's input tensor for one frame.
  void ComputeInt8(const int16_t* samples, float scale, int zero_point, int8_t* out) {
    float mel_db[kMelChannels];
    Compute(samples, mel_db);
    for (int c = 0; c < kMelChannels; ++c) out[c] = QuantizeToInt8(mel_db[c], scale, zero_point);
  }

  // The mel table, for tests that compare it with the Python twin's.
  int band(int bin) const { return band_[bin]; }
  float weight(int bin) const { return weight_[bin]; }

 private:
  static double HzToMel(double hz) { return 1127.0 * log1p(hz / 700.0); }
  static double MelToHz(double mel) { return 700.0 * expm1(mel / 1127.0); }

  // In-place iterative radix-2 FFT of re_ + i im_ (kFftSize points).
  void Fft() {
    for (int i = 1, j = 0; i < kFftSize; ++i) {  // bit-reversed order
      int bit = kFftSize >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      if (i < j) {
        float t = re_[i]; re_[i] = re_[j]; re_[j] = t;
        t = im_[i]; im_[i] = im_[j]; im_[j] = t;
      }
    }
    for (int size = 2; size <= kFftSize; size <<= 1) {
      const int half = size >> 1;
      const int stride = kFftSize / size;
      for (int start = 0; start < kFftSize; start += size) {
        for (int k = 0; k < half; ++k) {
          const float wr = cos_[k * stride], wi = sin_[k * stride];
          const int a = start + k, b = a + half;
          const float xr = re_[b] * wr - im_[b] * wi;
          const float xi = re_[b] * wi + im_[b] * wr;
          re_[b] = re_[a] - xr;
          im_[b] = im_[a] - xi;
          re_[a] += xr;
          im_[a] += xi;
        }
      }
    }
  }

  float window_[kWindowSamples];
  float cos_[kFftSize / 2];
  float sin_[kFftSize / 2];
  int16_t band_[kFftBins];
  float weight_[kFftBins];
  float re_[kFftSize];
  float im_[kFftSize];
};

}  // namespace wake_word

#endif  // WAKE_WORD_LOG_MEL_H_
