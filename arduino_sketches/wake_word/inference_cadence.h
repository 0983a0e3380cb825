// How often the wake_word sketch runs its model: once every kRowsPerInvoke feature rows.
//
// Every 20 ms of audio the sketch computes a row of features; every N rows it also runs
// the model. N is the smallest whole number of rows whose time holds N rows and one
// inference at the board's 64 MHz, with 3 cycles counted for every 2 instructions (a
// margin: instructions are measured, cycles are not). Both instruction counts are measured
// on the board build in an emulator: kInvokeInstructions per model (generated into
// model_settings.h) and kFrontendRowInstructions for this sketch's frontend. The Python
// twin is tinyml_lab.chapters.wake_word.cadence; the tests compare the two and re-measure
// the row figure. Hand-written (not generated).
#ifndef WAKE_WORD_INFERENCE_CADENCE_H_
#define WAKE_WORD_INFERENCE_CADENCE_H_

#include <stdint.h>

namespace wake_word {

constexpr int64_t kFrontendRowInstructions = 109716;
constexpr int64_t kRowCycles = 20LL * 64000000LL / 1000;  // 20 ms at 64 MHz
constexpr int64_t kCyclesPerInstructionNum = 3;
constexpr int64_t kCyclesPerInstructionDen = 2;

// Cycles per row left after the features, times kCyclesPerInstructionDen.
constexpr int64_t kSpareRowCycles =
    kCyclesPerInstructionDen * kRowCycles - kCyclesPerInstructionNum * kFrontendRowInstructions;
static_assert(kSpareRowCycles > 0, "the frontend alone does not keep up with the audio");

constexpr int RowsPerInvoke(int64_t invoke_instructions) {
  return invoke_instructions <= 0
             ? 1
             : static_cast<int>((kCyclesPerInstructionNum * invoke_instructions +
                                 kSpareRowCycles - 1) / kSpareRowCycles);
}

}  // namespace wake_word

#endif  // WAKE_WORD_INFERENCE_CADENCE_H_
