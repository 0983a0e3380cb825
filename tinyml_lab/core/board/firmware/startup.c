// Start-up code of the board runner for QEMU's mps2-an386 (Cortex-M4F): the vector table,
// the reset handler (FPU on, .data copied, .bss zeroed, C++ constructors run, main) and
// the fault handlers, which report the fault to the host instead of hanging.
// Written for tinyml_lab; the symbols come from an386.ld.
#include <stdint.h>

#include "semihost.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
extern void (*__preinit_array_start[])(void);
extern void (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);

int main(void);

// The "shared object" handle that C++ static destructors register with __cxa_atexit;
// crtbegin.o defines it in a hosted link, which -nostartfiles leaves out.
void* __dso_handle = 0;
// Implemented by the runner: writes "fault <name> <pc>" to the host and stops.
void board_report_fault(const char* name, uint32_t pc) __attribute__((noreturn));

void Reset_Handler(void) __attribute__((noreturn));
static void start_c(void) __attribute__((noreturn, used));

// Naked so that nothing runs before the FPU is enabled: CPACR (0xE000ED88) bits 20-23 give
// full access to coprocessors 10 and 11, then DSB/ISB make it take effect.
__attribute__((naked)) void Reset_Handler(void) {
  __asm__ volatile(
      "ldr r0, =0xE000ED88\n"
      "ldr r1, [r0]\n"
      "orr r1, r1, #(0xF << 20)\n"
      "str r1, [r0]\n"
      "dsb\n"
      "isb\n"
      "b start_c\n");
}

static void start_c(void) {
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) *dst++ = *src++;
  for (uint32_t* dst = __bss_start; dst < __bss_end;) *dst++ = 0;
  for (void (**f)(void) = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (void (**f)(void) = __init_array_start; f < __init_array_end; ++f) (*f)();
  semihost_exit(main() == 0);
}

// The exception frame's stacked PC is the 7th word; which stack depends on EXC_RETURN bit 2.
#define FAULT_HANDLER(name)                                                       \
  __attribute__((naked)) void name(void) {                                        \
    __asm__ volatile(                                                             \
        "tst lr, #4\n"                                                            \
        "ite eq\n"                                                                \
        "mrseq r1, msp\n"                                                         \
        "mrsne r1, psp\n"                                                         \
        "ldr r1, [r1, #24]\n"                                                     \
        "ldr r0, =" #name "_label\n"                                              \
        "b board_report_fault\n");                                                \
  }                                                                               \
  const char name##_label[] = #name;

FAULT_HANDLER(NMI_Handler)
FAULT_HANDLER(HardFault_Handler)
FAULT_HANDLER(MemManage_Handler)
FAULT_HANDLER(BusFault_Handler)
FAULT_HANDLER(UsageFault_Handler)
FAULT_HANDLER(Unexpected_Handler)

typedef void (*Vector)(void);

// 16 system exceptions and the AN386's 32 interrupts; nothing here enables an interrupt,
// so anything other than reset and the faults is unexpected.
__attribute__((section(".vectors"), used)) const Vector vector_table[16 + 32] = {
    (Vector)__stack_top, Reset_Handler,      NMI_Handler,        HardFault_Handler,
    MemManage_Handler,   BusFault_Handler,   UsageFault_Handler, Unexpected_Handler,
    Unexpected_Handler,  Unexpected_Handler, Unexpected_Handler, Unexpected_Handler,
    Unexpected_Handler,  Unexpected_Handler, Unexpected_Handler, Unexpected_Handler,
    [16 ... 47] = Unexpected_Handler,
};
