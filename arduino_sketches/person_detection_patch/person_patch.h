// person_patch.h: one camera frame -> the person detector's scores, patch by patch.
//
// Portable C++ (no Arduino headers): the course's tests compile it with the host g++ and
// check that it gives the scores the layer-by-layer person_detection sketch gives on the
// same frames. The patches read the camera frame directly: each pixel of a patch's input
// region is computed by camera_preprocess (crop, resize, luma, the model's input
// quantization) when the patch needs it, so the 96 x 96 input picture is never held whole,
// and overlapping regions compute the same pixel to the same value. patch_runner.h drives
// the schedule of patch_plan.h; the caller's Runner runs the models (TFLM on the board).
#ifndef PERSON_DETECTION_PATCH_PERSON_PATCH_H_
#define PERSON_DETECTION_PATCH_PERSON_PATCH_H_

#include <stdint.h>

#include "camera_preprocess.h"
#include "model_settings.h"
#include "patch_plan.h"
#include "patch_runner.h"

namespace person_patch {

static_assert(kInputMap.height == camera_preprocess::kImageSize &&
                  kInputMap.width == camera_preprocess::kImageSize && kInputMap.channels == 1,
              "the model must take a 96 x 96 x 1 gray picture");
static_assert(kPatchInputZeroPoint == kInputZeroPoint,
              "the patches pad with the model input's zero point");

// patch_runner's Pixel: the model's int8 input at (row, col), from the camera frame.
class CameraPixels {
 public:
  CameraPixels(const uint8_t* frame, const camera_preprocess::InputQuantizer& quantize)
      : frame_(frame), quantize_(quantize) {}
  void operator()(int row, int col, int8_t* out) const {
    out[0] = quantize_(camera_preprocess::GrayPixel(frame_, col, row));
  }

 private:
  const uint8_t* frame_;
  const camera_preprocess::InputQuantizer& quantize_;
};

// Runs the whole network on one frame and writes the kLabelCount scores (dequantized
// with the model's output parameters). stage_output: kStageOutputBytes of scratch.
template <typename Runner>
bool FrameScores(const uint8_t* frame, const camera_preprocess::InputQuantizer& quantize,
                 Runner& runner, int8_t* stage_output, float* scores) {
  const CameraPixels pixels(frame, quantize);
  if (!patch_runner::RunNetwork(kPatches, kPatchCount, kStageModelCount, kInputMap,
                                static_cast<int8_t>(kPatchInputZeroPoint), kStageOutputMap,
                                runner, pixels, stage_output)) {
    return false;
  }
  const int8_t* output = runner.Output();
  for (int i = 0; i < kLabelCount; ++i) {
    scores[i] = (static_cast<int>(output[i]) - kOutputZeroPoint) * kOutputScale;
  }
  runner.End();
  return true;
}

}  // namespace person_patch

#endif  // PERSON_DETECTION_PATCH_PERSON_PATCH_H_
