// patch_runner.h: run a CNN's first layers patch by patch, then the rest of the network
// (patch-based inference, as MCUNetV2 runs it).
//
// A patch plan (tinyml_lab.optimisation.patch) splits a network in two: per-patch stage
// models, each computing one tile of the stage output from one region of the network
// input, and the rest of the network, run on the assembled stage output. This header does
// the driving: for each patch, cut its input region (the input's zero point where the
// region reaches past the edges, which is what TFLite's SAME padding pads with), run its
// stage model, copy its tile into the stage output. The same steps in Python are
// tinyml_lab/optimisation/patch/run.py; the tests hold the two equal.
//
// Portable C++ (no Arduino, no TFLM headers): the models are run by a `Runner` the caller
// supplies, so the board harness's firmware, the patch sketch and the host tests share
// this file unchanged (the sketch's copy must stay identical to the harness's).
// A Runner has: bool Begin(int model) (set model `model` up: stage models 0 to count - 1,
// the rest of the network is model `count`; false: it cannot run), int8_t* Input(),
// size_t InputBytes(), const int8_t* Output(), size_t OutputBytes(), bool Invoke(), and
// void End() (tear it down: the models take turns in one arena).
// Written for tinyml_lab.
#ifndef TINYML_LAB_PATCH_RUNNER_H_
#define TINYML_LAB_PATCH_RUNNER_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace patch_runner {

// One patch: which stage model computes it, the network-input region it reads and the
// stage-output tile it writes (first row, first column, height, width). The input region
// may start before row or column 0 and end past the input's edges: that part is padding.
struct Patch {
  int16_t model;
  int16_t in_row, in_col, in_height, in_width;
  int16_t out_row, out_col, out_height, out_width;
};

// An int8 feature map in memory: height x width x channels, channels fastest (NHWC).
struct Map {
  int height, width, channels;
  size_t bytes() const { return static_cast<size_t>(height) * width * channels; }
};

// Writes a patch's input region into dst, row by row: zero_point past the edges, and
// pixel(row, col, out) for each pixel inside (it writes that pixel's `channels` values).
template <typename Pixel>
void FillInput(const Patch& patch, const Map& input, int8_t zero_point, Pixel&& pixel,
               int8_t* dst) {
  for (int r = 0; r < patch.in_height; ++r) {
    const int row = patch.in_row + r;
    for (int c = 0; c < patch.in_width; ++c) {
      const int col = patch.in_col + c;
      int8_t* out = dst + (static_cast<size_t>(r) * patch.in_width + c) * input.channels;
      if (row < 0 || row >= input.height || col < 0 || col >= input.width) {
        memset(out, zero_point, static_cast<size_t>(input.channels));
      } else {
        pixel(row, col, out);
      }
    }
  }
}

// The pixels of a whole input map held in memory (what Pixel is when there is one).
struct MapPixels {
  const int8_t* data;
  Map map;
  void operator()(int row, int col, int8_t* out) const {
    memcpy(out, data + (static_cast<size_t>(row) * map.width + col) * map.channels,
           static_cast<size_t>(map.channels));
  }
};

// Copies a patch's output tile (out_height x out_width x channels) into the stage output.
inline void StoreTile(const Patch& patch, const Map& output, const int8_t* tile,
                      int8_t* stage_output) {
  const size_t row_bytes = static_cast<size_t>(patch.out_width) * output.channels;
  for (int r = 0; r < patch.out_height; ++r) {
    const size_t at = (static_cast<size_t>(patch.out_row) + r) * output.width + patch.out_col;
    memcpy(stage_output + at * output.channels, tile + r * row_bytes, row_bytes);
  }
}

// Whether every patch's tile lies inside the stage output and its input region is not
// empty: checked once before running a schedule (a bad table must not write past a buffer).
inline bool ScheduleFits(const Patch* patches, int patch_count, int model_count,
                         const Map& output) {
  for (int i = 0; i < patch_count; ++i) {
    const Patch& p = patches[i];
    if (p.model < 0 || p.model >= model_count || p.in_height <= 0 || p.in_width <= 0 ||
        p.out_row < 0 || p.out_col < 0 || p.out_height <= 0 || p.out_width <= 0 ||
        p.out_row + p.out_height > output.height || p.out_col + p.out_width > output.width) {
      return false;
    }
  }
  return true;
}

// Runs every patch, grouped by stage model so that each is set up once, and assembles the
// stage output. False when a model cannot be set up or invoked, or its input or output
// size disagrees with the schedule.
template <typename Runner, typename Pixel>
bool RunStage(const Patch* patches, int patch_count, int model_count, const Map& input,
              int8_t zero_point, const Map& output, Runner& runner, Pixel&& pixel,
              int8_t* stage_output) {
  if (!ScheduleFits(patches, patch_count, model_count, output)) return false;
  for (int m = 0; m < model_count; ++m) {
    bool begun = false;
    for (int i = 0; i < patch_count; ++i) {
      const Patch& p = patches[i];
      if (p.model != m) continue;
      if (!begun) {
        if (!runner.Begin(m)) return false;
        begun = true;
      }
      const size_t in_bytes = static_cast<size_t>(p.in_height) * p.in_width * input.channels;
      const size_t out_bytes = static_cast<size_t>(p.out_height) * p.out_width * output.channels;
      if (runner.InputBytes() != in_bytes || runner.OutputBytes() != out_bytes) {
        runner.End();
        return false;
      }
      FillInput(p, input, zero_point, pixel, runner.Input());
      if (!runner.Invoke()) {
        runner.End();
        return false;
      }
      StoreTile(p, output, runner.Output(), stage_output);
    }
    if (begun) runner.End();
  }
  return true;
}

// The whole network: RunStage, then the rest of it (model `model_count`) on the stage
// output. When true, the network's output is at runner.Output() until runner.End().
template <typename Runner, typename Pixel>
bool RunNetwork(const Patch* patches, int patch_count, int model_count, const Map& input,
                int8_t zero_point, const Map& output, Runner& runner, Pixel&& pixel,
                int8_t* stage_output) {
  if (!RunStage(patches, patch_count, model_count, input, zero_point, output, runner, pixel,
                stage_output)) {
    return false;
  }
  if (!runner.Begin(model_count)) return false;
  if (runner.InputBytes() != output.bytes()) {
    runner.End();
    return false;
  }
  memcpy(runner.Input(), stage_output, output.bytes());
  if (!runner.Invoke()) {
    runner.End();
    return false;
  }
  return true;
}

}  // namespace patch_runner

#endif  // TINYML_LAB_PATCH_RUNNER_H_
