// Arm semihosting calls for the board runner; see semihost.h. Written for tinyml_lab.
#include "semihost.h"

#include <string.h>

enum {
  kSysOpen = 0x01,
  kSysClose = 0x02,
  kSysWrite = 0x05,
  kSysRead = 0x06,
  kSysFlen = 0x0C,
  kSysExit = 0x18,
};
// SYS_EXIT reasons: ADP_Stopped_ApplicationExit makes QEMU exit with status 0, any other
// reason (here ADP_Stopped_RunTimeErrorUnknown) with status 1.
enum { kApplicationExit = 0x20026, kRunTimeError = 0x20023 };

// r0 = operation, r1 = pointer to the parameter block (or the value for SYS_EXIT on
// AArch32); the result comes back in r0.
static int call(int operation, void* parameters) {
  register int r0 __asm__("r0") = operation;
  register void* r1 __asm__("r1") = parameters;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

int semihost_open(const char* path, const char* mode) {
  // ISO C fopen modes map to 0 ("r"), 1 ("rb"), 4 ("w"), 5 ("wb"), ...
  int code = 1;
  if (mode[0] == 'w') code = 5;
  if (mode[0] == 'a') code = 9;
  uint32_t block[3] = {(uint32_t)path, (uint32_t)code, (uint32_t)strlen(path)};
  return call(kSysOpen, block);
}

int semihost_close(int handle) {
  uint32_t block[1] = {(uint32_t)handle};
  return call(kSysClose, block);
}

long semihost_file_length(int handle) {
  uint32_t block[1] = {(uint32_t)handle};
  return call(kSysFlen, block);
}

size_t semihost_read(int handle, void* buffer, size_t size) {
  uint32_t block[3] = {(uint32_t)handle, (uint32_t)buffer, (uint32_t)size};
  // the call returns the number of bytes NOT read
  return size - (size_t)call(kSysRead, block);
}

size_t semihost_write(int handle, const void* buffer, size_t size) {
  uint32_t block[3] = {(uint32_t)handle, (uint32_t)buffer, (uint32_t)size};
  return size - (size_t)call(kSysWrite, block);  // returns the number NOT written
}

void semihost_exit(int ok) {
  call(kSysExit, (void*)(ok ? kApplicationExit : kRunTimeError));
  for (;;) {
  }
}
