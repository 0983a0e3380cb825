// A deterministic clock for counting executed instructions in QEMU.
//
// QEMU's -icount shift=N makes virtual time advance exactly 2^N ns per executed guest
// instruction. The mps2-an386's CMSDK APB timer 0 (0x40000000) counts down at the 25 MHz
// system clock of that virtual time, so the ticks between two reads, times 40 ns, divided
// by 2^N ns, are the instructions executed between them. The host (tinyml_lab's emulator
// module) picks N = 7, so one instruction is 3.2 ticks and the conversion rounds exactly;
// the runner's "calibrate" job checks that on a loop of known length.
// Written for tinyml_lab.
#ifndef TINYML_LAB_INSTRUCTION_CLOCK_H_
#define TINYML_LAB_INSTRUCTION_CLOCK_H_

#include <stdint.h>

namespace instruction_clock {

struct CmsdkTimer {
  volatile uint32_t ctrl;    // bit 0: enable
  volatile uint32_t value;   // current count (counts down)
  volatile uint32_t reload;  // loaded when the count reaches 0
  volatile uint32_t intstatus;
};

inline CmsdkTimer* Timer() { return reinterpret_cast<CmsdkTimer*>(0x40000000u); }

inline void Start() {
  Timer()->ctrl = 0;
  Timer()->reload = 0xFFFFFFFFu;
  Timer()->value = 0xFFFFFFFFu;
  Timer()->ctrl = 1;
}

// Ticks elapsed since Start(), as an up-counter (wraps after 2^32 ticks, 171 s virtual).
inline uint32_t Now() { return 0xFFFFFFFFu - Timer()->value; }

}  // namespace instruction_clock

#endif  // TINYML_LAB_INSTRUCTION_CLOCK_H_
