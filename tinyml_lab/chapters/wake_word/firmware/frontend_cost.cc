// Instructions per feature row of the wake_word sketch's audio frontend on the board build.
//
// Built by tinyml_lab.chapters.wake_word.cadence with the board harness (startup code,
// semihosting, instruction clock) around the sketch's own portable headers, and run in
// QEMU: it reads audio.raw (int16 samples at 16 kHz) from the job folder, computes every
// feature row the way the sketch's loop() does (FeatureStream::Next, then FeatureWindow::
// Push), and writes to result.txt "row <k> <ticks>" around each row, "empty <ticks>" for
// the clock's own cost, then "end". Written for tinyml_lab.
#include <stdint.h>
#include <string.h>

#include "audio_stream.h"
#include "instruction_clock.h"
#include "log_mel.h"
#include "semihost.h"

namespace {

constexpr int kRingSamples = 16384;  // as the sketch's ring
constexpr int kMaxSamples = 4 * wake_word::kSampleRate;

int16_t audio[kMaxSamples];
wake_word::AudioRing<kRingSamples> ring;
wake_word::LogMelFrontend frontend;
wake_word::FeatureWindow window;
int result = -1;

void Write(const char* text) { semihost_write(result, text, strlen(text)); }

void WriteNumber(const char* label, long a, long b) {
  char line[64];
  char* p = line;
  for (const char* s = label; *s;) *p++ = *s++;
  const long values[] = {a, b};
  for (long value : values) {
    char digits[16];
    int n = 0;
    unsigned long v = static_cast<unsigned long>(value);
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v);
    *p++ = ' ';
    while (n) *p++ = digits[--n];
  }
  *p++ = '\n';
  semihost_write(result, line, static_cast<size_t>(p - line));
}

}  // namespace

// The harness's fault handlers call this: say so, and stop (the host sees no "end").
extern "C" void board_report_fault(const char* name, uint32_t) {
  if (result >= 0) {
    Write("fault ");
    Write(name);
    Write("\n");
  }
  semihost_exit(0);
}

int main() {
  result = semihost_open("result.txt", "wb");
  const int file = semihost_open("audio.raw", "rb");
  if (result < 0 || file < 0) return 1;
  long bytes = semihost_file_length(file);
  if (bytes > static_cast<long>(sizeof audio)) bytes = sizeof audio;
  semihost_read(file, audio, static_cast<size_t>(bytes));
  semihost_close(file);
  const int samples = static_cast<int>(bytes / 2);

  instruction_clock::Start();
  const uint32_t e0 = instruction_clock::Now();
  const uint32_t e1 = instruction_clock::Now();
  WriteNumber("empty", 0, static_cast<long>(e1 - e0));

  // The quantization does not change the work done; the wake-word input's is typical.
  wake_word::FeatureStream features(0.3921569f, 127);
  int8_t row[wake_word::kMelChannels];
  for (int start = 0; start + 512 <= samples; start += 512) {
    ring.Write(audio + start, 512);  // as the PDM callback delivers blocks
    while (true) {
      const uint32_t t0 = instruction_clock::Now();
      const bool fresh = features.Next(ring, frontend, row);
      if (fresh) window.Push(row);
      const uint32_t t1 = instruction_clock::Now();
      if (!fresh) break;
      WriteNumber("row", static_cast<long>(features.frame()), static_cast<long>(t1 - t0));
    }
  }
  Write("end\n");
  semihost_close(result);
  return 0;
}
