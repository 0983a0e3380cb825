"""patch_runner.h, the C++ patch driver of the board harness and the patch sketch, computes
what tinyml_lab.optimisation.patch.run computes: compiled with the host g++ and fed a
whole input map, it cuts every patch's input region exactly as the Python twin does
(zero point past the edges), assembles the stage output, and the network's output is the
layer-by-layer model's in TFLM. The models run in the tflite_micro wheel (tests/patch_pipe.py)."""

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import compile_program
from tests.patch_pipe import PIPE_RUNNER, serve
from tinyml_lab.core.board.schedule import schedule_bytes
from tinyml_lab.core.deployed import load_deployed
from tinyml_lab.core.tflm import MicroInterpreter
from tinyml_lab.optimisation.patch import plan_patches
from tinyml_lab.optimisation.patch.run import cut_region, random_inputs

FIRMWARE = Path(__file__).resolve().parents[1] / "tinyml_lab" / "core" / "board" / "firmware"
SKETCHES = Path(__file__).resolve().parents[1] / "arduino_sketches"

PROGRAM = PIPE_RUNNER + r"""
#include <cstdlib>
#include "patch_runner.h"
// argv: schedule.bin (as the board runner reads it), the whole input map. Reports the
// network output, then the assembled stage output. Exit 3: the driver refused or failed.
int main(int, char** argv) {
  static int32_t schedule[9 + 9 * 4096];
  static int8_t input[1 << 20];
  static int8_t stage_output[1 << 20];
  FILE* f = std::fopen(argv[1], "rb");
  const size_t words = std::fread(schedule, 4, sizeof schedule / 4, f);
  std::fclose(f);
  f = std::fopen(argv[2], "rb");
  std::fread(input, 1, sizeof input, f);
  std::fclose(f);
  if (words < 9) return 2;
  const patch_runner::Map in{schedule[0], schedule[1], schedule[2]};
  const patch_runner::Map out{schedule[4], schedule[5], schedule[6]};
  static patch_runner::Patch patches[4096];
  for (int i = 0; i < schedule[8]; ++i) {
    const int32_t* v = schedule + 9 + 9 * i;
    patches[i] = {(int16_t)v[0], (int16_t)v[1], (int16_t)v[2], (int16_t)v[3], (int16_t)v[4],
                  (int16_t)v[5], (int16_t)v[6], (int16_t)v[7], (int16_t)v[8]};
  }
  pipe_runner::PipeRunner runner;
  const patch_runner::MapPixels pixels{input, in};
  if (!patch_runner::RunNetwork(patches, schedule[8], schedule[7], in,
                                static_cast<int8_t>(schedule[3]), out, runner, pixels,
                                stage_output)) {
    pipe_runner::Quit();
    return 3;
  }
  pipe_runner::Report(runner.Output(), static_cast<int32_t>(runner.OutputBytes()));
  runner.End();
  pipe_runner::Report(stage_output, static_cast<int32_t>(out.bytes()));
  pipe_runner::Quit();
}
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("patch_driver")
    return compile_program(tmp, {"main.cc": PROGRAM}, [FIRMWARE], flags=["-O1", "-Wextra"]), tmp


@pytest.fixture(scope="module")
def person_model():
    return load_deployed(SKETCHES / "person_detection").model


def run_driver(driver, plan, sample, schedule=None):
    exe, tmp = driver
    (tmp / "schedule.bin").write_bytes(schedule_bytes(schedule or plan.schedule()))
    (tmp / "input.bin").write_bytes(np.asarray(sample, np.int8).tobytes())
    interpreters = [MicroInterpreter.sized(m) for m in (*plan.stage_models, plan.rest_model)]
    return serve([str(exe), str(tmp / "schedule.bin"), str(tmp / "input.bin")], interpreters)


@pytest.mark.parametrize("grid,stage_ops", [(3, 8), (2, 4), (4, 6)])
def test_cpp_driver_cuts_the_patches_and_gives_the_layer_by_layer_output(
        driver, person_model, grid, stage_ops):
    plan = plan_patches(person_model, grid, stage_ops)
    whole = MicroInterpreter.sized(person_model)
    for sample in random_inputs(plan, 2, seed=grid):
        session = run_driver(driver, plan, sample)
        # each patch's input as the Python twin cuts it, patches grouped by stage model
        order = sorted(range(len(plan.patches)), key=lambda i: plan.patches[i].model)
        zero = int(plan.input_tensor.zero_points[0])
        image = sample.reshape(plan.input_tensor.shape)[0]
        for (model, data), i in zip(session.inputs, order):
            patch = plan.patches[i]
            assert model == patch.model
            expected = cut_region(image, patch.input_region, zero)
            assert np.array_equal(np.frombuffer(data, np.int8), expected.ravel()), patch
        # each model set up once, in order, the rest of the network last
        assert session.begun == list(range(len(plan.stage_models) + 1))
        output = np.frombuffer(session.reports[0], np.int8)
        assert np.array_equal(output, whole.invoke_raw(sample[None]).ravel())
        assert len(session.inputs) == len(plan.patches) + 1


def test_cpp_driver_pads_with_the_zero_point_and_every_channel(driver, person_model):
    """An input of all 127 (never the zero point -128): whatever reaches past the edges
    arrives as -128, the rest as 127."""
    plan = plan_patches(person_model, 2, 2)
    sample = np.full(plan.input_tensor.shape[1:], 127, np.int8)
    session = run_driver(driver, plan, sample)
    padded = 0
    for (model, data), patch in zip(session.inputs, sorted(plan.patches, key=lambda p: p.model)):
        region = patch.input_region
        cut = np.frombuffer(data, np.int8).reshape(region.height, region.width)
        rows = np.arange(region.rows.lo, region.rows.hi)
        cols = np.arange(region.cols.lo, region.cols.hi)
        inside = ((rows >= 0) & (rows < 96))[:, None] & ((cols >= 0) & (cols < 96))[None, :]
        assert (cut[inside] == 127).all() and (cut[~inside] == -128).all()
        padded += int((~inside).sum())
    assert padded > 0  # the bottom and right patches reach past the edges


def test_cpp_driver_refuses_a_schedule_that_writes_past_the_stage_output(driver, person_model):
    import subprocess

    plan = plan_patches(person_model, 2, 4)
    schedule = plan.schedule()
    schedule["patches"][-1]["output"][0] += 1  # the last tile one row lower: past the edge
    exe, tmp = driver
    (tmp / "schedule.bin").write_bytes(schedule_bytes(schedule))
    (tmp / "input.bin").write_bytes(bytes(96 * 96))
    run = subprocess.run([str(exe), str(tmp / "schedule.bin"), str(tmp / "input.bin")],
                         capture_output=True)
    assert run.returncode == 3 and run.stdout == b"Q"  # refused before any model ran


def test_sketch_and_harness_hold_the_same_driver():
    sketch = (SKETCHES / "person_detection_patch" / "patch_runner.h").read_bytes()
    assert sketch == (FIRMWARE / "patch_runner.h").read_bytes(), (
        "arduino_sketches/person_detection_patch/patch_runner.h must be an identical copy "
        "of tinyml_lab/core/board/firmware/patch_runner.h: copy it over")
    assert b"#include <Arduino" not in sketch and b"tensorflow/" not in sketch
