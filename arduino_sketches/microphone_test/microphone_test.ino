// microphone_test: is the microphone working? Run this before the wake-word chapter.
//
// Prints the loudness of the PDM microphone ten times a second, for the Serial Plotter
// (Tools > Serial Plotter, 115200 baud): "rms_dbfs:-52.3,peak_dbfs:-38.0". Speak, clap, stay
// quiet: the lines should move with you. A quiet room is about -60 dBFS, a voice at arm's
// length -30 to -20, and 0 is the loudest a sample can be. Flat at -100 (nothing at all): the
// microphone does not deliver; peaks at 0 while you speak: set kGain lower; under -50 while
// you speak: set kGain higher (0..80). The wake_word sketch uses the same gain.
//
// At start: "microphone_test ready; 16000 Hz, gain 20". Board: Arduino Mbed OS Nano Boards
// (the PDM library comes with it). No other library.
#include <PDM.h>

#include "sound_level.h"

namespace {
constexpr int kSampleRate = 16000;
constexpr int kGain = 20;
constexpr unsigned long kReportMs = 100;

int16_t pdm_block[256];
int16_t pending[2048];  // samples the interrupt handed over since the last report
volatile int pending_count = 0;
LevelMeter meter;
unsigned long last_report = 0;

void OnPdmData() {
  int bytes = PDM.available();
  if (bytes > static_cast<int>(sizeof(pdm_block))) bytes = sizeof(pdm_block);
  PDM.read(pdm_block, bytes);
  for (int i = 0; i < bytes / 2 && pending_count < 2048; ++i) {
    pending[pending_count++] = pdm_block[i];
  }
}
}  // namespace

void setup() {
  Serial.begin(115200);
  const unsigned long start = millis();
  while (!Serial && millis() - start < 3000) {
  }  // wait briefly for the Serial Monitor, then run without it
  PDM.onReceive(OnPdmData);
  if (!PDM.begin(1, kSampleRate)) {
    while (true) {
      Serial.println("error: could not start the PDM microphone");
      delay(1000);
    }
  }
  PDM.setGain(kGain);
  Serial.print("microphone_test ready; ");
  Serial.print(kSampleRate);
  Serial.print(" Hz, gain ");
  Serial.println(kGain);
}

void loop() {
  noInterrupts();
  const int count = pending_count;
  meter.Add(pending, count);
  pending_count = 0;
  interrupts();
  if (millis() - last_report < kReportMs) return;
  last_report = millis();
  const SoundLevel level = meter.Level();
  meter.Reset();
  Serial.print("rms_dbfs:");
  Serial.print(level.rms_dbfs, 1);
  Serial.print(",peak_dbfs:");
  Serial.println(level.peak_dbfs, 1);
}
