// person_detection_patch: the person_detection sketch's detector, run patch by patch so it
// needs a smaller tensor arena. Arduino Nano 33 BLE Sense with the OV7675 camera on the
// Tiny Machine Learning Kit shield.
//
// The detector's first layers hold its largest feature maps. Here they run one patch at a
// time (patch-based inference, as MCUNetV2 does it): for each patch of the grid, its stage
// model computes one tile of the first layers' output from the part of the picture that
// tile depends on (with the overlapping halo), and the tiles are assembled; then the rest
// of the network runs on the assembled map. The models take turns in one arena, so the
// arena only has to hold the largest of them. The scores are the person_detection
// sketch's, to the bit (the course's tests check it on the host and on the Cortex-M4
// build): only memory and time change. Serial prints, e.g.
// "person: 0.87 no_person: 0.13 (invoke 1190 ms)"; the RGB LED is green while it sees a
// person and red while it does not. Serial Monitor: 115200 baud.
//
// The generated files (patch_models.*, patch_plan.h, model_ops.h, model_settings.h) are
// written by notebooks/07_memory_planning.ipynb from the person_detection sketch's model;
// do not edit them by hand. patch_runner.h is tinyml_lab's patch driver (an identical copy
// of the board harness's), person_patch.h feeds it from the camera.
// Libraries: Chirale_TensorFlowLite and Arduino_OV767X (sketch.yaml pins them).
// Board: Arduino Mbed OS Nano Boards.

#include <Arduino_OV767X.h>
#include <Chirale_TensorFlowLite.h>
#include <string.h>

#include <new>

#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/schema/schema_generated.h"

#include "camera_preprocess.h"
#include "model_ops.h"
#include "model_settings.h"
#include "patch_models.h"
#include "patch_plan.h"
#include "person_patch.h"

static_assert(kOutputSize == kLabelCount && kLabelCount == 2,
              "two outputs: person and no_person");

namespace {
constexpr int kCameraFps = 1;  // the library's frame rates on this board are 1 and 5
// Arduino_OV767X's value for the OV7675, for libraries whose begin() takes the camera model.
constexpr int kOv7675 = 1;

ModelOpResolver resolver;
// One arena for every model in turn, and the stage output the patches assemble.
alignas(16) uint8_t tensor_arena[kTensorArenaSize];
alignas(16) int8_t stage_output[kStageOutputBytes];
// One whole RGB565 frame (50,688 bytes): readFrame() fills it with interrupts off. The
// patches read their pixels from it; no 96 x 96 input picture is kept.
alignas(4) uint8_t frame[camera_preprocess::kFrameBytes];
alignas(8) uint8_t interpreter_storage[sizeof(tflite::MicroInterpreter)];
// gray level -> int8 input, built once from the model's input quantization
const camera_preprocess::InputQuantizer quantize_input(kInputScale, kInputZeroPoint);
int person_label = 0;

// patch_runner's Runner: builds each model's interpreter in tensor_arena when its turn
// comes (stage models 0 to kStageModelCount - 1, then the rest of the network).
class ArenaRunner {
 public:
  bool Begin(int model) {
    const unsigned char* flatbuffer = model < kStageModelCount ? kStageModels[model]
                                                               : g_rest_model;
    interpreter_ = new (interpreter_storage) tflite::MicroInterpreter(
        tflite::GetModel(flatbuffer), resolver, tensor_arena, kTensorArenaSize);
    if (interpreter_->AllocateTensors() != kTfLiteOk) {
      End();
      return false;
    }
    if (interpreter_->arena_used_bytes() > most_used_) most_used_ = interpreter_->arena_used_bytes();
    return true;
  }
  int8_t* Input() { return interpreter_->input(0)->data.int8; }
  size_t InputBytes() { return interpreter_->input(0)->bytes; }
  const int8_t* Output() { return interpreter_->output(0)->data.int8; }
  size_t OutputBytes() { return interpreter_->output(0)->bytes; }
  bool Invoke() { return interpreter_->Invoke() == kTfLiteOk; }
  void End() {
    if (interpreter_ != nullptr) interpreter_->~MicroInterpreter();
    interpreter_ = nullptr;
  }
  size_t most_used() const { return most_used_; }

 private:
  tflite::MicroInterpreter* interpreter_ = nullptr;
  size_t most_used_ = 0;
};

ArenaRunner runner;

// Arduino_OV767X 0.0.2 (the released library) has begin(resolution, format, fps) and sets
// the sensor up as an OV7670; its later sources take the camera model as a 4th argument
// and use the OV7675's own window and clock settings. Use that when the library has it:
// the first overload only exists when begin() accepts four arguments.
template <typename Cam>
auto BeginCamera(Cam& camera, int)
    -> decltype(camera.begin(QCIF, RGB565, kCameraFps, kOv7675)) {
  return camera.begin(QCIF, RGB565, kCameraFps, kOv7675);
}
template <typename Cam>
int BeginCamera(Cam& camera, long) {
  return camera.begin(QCIF, RGB565, kCameraFps);
}

// The RGB LED is active low.
void ShowColour(bool red, bool green) {
  digitalWrite(LEDR, red ? LOW : HIGH);
  digitalWrite(LEDG, green ? LOW : HIGH);
  digitalWrite(LEDB, HIGH);
}

void halt(const char* message) {
  while (true) {
    Serial.println(message);
    for (int i = 0; i < 20; ++i) {
      digitalWrite(LED_BUILTIN, !digitalRead(LED_BUILTIN));  // blink: something is wrong
      delay(100);
    }
  }
}
}  // namespace

void setup() {
  Serial.begin(115200);
  pinMode(LED_BUILTIN, OUTPUT);
  pinMode(LEDR, OUTPUT);
  pinMode(LEDG, OUTPUT);
  pinMode(LEDB, OUTPUT);
  ShowColour(false, false);
  const unsigned long start = millis();
  while (!Serial && millis() - start < 3000) {
  }  // wait briefly for the Serial Monitor, then run without it

  person_label = -1;
  for (int i = 0; i < kLabelCount; ++i) {
    if (strcmp(kLabels[i], "person") == 0) person_label = i;
  }
  if (person_label < 0) {
    halt("The model's labels have no \"person\": regenerate the model files.");
  }
  if (RegisterModelOps(resolver) != kTfLiteOk) {
    halt("Could not register the models' ops.");
  }
  // Every model once: the schema matches and each fits the arena.
  for (int m = 0; m <= kStageModelCount; ++m) {
    const unsigned char* flatbuffer = m < kStageModelCount ? kStageModels[m] : g_rest_model;
    if (tflite::GetModel(flatbuffer)->version() != TFLITE_SCHEMA_VERSION) {
      halt("Model schema version does not match the TFLM library.");
    }
    if (!runner.Begin(m)) {
      halt("AllocateTensors() failed: kTensorArenaSize is too small for the patch models.");
    }
    runner.End();
  }
  if (!BeginCamera(Camera, 0)) {
    halt("No camera: is the OV7675 seated in the shield's camera socket?");
  }
  if (Camera.width() != camera_preprocess::kFrameWidth ||
      Camera.height() != camera_preprocess::kFrameHeight || Camera.bytesPerPixel() != 2) {
    halt("The camera did not start in QCIF RGB565.");
  }
  Serial.print("person_detection_patch ready; ");
  Serial.print(kPatchCount);
  Serial.print(" patches; arena used ");
  Serial.print(static_cast<int>(runner.most_used()));
  Serial.print(" of ");
  Serial.print(kTensorArenaSize);
  Serial.println(" bytes");
}

void loop() {
  Camera.readFrame(frame);
  float scores[kLabelCount];
  const unsigned long start = millis();
  if (!person_patch::FrameScores(frame, quantize_input, runner, stage_output, scores)) {
    Serial.println("The patch schedule failed");
    return;
  }
  const unsigned long invoke_ms = millis() - start;

  int best = 0;
  for (int i = 1; i < kLabelCount; ++i) {
    if (scores[i] > scores[best]) best = i;  // the first label wins a tie
  }
  const int other = 1 - person_label;
  Serial.print(kLabels[person_label]);
  Serial.print(": ");
  Serial.print(scores[person_label], 2);
  Serial.print(" ");
  Serial.print(kLabels[other]);
  Serial.print(": ");
  Serial.print(scores[other], 2);
  Serial.print(" (invoke ");
  Serial.print(invoke_ms);
  Serial.println(" ms)");
  ShowColour(best != person_label, best == person_label);
}
