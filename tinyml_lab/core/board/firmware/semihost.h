// Arm semihosting calls (the "bkpt 0xab" interface) used by the board runner to read its
// job, model and inputs from the host and to write its results back. qemu-system-arm
// services them when started with -semihosting-config enable=on,target=native.
// Written for tinyml_lab (operation numbers from Arm's semihosting specification v2).
#ifndef TINYML_LAB_SEMIHOST_H_
#define TINYML_LAB_SEMIHOST_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Open a host file; mode "rb" or "wb". Returns a handle, or -1.
int semihost_open(const char* path, const char* mode);
int semihost_close(int handle);
// Length of an open file in bytes, or -1.
long semihost_file_length(int handle);
// Read exactly `size` bytes; returns the number read.
size_t semihost_read(int handle, void* buffer, size_t size);
// Write `size` bytes; returns the number written.
size_t semihost_write(int handle, const void* buffer, size_t size);
// Stop the emulator: exit status 0 when ok is non-zero, 1 otherwise.
void semihost_exit(int ok) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif  // TINYML_LAB_SEMIHOST_H_
