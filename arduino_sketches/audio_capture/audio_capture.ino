// audio_capture: record your own keyword clips for the wake-word chapter.
//
// Waits for a command from `python -m tinyml_lab capture audio ...` (close the Serial
// Monitor first: one program at a time can hold the port):
//   record [MS]   record MS milliseconds (default 1000, at most 2000) at 16 kHz from the PDM
//                 microphone, then send them (capture_protocol.h: a header line with the
//                 sample count and a CRC-32, the int16 samples, "END")
//   gain N        set the microphone gain, 0..80 (default 20; raise it for a quiet voice)
// The orange LED is on while it records. After each clip it prints its loudness, e.g.
// "level -31.2 dBFS rms, -9.8 dBFS peak, 0 clipped".
//
// At start: "audio_capture ready; 16000 Hz, gain 20". Board: Arduino Mbed OS Nano Boards
// (the PDM library comes with it). No other library.
#include <PDM.h>

#include "capture_protocol.h"
#include "sound_level.h"

namespace {
constexpr int kSampleRate = 16000;  // what the wake-word model's frontend expects
constexpr long kDefaultMs = 1000;
constexpr long kMaxMs = 2000;
constexpr int kMaxSamples = kSampleRate * kMaxMs / 1000;
constexpr int kDefaultGain = 20;  // the same as the wake_word sketch

int16_t clip[kMaxSamples];  // 64 KB: the recording, sent once it is complete
volatile int recorded = 0;
volatile int wanted = 0;    // samples asked for; 0 when idle
int16_t pdm_block[256];
int gain = kDefaultGain;
capture::LineReader command;

// Called by the PDM driver (from an interrupt) whenever a block of samples is ready.
void OnPdmData() {
  int bytes = PDM.available();
  if (bytes > static_cast<int>(sizeof(pdm_block))) bytes = sizeof(pdm_block);
  PDM.read(pdm_block, bytes);
  for (int i = 0; i < bytes / 2 && recorded < wanted; ++i) clip[recorded++] = pdm_block[i];
}

void SendClip(int samples) {
  const uint8_t* data = reinterpret_cast<const uint8_t*>(clip);
  const size_t bytes = static_cast<size_t>(samples) * 2;  // little-endian, as the M4 stores it
  char header[64];
  capture::FormatAudioHeader(header, sizeof header, kSampleRate, samples,
                             capture::Crc32(data, bytes));
  Serial.println(header);
  Serial.write(data, bytes);
  Serial.println();
  Serial.println("END");
  LevelMeter meter;
  meter.Add(clip, samples);
  const SoundLevel level = meter.Level();
  Serial.print("level ");
  Serial.print(level.rms_dbfs, 1);
  Serial.print(" dBFS rms, ");
  Serial.print(level.peak_dbfs, 1);
  Serial.print(" dBFS peak, ");
  Serial.print(level.clipped);
  Serial.println(" clipped");
}

// Starts a recording; loop() sends it once the interrupt has filled it.
void StartRecording(long ms) {
  if (ms <= 0 || ms > kMaxMs) {
    Serial.print("error: record takes 1 to ");
    Serial.print(kMaxMs);
    Serial.println(" ms");
    return;
  }
  Serial.print("recording ");
  Serial.print(ms);
  Serial.println(" ms");
  digitalWrite(LED_BUILTIN, HIGH);
  recorded = 0;
  wanted = static_cast<int>(kSampleRate * ms / 1000);
}
}  // namespace

void setup() {
  Serial.begin(115200);
  pinMode(LED_BUILTIN, OUTPUT);
  while (!Serial) {
  }  // wait for the capture command (or the Serial Monitor)
  PDM.onReceive(OnPdmData);
  if (!PDM.begin(1, kSampleRate)) {
    Serial.println("error: could not start the PDM microphone");
    while (true) {
    }
  }
  PDM.setGain(gain);
  Serial.print("audio_capture ready; ");
  Serial.print(kSampleRate);
  Serial.print(" Hz, gain ");
  Serial.println(gain);
}

void loop() {
  if (wanted > 0) {
    if (recorded < wanted) return;  // still recording: commands wait
    const int samples = wanted;
    wanted = 0;
    digitalWrite(LED_BUILTIN, LOW);
    SendClip(samples);
  }
  while (Serial.available() > 0 && wanted == 0) {
    if (!command.Add(Serial.read())) continue;
    long value = kDefaultMs;
    if (capture::ParseCommand(command.line(), "record", &value)) {
      StartRecording(value);
    } else if (capture::ParseCommand(command.line(), "gain", &value) && value >= 0 &&
               value <= 80) {
      gain = static_cast<int>(value);
      PDM.setGain(gain);
      Serial.print("gain ");
      Serial.println(gain);
    } else if (command.line()[0] != '\0') {
      Serial.print("error: unknown command '");
      Serial.print(command.line());
      Serial.println("' (record [ms], gain 0..80)");
    }
  }
}
