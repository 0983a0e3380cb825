// The board runner: runs one TFLite model in the pinned Chirale_TensorFlowLite build (TFLM +
// CMSIS-NN) on QEMU's Cortex-M4, as a sketch would, and reports what happened.
//
// The host (tinyml_lab/core/board/emulator.py) starts QEMU in a job folder and the runner
// reads its files there through semihosting:
//   job.txt        "key value" lines: mode (run | calibrate | sizes | trace | patch), arena
//                  (bytes), inputs (count), profile (0 or 1)
//   model.tflite   the model bytes (copied 16-byte aligned, as a sketch's g_model is); in a
//                  patch job, the rest of the network
//   input_<k>.bin  the bytes of every input tensor of invocation k, one after the other; in a
//                  patch job, the whole network input
//   stage_<m>.tflite, schedule.bin   patch job only: the stage models, and the schedule as
//                  little-endian int32: input height, width, channels, zero point, stage
//                  output height, width, channels, stage model count, patch count, then
//                  per patch: model, input row, col, height, width, output row, col,
//                  height, width (patch_runner.h's Patch)
// and writes result.txt, one record per line (see emulator.py for the parser):
//   log <text>                TFLM's own messages (its DebugLog hook)
//   allocate ok|error
//   arena_used <bytes>
//   input|output <i> <bytes>
//   invoke <k> ok|error <ticks>       ticks of the instruction clock around Invoke()
//   out <k> <i> <hex bytes>
//   op <k> <index> <name> <ticks>     per-op, from a profiled second interpreter
//   empty_ticks <ticks>, empty_event_ticks <ticks>   the clock's own cost, to subtract
//   model_arena_used <m> <bytes>      patch job: each model's (the rest is m = model count)
//   patch_invoke <k> ok|error <invoke ticks> <total ticks>   patch job: the Invoke() calls
//                                     of input k, and the whole schedule (set-ups, copies)
//   end
// The arena is a 16-byte aligned buffer used for exactly `arena` bytes, as the sketches'
// alignas(16) uint8_t tensor_arena[kTensorArenaSize]. A patch job runs the schedule with
// patch_runner.h, as the patch sketch does: the stage models and then the rest take turns
// in that one arena, each interpreter built, allocated, run and destroyed in turn, and the
// stage output is assembled in a buffer of its own. Written for tinyml_lab.
#include <stdint.h>
#include <string.h>

#include <new>

#include "instruction_clock.h"
#include "patch_runner.h"
#include "semihost.h"
#include "tensorflow/lite/c/builtin_op_data.h"
#include "tensorflow/lite/c/common.h"
#include "tensorflow/lite/micro/all_ops_resolver.h"
#include "tensorflow/lite/micro/arena_allocator/single_arena_buffer_allocator.h"
#include "tensorflow/lite/micro/memory_planner/greedy_memory_planner.h"
#include "tensorflow/lite/micro/micro_allocation_info.h"
#include "tensorflow/lite/micro/micro_allocator.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_profiler_interface.h"
#include "tensorflow/lite/schema/schema_generated.h"

extern "C" uint8_t __model_start[], __model_end[], __arena_start[], __arena_end[];

namespace {

// ------------------------------------------------------------------ result file

class Result {
 public:
  void Open() { handle_ = semihost_open("result.txt", "wb"); }
  Result& Text(const char* s) {
    while (*s) Char(*s++);
    return *this;
  }
  Result& Char(char c) {
    if (used_ == sizeof buffer_) Flush();
    buffer_[used_++] = c;
    return *this;
  }
  Result& Number(long long value) {
    char digits[24];
    int n = 0;
    unsigned long long v = value < 0 ? -static_cast<unsigned long long>(value) : value;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v);
    if (value < 0) Char('-');
    while (n) Char(digits[--n]);
    return *this;
  }
  Result& Hex(const uint8_t* data, size_t size) {
    static const char kDigits[] = "0123456789abcdef";
    for (size_t i = 0; i < size; ++i) Char(kDigits[data[i] >> 4]).Char(kDigits[data[i] & 15]);
    return *this;
  }
  Result& Line() {
    Char('\n');
    Flush();
    return *this;
  }
  void Flush() {
    if (handle_ >= 0 && used_) semihost_write(handle_, buffer_, used_);
    used_ = 0;
  }
  void Close() {
    Flush();
    if (handle_ >= 0) semihost_close(handle_);
    handle_ = -1;
  }

 private:
  int handle_ = -1;
  char buffer_[512];
  size_t used_ = 0;
};

Result result;

// Ends the run with a last record: the host treats a missing "end" as a crash.
[[noreturn]] void Finish(bool ok) {
  result.Text("end").Line();
  result.Close();
  semihost_exit(ok);
}

// ------------------------------------------------------------------ TFLM's log

char log_line[300];
size_t log_used = 0;

void FlushLog() {
  if (!log_used) return;
  log_line[log_used] = 0;
  result.Text("log ").Text(log_line).Line();
  log_used = 0;
}

// ------------------------------------------------------------------ host files

long ReadFile(const char* name, uint8_t* buffer, size_t capacity) {
  const int handle = semihost_open(name, "rb");
  if (handle < 0) return -1;
  const long length = semihost_file_length(handle);
  if (length < 0 || static_cast<size_t>(length) > capacity) {
    semihost_close(handle);
    return -2;
  }
  const size_t got = semihost_read(handle, buffer, static_cast<size_t>(length));
  semihost_close(handle);
  return got == static_cast<size_t>(length) ? length : -1;
}

struct Job {
  char mode[16] = "run";
  long arena = 0;
  long inputs = 0;
  long profile = 0;
};

bool ParseJob(Job* job) {
  static char text[1024];
  const long length = ReadFile("job.txt", reinterpret_cast<uint8_t*>(text), sizeof text - 1);
  if (length < 0) return false;
  text[length] = 0;
  for (char* line = text; *line;) {
    char* end = line;
    while (*end && *end != '\n') ++end;
    const bool last = !*end;
    *end = 0;
    char* value = strchr(line, ' ');
    if (value) {
      *value++ = 0;
      long number = 0;
      for (const char* c = value; *c >= '0' && *c <= '9'; ++c) number = number * 10 + (*c - '0');
      if (!strcmp(line, "mode")) {
        strncpy(job->mode, value, sizeof job->mode - 1);
      } else if (!strcmp(line, "arena")) {
        job->arena = number;
      } else if (!strcmp(line, "inputs")) {
        job->inputs = number;
      } else if (!strcmp(line, "profile")) {
        job->profile = number;
      }
    }
    if (last) break;
    line = end + 1;
  }
  return true;
}

// ------------------------------------------------------------------ per-op profiler

// TFLM's profiler interface, reading the instruction clock at each op's start and end.
class OpProfiler : public tflite::MicroProfilerInterface {
 public:
  static constexpr int kMaxEvents = 1024;
  uint32_t BeginEvent(const char* tag) override {
    if (count_ >= kMaxEvents) return kMaxEvents;
    tags_[count_] = tag;
    begin_[count_] = instruction_clock::Now();
    return count_++;
  }
  void EndEvent(uint32_t handle) override {
    const uint32_t now = instruction_clock::Now();
    if (handle < kMaxEvents) end_[handle] = now;
  }
  void Clear() { count_ = 0; }
  int count() const { return count_; }
  const char* tag(int i) const { return tags_[i]; }
  uint32_t ticks(int i) const { return end_[i] - begin_[i]; }

 private:
  int count_ = 0;
  const char* tags_[kMaxEvents];
  uint32_t begin_[kMaxEvents];
  uint32_t end_[kMaxEvents];
};

// ------------------------------------------------------------------ jobs

// A loop of exactly 1 + 2 * n instructions (mov; n times subs + bne), to check the clock.
__attribute__((noinline)) void KnownLoop(uint32_t n) {
  __asm__ volatile(
      "mov r0, %0\n"
      "1: subs r0, r0, #1\n"
      "bne 1b\n"
      :
      : "r"(n)
      : "r0", "cc");
}

[[noreturn]] void Calibrate() {
  const uint32_t counts[] = {1, 10, 1000, 100000};
  for (uint32_t n : counts) {
    const uint32_t t0 = instruction_clock::Now();
    KnownLoop(n);
    const uint32_t t1 = instruction_clock::Now();
    result.Text("loop ").Number(n).Char(' ').Number(t1 - t0).Line();
  }
  Finish(true);
}

#define SIZE_OF(type) \
  result.Text("sizeof " #type " ").Number(sizeof(type)).Char(' ').Number(alignof(type)).Line()

[[noreturn]] void Sizes() {
  SIZE_OF(void*);
  SIZE_OF(size_t);
  SIZE_OF(TfLiteTensor);
  SIZE_OF(TfLiteEvalTensor);
  SIZE_OF(TfLiteNode);
  SIZE_OF(TfLiteRegistration);
  SIZE_OF(tflite::NodeAndRegistration);
  SIZE_OF(TfLiteAffineQuantization);
  SIZE_OF(tflite::SubgraphAllocations);
  SIZE_OF(tflite::ScratchBufferHandle);
  SIZE_OF(tflite::internal::ScratchBufferRequest);
  SIZE_OF(tflite::AllocationInfo);
  SIZE_OF(tflite::SingleArenaBufferAllocator);
  SIZE_OF(tflite::GreedyMemoryPlanner);
  SIZE_OF(tflite::MicroAllocator);
  SIZE_OF(TfLiteConvParams);
  SIZE_OF(TfLiteDepthwiseConvParams);
  SIZE_OF(TfLiteFullyConnectedParams);
  SIZE_OF(TfLitePoolParams);
  SIZE_OF(TfLiteReshapeParams);
  SIZE_OF(TfLiteSoftmaxParams);
  SIZE_OF(TfLiteAddParams);
  SIZE_OF(TfLiteMulParams);
  SIZE_OF(TfLiteConcatenationParams);
  SIZE_OF(TfLiteReducerParams);
  SIZE_OF(TfLiteStridedSliceParams);
  SIZE_OF(TfLitePackParams);
  SIZE_OF(TfLiteShapeParams);
  SIZE_OF(TfLiteFusedActivation);
  Finish(true);
}

// The library's arena allocator, reporting every allocation it makes (trace job): the
// order and sizes the estimator must replay. Offsets are from the arena's end (tail) or
// start (head).
class TracingAllocator : public tflite::SingleArenaBufferAllocator {
 public:
  TracingAllocator(uint8_t* arena, size_t size)
      : SingleArenaBufferAllocator(arena, size), end_(arena + size) {}
  uint8_t* AllocatePersistentBuffer(size_t size, size_t alignment) override {
    uint8_t* p = SingleArenaBufferAllocator::AllocatePersistentBuffer(size, alignment);
    FlushLog();
    result.Text("trace persistent ").Number(size).Char(' ').Number(alignment).Char(' ')
        .Number(p ? end_ - p : -1).Line();
    return p;
  }
  uint8_t* AllocateTemp(size_t size, size_t alignment) override {
    uint8_t* p = SingleArenaBufferAllocator::AllocateTemp(size, alignment);
    result.Text("trace temp ").Number(size).Char(' ').Number(alignment).Line();
    return p;
  }
  TfLiteStatus ResizeBuffer(uint8_t* buffer, size_t size, size_t alignment) override {
    TfLiteStatus s = SingleArenaBufferAllocator::ResizeBuffer(buffer, size, alignment);
    result.Text("trace resize ").Number(size).Char(' ').Number(alignment).Line();
    return s;
  }

 private:
  uint8_t* end_;
};

alignas(8) uint8_t interpreter_storage[sizeof(tflite::MicroInterpreter)];
alignas(8) uint8_t profiled_storage[sizeof(tflite::MicroInterpreter)];
alignas(8) uint8_t tracer_storage[sizeof(TracingAllocator)];
alignas(8) uint8_t planner_storage[sizeof(tflite::GreedyMemoryPlanner)];
OpProfiler profiler;

uint8_t* Arena() {  // 16-byte aligned, as alignas(16) in the sketches
  return reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(__arena_start) + 15) & ~15u);
}

size_t InputBytes(tflite::MicroInterpreter* interpreter) {
  size_t total = 0;
  for (size_t i = 0; i < interpreter->inputs_size(); ++i) total += interpreter->input(i)->bytes;
  return total;
}

static uint8_t input_buffer[1 << 20];

// "<prefix><k><suffix>", e.g. input_3.bin.
void NumberedName(const char* prefix, long k, const char* suffix, char* name) {
  char digits[12];
  int n = 0;
  long v = k;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  size_t at = strlen(prefix);
  memcpy(name, prefix, at);
  while (n) name[at++] = digits[--n];
  memcpy(name + at, suffix, strlen(suffix) + 1);
}

// Reads input_<k>.bin into the input tensors: before every Invoke, since TFLM's planner
// lends an input's buffer to later tensors once it has been read.
bool LoadInput(tflite::MicroInterpreter* interpreter, long k) {
  char name[32];
  NumberedName("input_", k, ".bin", name);
  const long length = ReadFile(name, input_buffer, sizeof input_buffer);
  if (length < 0 || static_cast<size_t>(length) != InputBytes(interpreter)) {
    result.Text("input_error ").Number(k).Char(' ').Number(length).Line();
    return false;
  }
  size_t offset = 0;
  for (size_t i = 0; i < interpreter->inputs_size(); ++i) {
    TfLiteTensor* t = interpreter->input(i);
    memcpy(t->data.raw, input_buffer + offset, t->bytes);
    offset += t->bytes;
  }
  return true;
}

[[noreturn]] void Run(const Job& job, const tflite::Model* model) {
  static tflite::AllOpsResolver resolver;
  const size_t arena_capacity = static_cast<size_t>(__arena_end - Arena());
  if (job.arena <= 0 || static_cast<size_t>(job.arena) > arena_capacity) {
    result.Text("error arena size must be 1 to ").Number(arena_capacity).Line();
    Finish(false);
  }
  const size_t arena_size = static_cast<size_t>(job.arena);
  tflite::MicroInterpreter* interpreter;
  if (!strcmp(job.mode, "trace")) {
    auto* tracer = new (tracer_storage) TracingAllocator(Arena(), arena_size);
    auto* planner = new (planner_storage) tflite::GreedyMemoryPlanner();
    tflite::MicroAllocator* allocator = tflite::MicroAllocator::Create(tracer, planner);
    interpreter = new (interpreter_storage) tflite::MicroInterpreter(model, resolver, allocator);
  } else {
    interpreter = new (interpreter_storage)
        tflite::MicroInterpreter(model, resolver, Arena(), arena_size);
  }
  const TfLiteStatus status = interpreter->AllocateTensors();
  FlushLog();
  result.Text(status == kTfLiteOk ? "allocate ok" : "allocate error").Line();
  if (status != kTfLiteOk) Finish(true);
  result.Text("arena_used ").Number(interpreter->arena_used_bytes()).Line();
  for (size_t i = 0; i < interpreter->inputs_size(); ++i) {
    result.Text("input ").Number(i).Char(' ').Number(interpreter->input(i)->bytes).Line();
  }
  for (size_t i = 0; i < interpreter->outputs_size(); ++i) {
    result.Text("output ").Number(i).Char(' ').Number(interpreter->output(i)->bytes).Line();
  }
  {
    const uint32_t t0 = instruction_clock::Now();
    const uint32_t t1 = instruction_clock::Now();
    result.Text("empty_ticks ").Number(t1 - t0).Line();
  }
  for (long k = 0; k < job.inputs; ++k) {
    if (!LoadInput(interpreter, k)) Finish(false);
    const uint32_t t0 = instruction_clock::Now();
    const TfLiteStatus invoked = interpreter->Invoke();
    const uint32_t t1 = instruction_clock::Now();
    FlushLog();
    result.Text("invoke ").Number(k).Text(invoked == kTfLiteOk ? " ok " : " error ")
        .Number(t1 - t0).Line();
    if (invoked != kTfLiteOk) Finish(true);
    for (size_t i = 0; i < interpreter->outputs_size(); ++i) {
      const TfLiteTensor* t = interpreter->output(i);
      result.Text("out ").Number(k).Char(' ').Number(i).Char(' ')
          .Hex(reinterpret_cast<const uint8_t*>(t->data.raw), t->bytes).Line();
    }
  }
  if (job.profile && job.inputs > 0) {
    // A second interpreter, with the profiler, on the same arena: the first one's counts
    // stay those of a sketch's interpreter, which has no profiler.
    interpreter->~MicroInterpreter();
    auto* profiled = new (profiled_storage)
        tflite::MicroInterpreter(model, resolver, Arena(), arena_size, nullptr, &profiler);
    if (profiled->AllocateTensors() != kTfLiteOk) {
      FlushLog();
      result.Text("error the profiled interpreter did not allocate").Line();
      Finish(false);
    }
    const uint32_t handle = profiler.BeginEvent("empty");
    profiler.EndEvent(handle);
    result.Text("empty_event_ticks ").Number(profiler.ticks(0)).Line();
    for (long k = 0; k < job.inputs; ++k) {
      if (!LoadInput(profiled, k)) Finish(false);
      profiler.Clear();
      if (profiled->Invoke() != kTfLiteOk) {
        FlushLog();
        result.Text("error the profiled Invoke failed").Line();
        Finish(false);
      }
      for (int i = 0; i < profiler.count(); ++i) {
        result.Text("op ").Number(k).Char(' ').Number(i).Char(' ').Text(profiler.tag(i))
            .Char(' ').Number(profiler.ticks(i)).Line();
      }
    }
  }
  Finish(true);
}


// ------------------------------------------------------------------ patch schedules

constexpr int kMaxStageModels = 64;
constexpr int kMaxPatches = 4096;
static int8_t stage_output[1 << 20];
alignas(8) uint8_t stage_storage[sizeof(tflite::MicroInterpreter)];

// Reads a model file into the model buffer at *cursor (16-byte aligned) and moves past it.
const tflite::Model* LoadModelAt(const char* name, uint8_t** cursor) {
  uint8_t* at = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(*cursor) + 15) & ~15u);
  if (at >= __model_end) return nullptr;
  const long length = ReadFile(name, at, static_cast<size_t>(__model_end - at));
  if (length < 0) return nullptr;
  *cursor = at + length;
  const tflite::Model* model = tflite::GetModel(at);
  return model->version() == TFLITE_SCHEMA_VERSION ? model : nullptr;
}

// patch_runner's Runner: one interpreter at a time in the job's arena, as the sketch does;
// reports each model's arena_used_bytes once and adds up the ticks of every Invoke().
class ArenaRunner {
 public:
  ArenaRunner(const tflite::Model* const* models, tflite::AllOpsResolver* resolver,
              uint8_t* arena, size_t size)
      : models_(models), resolver_(resolver), arena_(arena), size_(size) {}
  bool Begin(int m) {
    interpreter_ = new (stage_storage)
        tflite::MicroInterpreter(models_[m], *resolver_, arena_, size_);
    const TfLiteStatus status = interpreter_->AllocateTensors();
    FlushLog();
    if (status != kTfLiteOk) {
      result.Text("allocate error model ").Number(m).Line();
      End();
      return false;
    }
    if (m < kMaxStageModels + 1 && !reported_[m]) {
      result.Text("model_arena_used ").Number(m).Char(' ')
          .Number(interpreter_->arena_used_bytes()).Line();
      reported_[m] = true;
    }
    return true;
  }
  int8_t* Input() { return interpreter_->input(0)->data.int8; }
  size_t InputBytes() { return interpreter_->input(0)->bytes; }
  const int8_t* Output() { return interpreter_->output(0)->data.int8; }
  size_t OutputBytes() { return interpreter_->output(0)->bytes; }
  bool Invoke() {
    const uint32_t t0 = instruction_clock::Now();
    const TfLiteStatus status = interpreter_->Invoke();
    invoke_ticks_ += instruction_clock::Now() - t0;
    FlushLog();
    return status == kTfLiteOk;
  }
  void End() {
    if (interpreter_) interpreter_->~MicroInterpreter();
    interpreter_ = nullptr;
  }
  tflite::MicroInterpreter* interpreter() { return interpreter_; }
  uint32_t TakeInvokeTicks() {
    const uint32_t t = invoke_ticks_;
    invoke_ticks_ = 0;
    return t;
  }

 private:
  const tflite::Model* const* models_;
  tflite::AllOpsResolver* resolver_;
  uint8_t* arena_;
  size_t size_;
  tflite::MicroInterpreter* interpreter_ = nullptr;
  uint32_t invoke_ticks_ = 0;
  bool reported_[kMaxStageModels + 1] = {};
};

[[noreturn]] void RunPatches(const Job& job) {
  static tflite::AllOpsResolver resolver;
  static int32_t schedule[9 + 9 * kMaxPatches];
  static patch_runner::Patch patches[kMaxPatches];
  static const tflite::Model* models[kMaxStageModels + 1];
  const long length = ReadFile("schedule.bin", reinterpret_cast<uint8_t*>(schedule),
                               sizeof schedule);
  const int model_count = length >= 36 ? schedule[7] : -1;
  const int patch_count = length >= 36 ? schedule[8] : -1;
  if (model_count < 1 || model_count > kMaxStageModels || patch_count < 1 ||
      patch_count > kMaxPatches || length != 36 + 36L * patch_count) {
    result.Text("error schedule.bin is missing or malformed").Line();
    Finish(false);
  }
  const patch_runner::Map input{schedule[0], schedule[1], schedule[2]};
  const int8_t zero_point = static_cast<int8_t>(schedule[3]);
  const patch_runner::Map output{schedule[4], schedule[5], schedule[6]};
  if (output.bytes() > sizeof stage_output || input.bytes() > sizeof input_buffer) {
    result.Text("error the maps are larger than the runner's buffers").Line();
    Finish(false);
  }
  for (int i = 0; i < patch_count; ++i) {
    const int32_t* v = schedule + 9 + 9 * i;
    patches[i] = patch_runner::Patch{
        static_cast<int16_t>(v[0]), static_cast<int16_t>(v[1]), static_cast<int16_t>(v[2]),
        static_cast<int16_t>(v[3]), static_cast<int16_t>(v[4]), static_cast<int16_t>(v[5]),
        static_cast<int16_t>(v[6]), static_cast<int16_t>(v[7]), static_cast<int16_t>(v[8])};
  }
  uint8_t* cursor = __model_start;
  for (int m = 0; m <= model_count; ++m) {
    char name[32];
    if (m < model_count) {
      NumberedName("stage_", m, ".tflite", name);
    } else {
      memcpy(name, "model.tflite", 13);
    }
    models[m] = LoadModelAt(name, &cursor);
    if (!models[m]) {
      result.Text("error cannot read ").Text(name).Line();
      Finish(false);
    }
  }
  const size_t arena_capacity = static_cast<size_t>(__arena_end - Arena());
  if (job.arena <= 0 || static_cast<size_t>(job.arena) > arena_capacity) {
    result.Text("error arena size must be 1 to ").Number(arena_capacity).Line();
    Finish(false);
  }
  ArenaRunner runner(models, &resolver, Arena(), static_cast<size_t>(job.arena));
  {
    const uint32_t t0 = instruction_clock::Now();
    const uint32_t t1 = instruction_clock::Now();
    result.Text("empty_ticks ").Number(t1 - t0).Line();
  }
  for (long k = 0; k < job.inputs; ++k) {
    char name[32];
    NumberedName("input_", k, ".bin", name);
    if (ReadFile(name, input_buffer, sizeof input_buffer) != static_cast<long>(input.bytes())) {
      result.Text("input_error ").Number(k).Line();
      Finish(false);
    }
    const uint32_t start = instruction_clock::Now();
    const patch_runner::MapPixels pixels{reinterpret_cast<const int8_t*>(input_buffer), input};
    const bool ok = patch_runner::RunNetwork(patches, patch_count, model_count, input,
                                             zero_point, output, runner, pixels, stage_output);
    const uint32_t total = instruction_clock::Now() - start;
    result.Text("patch_invoke ").Number(k).Text(ok ? " ok " : " error ")
        .Number(runner.TakeInvokeTicks()).Char(' ').Number(total).Line();
    if (!ok) Finish(true);
    tflite::MicroInterpreter* rest = runner.interpreter();
    for (size_t i = 0; i < rest->outputs_size(); ++i) {
      const TfLiteTensor* t = rest->output(i);
      result.Text("out ").Number(k).Char(' ').Number(i).Char(' ')
          .Hex(reinterpret_cast<const uint8_t*>(t->data.raw), t->bytes).Line();
    }
    runner.End();
  }
  Finish(true);
}

}  // namespace

// TFLM's log hook (the library's own lives in its Arduino-only system_setup.cpp): collect
// whole lines and pass them to the host, so an AllocateTensors failure says why.
extern "C" void DebugLog(const char* s) {
  for (; *s; ++s) {
    if (*s == '\n' || *s == '\r') {
      FlushLog();
    } else if (log_used < sizeof log_line - 1) {
      log_line[log_used++] = *s;
    }
  }
}

// TFLITE_ABORT is abort() in this build: report it instead of hanging.
extern "C" void abort(void) {
  FlushLog();
  result.Text("abort").Line();
  Finish(false);
}

extern "C" void board_report_fault(const char* name, uint32_t pc) {
  FlushLog();
  static const char kDigits[] = "0123456789abcdef";
  char hex[11] = "0x";
  for (int i = 0; i < 8; ++i) hex[2 + i] = kDigits[(pc >> (28 - 4 * i)) & 15];
  hex[10] = 0;
  result.Text("fault ").Text(name).Char(' ').Text(hex).Line();
  Finish(false);
}

int main() {
  result.Open();
  instruction_clock::Start();
  Job job;
  if (!ParseJob(&job)) {
    result.Text("error no job.txt").Line();
    Finish(false);
  }
  if (!strcmp(job.mode, "calibrate")) Calibrate();
  if (!strcmp(job.mode, "sizes")) Sizes();
  if (!strcmp(job.mode, "patch")) RunPatches(job);
  const long length = ReadFile("model.tflite", __model_start,
                               static_cast<size_t>(__model_end - __model_start));
  if (length < 0) {
    result.Text(length == -2 ? "error the model is larger than the runner's 6 MB buffer"
                             : "error no model.tflite").Line();
    Finish(false);
  }
  const tflite::Model* model = tflite::GetModel(__model_start);
  if (model->version() != TFLITE_SCHEMA_VERSION) {
    result.Text("error schema version ").Number(model->version()).Text(", the library reads ")
        .Number(TFLITE_SCHEMA_VERSION).Line();
    Finish(false);
  }
  Run(job, model);
}
