// Portable decision logic for the wake_word sketch: the model's scores after every inference
// in, one detection per spoken keyword out (the role of TFLM's RecognizeCommands).
// Averages each class's score over the last average_window_ms, reports a keyword whose
// average reaches the threshold, then stays quiet for suppression_ms. Integer arithmetic
// only (scores 0..255, times in ms), so the Python twin
// tinyml_lab.chapters.wake_word.streaming gives identical detections; the tests check that
// with the host g++. Hand-written.
#ifndef WAKE_WORD_COMMAND_DETECTOR_H_
#define WAKE_WORD_COMMAND_DETECTOR_H_

#include <stdint.h>

namespace wake_word {

constexpr int kMaxHistory = 64;  // results kept at most
constexpr int kMaxClasses = 8;

struct DetectorConfig {
  int32_t average_window_ms = 500;
  int32_t threshold = 160;  // of 255
  int32_t suppression_ms = 1000;
  int32_t minimum_count = 3;
};

struct Detection {
  bool found = false;
  int label = -1;
  int score = 0;  // averaged, 0..255
};

enum class DetectorStatus { kOk, kTimeWentBackwards, kBadClassCount };

// int8 softmax output -> 0..255 score (softmax outputs have scale 1/256).
inline int ScoreFromInt8(int8_t value, int zero_point) {
  int score = static_cast<int>(value) - zero_point;
  return score < 0 ? 0 : (score > 255 ? 255 : score);
}

class CommandDetector {
 public:
  // keyword_mask: bit c set if class c is worth reporting (not silence or unknown).
  CommandDetector(int classes, uint32_t keyword_mask, const DetectorConfig& config)
      : classes_(classes), keyword_mask_(keyword_mask), config_(config) {}

  void Reset() {
    head_ = 0;
    count_ = 0;
    has_detection_ = false;
  }

  // One inference's scores (classes_ values, 0..255) at time_ms of audio.
  DetectorStatus Process(uint32_t time_ms, const int* scores, Detection* out) {
    *out = Detection();
    if (classes_ < 1 || classes_ > kMaxClasses) return DetectorStatus::kBadClassCount;
    if (count_ > 0 && static_cast<int32_t>(time_ms - times_[Index(count_ - 1)]) < 0) {
      return DetectorStatus::kTimeWentBackwards;
    }
    if (count_ == kMaxHistory) Drop();
    const int slot = Index(count_);
    times_[slot] = time_ms;
    for (int c = 0; c < classes_; ++c) {
      const int s = scores[c];
      scores_[slot][c] = static_cast<uint8_t>(s < 0 ? 0 : (s > 255 ? 255 : s));
    }
    ++count_;
    while (static_cast<int32_t>(time_ms - times_[head_]) >= config_.average_window_ms) Drop();
    if (count_ < config_.minimum_count) return DetectorStatus::kOk;

    int top = 0;
    int top_average = -1;
    for (int c = 0; c < classes_; ++c) {
      int32_t total = 0;
      for (int i = 0; i < count_; ++i) total += scores_[Index(i)][c];
      const int average = static_cast<int>(total / count_);
      if (average > top_average) {  // strict: the first of equal maxima wins
        top_average = average;
        top = c;
      }
    }
    if (!((keyword_mask_ >> top) & 1u) || top_average < config_.threshold) {
      return DetectorStatus::kOk;
    }
    if (has_detection_ &&
        static_cast<int32_t>(time_ms - last_detection_ms_) < config_.suppression_ms) {
      return DetectorStatus::kOk;
    }
    has_detection_ = true;
    last_detection_ms_ = time_ms;
    out->found = true;
    out->label = top;
    out->score = top_average;
    return DetectorStatus::kOk;
  }

 private:
  int Index(int i) const { return (head_ + i) % kMaxHistory; }
  void Drop() {
    head_ = (head_ + 1) % kMaxHistory;
    --count_;
  }

  int classes_;
  uint32_t keyword_mask_;
  DetectorConfig config_;
  uint32_t times_[kMaxHistory] = {};
  uint8_t scores_[kMaxHistory][kMaxClasses] = {};
  int head_ = 0;
  int count_ = 0;
  bool has_detection_ = false;
  uint32_t last_detection_ms_ = 0;
};

}  // namespace wake_word

#endif  // WAKE_WORD_COMMAND_DETECTOR_H_
