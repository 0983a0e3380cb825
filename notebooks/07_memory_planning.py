# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Memory planning and patch-based inference
#
# A microcontroller's RAM must hold, at the worst moment of an inference, every activation that is
# alive then: the **peak**. In a CNN that moment comes early, in the first blocks, where the
# feature maps are largest; the rest of the network needs a fraction of it. This chapter measures
# that imbalance on the chapter 03 person detector, looks at how TFLite Micro places activations
# in its tensor arena (its greedy planner, and an offline plan you write yourself), and then
# removes most of the peak with **patch-based inference** (MCUNetV2, Lin et al., 2021): the first
# layers run one patch of their output at a time, so only a patch's activations are alive. The
# price is recomputing the overlapping borders of the patches, the **halo**.
#
# Everything runs for real: the patches are `.tflite` models made from the detector's own int8
# weights, run one after the other in the TFLM runtime, and their answer is compared with the
# layer-by-layer answer. A new sketch, `person_detection_patch`, runs the detector that way on
# the board with a smaller tensor arena.
#
# You will: find where a CNN's memory peaks and why; read TFLM's memory plan and write an offline
# one; compute a patch's halo yourself; choose a grid and a stage depth against targets; and see
# that the patch schedule gives the layer-by-layer answer bit for bit. Allow about 45 minutes.
# No board is needed (the last section says what to expect when you flash one).

# %% [markdown]
# ## Learning objectives
#
# - measure where a CNN's activation memory peaks, and why that is in its first blocks;
# - read TFLite Micro's greedy arena plan, and write an offline plan of your own that is valid;
# - run the first layers patch by patch (MCUNetV2) and compare the answer with the layer-by-layer
#   one in TFLM;
# - weigh the peak saved against the halo's recomputed MACs, and choose a patch plan for targets.
#
# **Time to allow:** 45 minutes, as the introduction says; no board needed.

# %% tags=["parameters"]
# Parameters (papermill overrides these; `python -m tinyml_lab course` sets them)
quick = None          # None: follow TINYML_LAB_QUICK; True: minutes-long quick mode
artifacts_dir = None  # None: $TINYML_LAB_ARTIFACTS/07_memory_planning, else ../build/07_memory_planning
sketches_dir = None  # None: export into a copy under artifacts; set to ../arduino_sketches to update the committed sketch
seed = 0

# %%
import os
from pathlib import Path

import tinyml_lab

quick = tinyml_lab.is_quick() if quick is None else bool(quick)
artifacts = Path(artifacts_dir or Path(os.environ.get(tinyml_lab.ARTIFACTS_ENV, "../build")) / "07_memory_planning")
artifacts.mkdir(parents=True, exist_ok=True)
print(f"mode: {'quick' if quick else 'full'}; artifacts go to {artifacts}")

# %%
import matplotlib.pyplot as plt
import numpy as np

from tinyml_lab import checks
from tinyml_lab.core import report
from tinyml_lab.core.arena import estimate_arena, live_set_lower_bound, model_live_bytes
from tinyml_lab.core.deployed import default_sketch, load_deployed
from tinyml_lab.core.tflm import MicroInterpreter, measure_arena, quantize
from tinyml_lab.optimisation import memory_plan, patch
from tinyml_lab.optimisation.patch import plots as patch_plots

# %% [markdown]
# ## 1 · Where a CNN's memory goes
#
# The model is the one the `person_detection` sketch deploys, read back from the sketch's own C
# array: a MobileNetV1 (width 0.25, 96 x 96 grayscale), a stride-2 convolution followed by blocks
# of a depthwise 3x3 convolution and a pointwise 1x1 convolution. While an op runs, its input and
# its output are alive (and anything a later op still needs); their sum is the memory that op
# needs. We add it up for every op.

# %%
detector = load_deployed(default_sketch("person_detection"))
model = detector.model
live = model_live_bytes(model)
macs = [m for _, m in report.op_macs(model)]
CONVS = ("CONV_2D", "DEPTHWISE_CONV_2D")
blocks = []  # conv0 alone, then each depthwise + pointwise pair, then the head
for op in model.operators:
    if not blocks or op.name == "DEPTHWISE_CONV_2D" or (
            op.name not in CONVS and model.operators[op.index - 1].name in CONVS):
        blocks.append([])
    blocks[-1].append(op.index)
rows = []
for k, ops in enumerate(blocks):
    out = model.tensors[model.operators[ops[-1]].outputs[0]]
    rows.append([k, f"{ops[0]}-{ops[-1]}", " + ".join(model.operators[i].name.split("_")[0] for i in ops),
                 "x".join(map(str, out.shape[1:])), max(live[i] for i in ops), sum(macs[i] for i in ops)])
print(f"{model.size_bytes:,}-byte int8 model, {len(model.operators)} ops")
print(report.format_table(["block", "ops", "kind", "output", "peak bytes", "MACs"], rows))
report.plot_live_bytes(estimate_arena(model, "python"), "Live activation memory of the person detector, op by op")
plt.show()

# %% [markdown]
# The first blocks need about ten times the memory of the last ones. The arena must be sized for
# the worst op, so most of it sits idle for most of the inference. Stride-2 layers shrink the
# maps (a quarter of the pixels each time) faster than the widening channels (twice as many)
# grow them, which is why every MobileNet-like network has this shape.

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

peak_op = int(np.argmax(live))
print("the peak is in the first third of the network:", peak_op < len(model.operators) / 3)
print("the first half needs over four times the memory of the second half:",
      max(live[: len(live) // 2]) > 4 * max(live[len(live) // 2:]))

# %% [markdown]
# ## 2 · How TFLM places activations: the greedy plan, and an offline one
#
# TFLM's `AllocateTensors()` decides where every activation lives in the head of the arena. Its
# **greedy planner** takes the tensors largest first and puts each at the lowest offset that no
# tensor alive at the same time occupies. `tinyml_lab.core.arena` replays it exactly; below, each
# box is a tensor, from the op that writes it to the last op that reads it, at its offset. No plan
# can need less than the most bytes alive at once, the **live-set bound**.

# %%
greedy = estimate_arena(model, "cortex-m-cmsis-nn")
bound = live_set_lower_bound(greedy)
no_reuse = memory_plan.no_reuse_plan(model)
acts = memory_plan.activations(model)
print(f"greedy plan: head {greedy.head_bytes:,} B; live-set bound {bound:,} B; "
      f"without reuse: {memory_plan.plan_head_bytes(acts, no_reuse):,} B")
report.plot_memory_plan(greedy, "TFLM's greedy plan of the detector (Nano 33 BLE build)")
plt.show()

# %% [markdown]
# A model can also carry its plan with it: the `OfflineMemoryAllocation` metadata lists an
# offset for every tensor, and TFLM then uses those offsets as they are instead of planning. It
# does exactly what it is told, for better or for worse: the plan with no reuse at all costs the
# sum of every activation. (`tinyml_lab.core.arena` replays offline plans too; the host runtime
# confirms it.)

# %%
unplanned = memory_plan.with_offline_plan(model, no_reuse)
measured = measure_arena(unplanned, find_minimum=False)
print(f"offline plan without reuse: estimated head {estimate_arena(unplanned, 'python').head_bytes:,} B, "
      f"measured in TFLM {measured.head_bytes:,} B")

# %% [markdown]
# **Exercise 1 · an offline plan that reaches the bound.** This network is a chain: each op
# reads one tensor and writes one, so at most two activations are alive at any time. Write
# `my_offline_plan(model)`, returning `{tensor index: offset in bytes}` for every activation
# (`memory_plan.activations(model)` lists them with their 16-byte-rounded sizes and the steps
# they live), with offsets that are multiples of 16, no two tensors alive together sharing a
# byte, and a head no larger than the live-set bound. The check tells you which rule a plan
# breaks. (Hint: an op's output never overlaps its input if they are at opposite ends.)

# %% nbgrader={"grade": false, "grade_id": "ch07_task1", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_offline_plan(model):
    ### BEGIN SOLUTION
    acts = sorted(memory_plan.activations(model), key=lambda a: a.first)
    head = max(a.size + b.size for a in acts for b in acts if a is not b and a.overlaps_in_time(b))
    return {a.tensor: 0 if k % 2 == 0 else head - a.size for k, a in enumerate(acts)}
    ### END SOLUTION


check_plan = checks.check_offline_plan(model, my_offline_plan(model))

# %%
mine = memory_plan.with_offline_plan(model, my_offline_plan(model))
sample = np.random.default_rng(seed).integers(-128, 128, model.input_tensors[0].shape).astype(np.int8)
same = np.array_equal(MicroInterpreter.sized(mine).invoke_raw(sample), detector.interpreter().invoke_raw(sample))
print(f"your plan: head {estimate_arena(mine, 'cortex-m-cmsis-nn').head_bytes:,} B on the board build, "
      f"{measure_arena(mine, find_minimum=False).head_bytes:,} B measured on the host; same outputs: {same}")

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("offline plan check passed:", bool(check_plan))
print("TFLM follows an offline plan and computes the same outputs:", same)

# %% [markdown]
# On this chain the greedy planner already reaches the bound: an offline plan fixes the layout
# in advance, but it cannot make the peak any smaller. (Section 3 meets models where greedy does
# worse.) To lower the peak itself, fewer bytes must be alive at once: that is what patches do.
#
# ## 3 · Patch-based inference
#
# Split the output of the network's first K ops (the **stage**) into an n x n grid of tiles, and
# compute them one at a time. A tile depends only on a region of the input: each 3x3 convolution
# widens the region by a pixel on each side, each stride-2 layer doubles it. Where regions of
# neighbouring tiles overlap, both compute the same pixels: that **halo** is the extra work.
# While one patch runs, only its own small feature maps (plus the assembled stage output) are
# alive: a peak of about 2whC instead of 2WHC. Then the rest of the network runs as before, on
# the assembled map.
#
# Exactness needs one more thing: at the map's edges, TFLite's SAME padding pads with the
# input's zero point (real 0), and it splits the padding unevenly: a stride-2 3x3 convolution of
# an even-sized input pads **0 rows before and 1 after**. The planner pads edge patches exactly
# there (a PAD op with the zero point) and nowhere else.
#
# **Exercise 2 · the halo of a tile.** Write `my_input_span(out_lo, out_hi, in_size, kernel,
# stride)`: the input rows `(lo, hi)` (hi one past the last) that output rows `out_lo` to
# `out_hi - 1` of a SAME convolution read. Rows below 0 or from `in_size` on are padding; return
# them as they are. The output has `ceil(in_size / stride)` rows.

# %% nbgrader={"grade": false, "grade_id": "ch07_task2", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_input_span(out_lo, out_hi, in_size, kernel, stride):
    ### BEGIN SOLUTION
    out_size = -(-in_size // stride)
    total = max((out_size - 1) * stride + kernel - in_size, 0)
    before = total // 2  # TFLite puts the smaller half before
    return out_lo * stride - before, (out_hi - 1) * stride - before + kernel
    ### END SOLUTION


check_span = checks.check_input_span(my_input_span)

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("halo check passed:", bool(check_span))

# %% [markdown]
# Now the planner. `patch.analyse` tries every grid from 2x2 to 6x6 and every stage depth that
# can be split, and keeps the plan with the **lowest peak within 30 % extra MACs**; it writes the
# per-patch stage models (patches that compute alike share one; edge patches pad and are cut
# differently, and as TFLite pads more after than before, all nine of a 3x3 grid differ) and the
# rest-of-network model as `.tflite` files made of the detector's own int8 weights, and checks
# the schedule in TFLM. The same is `python -m tinyml_lab patch MODEL.tflite
# --verify` on the command line.

# %%
result = patch.analyse(model, verify_inputs=10, seed=seed)
plan, costs, arenas = result.plan, result.costs, result.arenas
print(patch.format_report(result))
plan.save(artifacts / "patch_plan")

# %%
from tinyml_lab.chapters.person_detection.scenes import make_scenes

scenes, scene_labels = make_scenes(4 if quick else 32, seed=seed + 7, workers=1)
scene_inputs = quantize(scenes, model.input_tensors[0])  # as the camera path hands them over
patch_plots.plot_halos(plan, scenes[1])
plt.show()

# %% [markdown]
# On the left, every patch's input region: they overlap, and the edge ones reach past the
# picture (padding). On the right, one interior patch: its region in every tensor of the stage,
# as a fraction of that tensor's map, shrinking from the input to its tile of the stage output.
#
# Memory, op by op, for both schedules:

# %%
patch_plots.plot_live_memory(costs, [op.name for op in model.operators])
plt.show()
recomputed = [(i, model.operators[i].name, costs.op_macs_layer[i], costs.op_macs_patch[i])
              for i in range(plan.stage_ops)]
print(report.format_table(["op", "name", "MACs layer by layer", "MACs in the patches", "extra"],
                          [[i, n, a, b, f"{b / a - 1:+.0%}" if a else "-"] for i, n, a, b in recomputed]))

# %% [markdown]
# The halo costs most in the first ops: the regions are widest there. Is the answer the same?
# Random int8 inputs (every value, edges included) and real scenes, through both schedules in TFLM:

# %%
scenes_check = patch.verify(plan, samples=scene_inputs)
print(f"random inputs: {result.verification}")
print(f"{len(scene_inputs)} scenes: {scenes_check}")

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("patch schedule identical to layer by layer (random inputs and scenes):",
      result.verification.exact and scenes_check.exact)
print("activation peak at most half of layer by layer's:", costs.patch_peak_bytes * 2 <= costs.layer_peak_bytes)
print("at most 30 % more MACs:", costs.macs_patch <= 1.3 * costs.macs_layer)
print("smaller arena on the board:", arenas.patch_arena_bytes < arenas.layer_arena_bytes)

# %% [markdown]
# **The trade-off.** Every point below is one plan: its peak against its extra MACs. A deeper
# stage moves the peak into the patches and lowers the rest's; a finer grid shrinks the patches
# but widens the halos' share; beyond a few stride-2 layers the halo grows faster than the
# memory it saves.

# %%
patch_plots.plot_sweep(list(result.sweep), costs)
plt.show()

# %% [markdown]
# **Exercise 3 · choose a plan.** Pick `my_grid` and `my_stage_ops` so that the activation peak is
# at most **40 %** of layer by layer's with at most **20 %** extra MACs. `result.sweep` holds every
# plan's costs (`.grid`, `.stage_ops`, `.peak_ratio`, `.mac_overhead`); or reason from the plots.
# The check builds your plan, runs it in TFLM and says which target it misses and why.

# %% nbgrader={"grade": false, "grade_id": "ch07_task3", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
fitting = [p for p in result.sweep if p.peak_ratio <= 0.40 and p.mac_overhead <= 0.20]
choice = min(fitting, key=lambda p: p.macs_patch)
my_grid, my_stage_ops = choice.grid, choice.stage_ops
### END SOLUTION
check_choice = checks.check_patch_plan(model, my_grid, my_stage_ops)

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("plan check passed:", bool(check_choice))

# %% [markdown]
# **Where greedy planning falls short.** Edge patches have PAD ops, so some of their tensors
# live longer; TFLM's largest-first greedy placement then leaves gaps. Your offline plan of
# exercise 1 works on these chains too and closes them, as the host runtime confirms:

# %%
rows = []
for k, stage_model in enumerate(plan.stage_models):
    planned = memory_plan.with_offline_plan(stage_model, my_offline_plan(stage_model))
    g = estimate_arena(stage_model, "cortex-m-cmsis-nn").head_bytes
    o = estimate_arena(planned, "cortex-m-cmsis-nn").head_bytes
    rows.append([k, g, o, measure_arena(planned, find_minimum=False).head_bytes, f"{o / g - 1:+.0%}"])
print(report.format_table(["stage model", "greedy head", "offline head", "measured (host)", "change"], rows))

# %% [markdown]
# (Here that does not shrink the sketch's arena: the rest of the network, with its per-channel
# quantization data, needs the largest arena of all the parts.)
#
# ## 4 · The patch sketch
#
# `arduino_sketches/person_detection_patch` runs this plan on the board: its stage models and
# the rest of the network take turns in **one** tensor arena (each interpreter is built,
# allocated, run and destroyed in turn), the tiles are assembled in a buffer of their own, and
# each patch computes its input pixels straight from the camera frame, so the 96 x 96 input
# picture is never held whole. The driver, `patch_runner.h`, is portable C++: the tests compile
# it on this computer and check it gives the `person_detection` sketch's scores on the same
# frames, and the board harness runs it on the Cortex-M4 build of the sketches' TFLM library at
# the sketch's own arena.

# %%
from tinyml_lab.core.export import sketch_copy
from tinyml_lab.optimisation.patch.sketch import export_patch_sketch, read_patch_sketch

sketch_dir = (Path(sketches_dir) / "person_detection_patch" if sketches_dir
              else sketch_copy("person_detection_patch", artifacts / "sketches"))
frame_cost = patch.schedule_cost(plan)  # measured on the board build where its tools are here
written = export_patch_sketch(plan, sketch_dir, source="notebooks/07_memory_planning.ipynb",
                              labels=detector.labels, cost=frame_cost)
for path in written:
    print(path.name, path.stat().st_size, "bytes")
deployed = read_patch_sketch(sketch_dir)
flash = sum(m.size_bytes for m in (*deployed.stage_models, deployed.rest_model))
ram = deployed.arena_bytes + costs.stage_output_bytes
print(report.format_table(["sketch", "models in flash (bytes)", "arena + buffers (bytes)",
                           "instructions per frame"], [
    ["person_detection", model.size_bytes, detector.arena_bytes, detector.invoke_instructions],
    ["person_detection_patch", flash, ram, frame_cost.instructions]]))
print("instructions of the patch schedule:", frame_cost.source)

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("the sketch holds the plan's models:",
      [m.data for m in deployed.stage_models] == [m.data for m in plan.stage_models]
      and deployed.rest_model.data == plan.rest_model.data)
print("its arena and buffer are smaller than person_detection's:", ram < detector.arena_bytes)

# %%
from tinyml_lab.core.boards import check_fit
from tinyml_lab.core.report import ChapterSummary

summary = ChapterSummary("07_memory_planning", "person_detect_patch",
                         "outputs identical to person_detect (TFLM)",
                         float(result.verification.exact and scenes_check.exact), flash, ram,
                         "nano33ble", check_fit(flash, ram).fits)
summary.save(artifacts)
print(report.summary_table([summary]))

# %% [markdown]
# **On the board.** Flash the sketch as the other camera sketches (core *Arduino Mbed OS Nano
# Boards*, libraries *Chirale_TensorFlowLite* and *Arduino_OV767X*). At start it prints
# `person_detection_patch ready; 9 patches; arena used N of M bytes`: N is the largest arena any
# of its models used, M the sketch's `kTensorArenaSize` printed above. The scores it prints are
# the `person_detection` sketch's for the same frame.
#
# What it costs in time is measured, not guessed (where the board build's tools are here, the
# table above measured it; `python benchmarks/patch_inference.py` compares plans). The
# patches take more than the extra MACs suggest: on the committed detector, 11 % more MACs but
# about 40 % more instructions in the models' Invoke() calls and 59 % more per frame in all
# (48 million against 30 million), because small tiles use the CMSIS-NN kernels less
# efficiently, the PAD ops are copies, and every model is set up again for each frame. Memory
# for time: the trade this chapter is about.
