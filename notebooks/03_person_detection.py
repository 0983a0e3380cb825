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
# # 03 · Person detection: visual wake words on the camera
#
# Is there a person in the picture? That one bit is what a smart doorbell, an occupancy sensor or
# a "wake up the big processor" camera needs, and **Visual Wake Words** (VWW) is the vision
# benchmark of TinyML (MLPerf Tiny) that asks it. TFLM ships a 300,568-byte int8 MobileNetV1
# (width 0.25, 96x96 grayscale) for it. Here we train that architecture **from scratch**, squeeze it
# into **int8**, check it in the **TensorFlow Lite for Microcontrollers** runtime, size it against
# the **Arduino Nano 33 BLE Sense** and export it into the `person_detection` sketch, which reads the
# OV7675 camera of the TinyML kit and lights the LED green for *person*, red for *no person*.
#
# Targets: int8 model at most **300,568 bytes** (the reference model), accuracy on held-out scenes
# **90 %** or better, tensor arena + camera frame inside the board's 256 KB of RAM.

# %% [markdown]
# ## Learning objectives
#
# - build a picture dataset (generated scenes, your own photos or Visual Wake Words) and know
#   what each can and cannot teach a model;
# - train a MobileNet from scratch, and judge it with accuracy, the ROC curve and the confusion
#   matrix;
# - choose a decision threshold from the ROC for the job the device does;
# - shrink the model to int8, strip what TFLM never reads, and fit arena and camera frame in RAM;
# - follow a camera frame through the sketch's preprocessing, flash it and test it on the world.
#
# **Time to allow:** 75 minutes: 10 to run and read it in quick mode (a full run trains for about
# 20 minutes: start it first, or use the committed model), 25 for the two tasks, 40 to flash the
# board with the camera and photograph your own scenes.

# %% tags=["parameters"]
# Parameters (papermill overrides these; `python -m tinyml_lab course` sets them)
quick = None          # None: follow TINYML_LAB_QUICK; True: minutes-long quick mode
artifacts_dir = None  # None: $TINYML_LAB_ARTIFACTS/03_person_detection, else ../build/03_person_detection
sketches_dir = None  # None: export into a copy under artifacts; set to ../arduino_sketches to update the committed sketch
seed = 0
images_dir = None  # None: generated scenes; else a folder with person/ and no_person/ pictures (e.g. built by `python -m tinyml_lab vww`)

# %%
import os
from pathlib import Path

import tinyml_lab

quick = tinyml_lab.is_quick() if quick is None else bool(quick)
artifacts = Path(artifacts_dir or Path(os.environ.get(tinyml_lab.ARTIFACTS_ENV, "../build")) / "03_person_detection")
artifacts.mkdir(parents=True, exist_ok=True)
print(f"mode: {'quick' if quick else 'full'}; artifacts go to {artifacts}")

# %%
import matplotlib.pyplot as plt
import numpy as np

from tinyml_lab.chapters.person_detection import data as vision
from tinyml_lab.chapters.person_detection.model import mobilenet_v1
from tinyml_lab.chapters.person_detection.training import person_scores, train_detector
from tinyml_lab.core import convert, metrics, report, tflm
from tinyml_lab.core.tflite_file import read_model, strip_names
from tinyml_lab.core.training import seed_everything

seed_everything(seed)
labels = vision.LABELS  # ("no_person", "person"): the order of the model's two outputs

# %% [markdown]
# ## 1 · Data: pictures with and without people
#
# **Where the data comes from.** With `images_dir` set, the notebook reads your folder: pictures
# with a person in `person/`, without in `no_person/` (PNG, JPEG, BMP, ...). Online, `python -m
# tinyml_lab vww --download` builds exactly such a folder from COCO by the Visual Wake Words rule
# (a person's box covers at least 0.5 % of the picture). Offline, it **generates** scenes.
#
# The generator is written to teach *what a person looks like*, not *what the generator draws*:
#
# - a person is a head on a neck between two shoulders, a torso, arms and legs with elbows and
#   knees, in human proportions (about 7.5 heads tall), standing, walking, waving, sitting,
#   leaning, from the front, the side or behind, dressed (sleeves, trousers, skirts, hats, hair),
#   from a small far figure to a face filling the frame, sometimes in a group, sometimes behind
#   furniture or cut by the frame;
# - everything that is **not** a person is drawn with **the same** shaded shapes: poles with round
#   lamps on top, coats on hooks, chairs, sofas, tables, plants, lamps, clocks, stacked balls,
#   branches, four-legged animals, doors, windows, buildings, trees;
# - then a cheap camera: uneven light, vignetting, exposure, gamma, blur, noise, 6-bit levels.
#
# So a round thing on top of a long thing is not enough, and neither is brightness or clutter:
# only the arrangement of a body says *person*.

# %%
if images_dir:
    data = vision.folder_data(images_dir, seed=seed, progress=True)
else:
    sizes = (600, 200, 200) if quick else (40000, 2000, 2000)
    data = vision.generated_data(*sizes, seed=seed, progress=True)
print("data source:", data.source)
for name in ("train", "val", "test"):
    split = getattr(data, name)
    print(f"{name:5s}: {len(split):6d} pictures, {int(split.y.sum())} with a person")
vision.plot_samples(data.test, rows=3, cols=8, seed=seed)
plt.show()

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("picture shape:", data.train.x.shape[1:], "values in [0, 1]:",
      bool(data.train.x.min() >= 0 and data.train.x.max() <= 1))

# %% [markdown]
# ## 2 · Model: MobileNetV1, and a smaller one
#
# MobileNetV1 replaces each 3x3 convolution with a **depthwise** 3x3 (one filter per channel) and a
# **pointwise** 1x1 that mixes channels: about 8-9 times fewer multiply-accumulates for the same
# receptive field. The width multiplier *alpha* = 0.25 keeps a quarter of the channels (8 to 256).
# TFLM's person_detect model is exactly this network at 96x96x1 with two outputs; batch
# normalisation is folded into the convolutions when we convert, so it costs nothing on the board.
#
# The **smaller variant** drops four of the five 128-channel blocks in the middle, where most of the
# weights are: fewer bytes of flash, fewer MACs, and we will see what it costs in accuracy.

# %%
model = mobilenet_v1(alpha=0.25)
small = mobilenet_v1(alpha=0.25, repeats=1)
print(f"MobileNetV1 0.25: {model.count_params():,} parameters; smaller variant: {small.count_params():,}")

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("input:", model.input_shape, "output:", model.output_shape)

# %% [markdown]
# ## 3 · Train from scratch
#
# No pretrained weights can be downloaded offline, so both models start from random weights.
# `train_detector` uses a short warm-up then a cosine decay of the learning rate, and mirrors
# half of the pictures each epoch. One line per epoch shows the progress.

# %%
epochs, small_epochs = (2, 1) if quick else (12, 4)
history = train_detector(model, data.train, data.val, epochs=epochs, seed=seed)
print(f"MobileNetV1 0.25: {epochs} epochs in {history.seconds / 60:.1f} min")
small_history = train_detector(small, data.train, data.val, epochs=small_epochs, seed=seed)
print(f"smaller variant: {small_epochs} epochs in {small_history.seconds / 60:.1f} min")
report.plot_history(history, ("loss", "accuracy"))
plt.show()

# %% [markdown]
# ## 4 · Evaluate on held-out scenes: accuracy, ROC, confusion
#
# The model gives P(person). The sketch says *person* when P(person) > 0.5, but a doorbell may
# prefer fewer false alarms and a people counter fewer misses: the **ROC curve** shows every choice
# of threshold at once (the dot is 0.5). The **confusion matrix** shows which mistake the model
# makes more often at 0.5.

# %%
score_float = person_scores(model, data.test.x)
score_small = person_scores(small, data.test.x)
acc_float = metrics.accuracy(data.test.y, score_float > 0.5)
acc_small = metrics.accuracy(data.test.y, score_small > 0.5)
print(f"held-out accuracy: MobileNetV1 0.25 {acc_float:.3f}, smaller variant {acc_small:.3f}")
metrics.plot_roc({"MobileNetV1 0.25 (float)": (data.test.y, score_float),
                  "smaller variant (float)": (data.test.y, score_small)})
plt.show()

# %%
from tinyml_lab.core import checking

checking.warn_if_at_chance("held-out accuracy of MobileNetV1 0.25", acc_float, data.test.y,
                           labels, quick=quick)
checking.warn_if_auc_at_chance("MobileNetV1 0.25's ROC",
                               metrics.auc(*metrics.roc_curve(data.test.y, score_float)[:2]),
                               data.test.y, quick=quick)

# %% [markdown]
# ## 5 · Quantize to int8 and check it in TFLM
#
# Full-integer quantization with int8 input and output: the representative pictures set the
# activation ranges. The converter also names every tensor after all the layers fused into it
# (`model/pwrelu13/Relu6;model/pwbn13/batchnorm/add_1;model/pw13/convolution;...`): useful in
# Netron, useless to TFLM, and all of it flash. `strip_names` drops the names and keeps the rest
# (ops, weights, quantization, 16-byte alignment of the weights) byte for byte.
#
# `MicroInterpreter.predict` quantizes each picture with the input's scale and zero point and
# runs TFLM's reference kernels, as the board does (with CMSIS-NN's faster kernels, which are
# written to give the same int8 results).

# %%
representative = data.train.x[:100 if quick else 300]
float_bytes = convert.to_float(model)
named = convert.to_int8(model, representative)
int8_bytes = strip_names(named)
small_bytes = strip_names(convert.to_int8(small, representative))
print(f"int8 with tensor names {len(named):,} B, without {len(int8_bytes):,} B: "
      f"{len(named) - len(int8_bytes):,} B of names")
int8_model, small_model = read_model(int8_bytes), read_model(small_bytes)
(artifacts / "person_detect_int8.tflite").write_bytes(int8_bytes)
(artifacts / "person_detect_small_int8.tflite").write_bytes(small_bytes)

score_int8 = tflm.MicroInterpreter(int8_model).predict(data.test.x)[:, 1]
score_small_int8 = tflm.MicroInterpreter(small_model).predict(data.test.x)[:, 1]
acc_int8 = metrics.accuracy(data.test.y, score_int8 > 0.5)
acc_small_int8 = metrics.accuracy(data.test.y, score_small_int8 > 0.5)
print(f"MobileNetV1 0.25: float {acc_float:.3f}, int8 in TFLM {acc_int8:.3f}")
print(f"smaller variant:  float {acc_small:.3f}, int8 in TFLM {acc_small_int8:.3f}")
fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
metrics.plot_roc({"float": (data.test.y, score_float), "int8 in TFLM": (data.test.y, score_int8)},
                 "MobileNetV1 0.25: float vs int8", ax=axes[0])
metrics.plot_confusion(metrics.confusion_matrix(data.test.y, score_float > 0.5, 2), labels,
                       "float", ax=axes[1])
metrics.plot_confusion(metrics.confusion_matrix(data.test.y, score_int8 > 0.5, 2), labels,
                       "int8 in TFLM", ax=axes[2])
plt.show()
agreement = tflm.compare_with_tflite(int8_model, data.test.x[:20])
print(agreement)

# %% [markdown]
# ### Task 1 · A threshold for a doorbell
#
# A doorbell that rings for an empty porch gets switched off. Choose the threshold (the sketch
# says *person* when P(person) > threshold) so that **at most 5 % of the empty scenes** raise an
# alarm, while finding as many people as possible. Choose it on the **validation** pictures
# (`score_val` below, the float model's P(person)): the test set is for judging, never for
# choosing. `metrics.roc_curve(true, score)` gives false-positive rates, true-positive rates and
# the threshold of each point. The check then says what your threshold does on the test set, with
# the int8 model in TFLM.

# %% nbgrader={"grade": false, "grade_id": "ch03_task1", "locked": false, "schema_version": 3, "solution": true, "task": false}
from tinyml_lab.chapters.person_detection import checks as person_checks

score_val = person_scores(model, data.val.x)
### BEGIN SOLUTION
val_fpr, val_tpr, val_thresholds = metrics.roc_curve(data.val.y, score_val)
allowed = np.flatnonzero(val_fpr <= 0.05)
# roc_curve's point k counts score >= thresholds[k] as person; the sketch tests score >
# threshold, so take the next number below it (and 1.0 for the point above every score)
my_threshold = min(float(np.nextafter(val_thresholds[allowed[np.argmax(val_tpr[allowed])]], 0)),
                   1.0)
### END SOLUTION
check_threshold = person_checks.check_threshold(my_threshold, data.val.y, score_val)
test_fpr, test_tpr = person_checks.rates_at(my_threshold, data.test.y, score_int8)
print(f"on the test set, int8 in TFLM: {test_fpr:.1%} false alarms, {test_tpr:.1%} of people found")

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("ops:", sorted(set(int8_model.op_names)))
print("full int8:", int8_model.is_full_int8)
print("int8 model at most 300,568 bytes:", int8_model.size_bytes <= 300_568)
print("int8 within 3 points of float:", acc_int8 >= acc_float - 0.03)
print("stripping names changed no answer:",
      np.array_equal(tflm.MicroInterpreter(read_model(named)).predict(data.test.x[:8]),
                     tflm.MicroInterpreter(int8_model).predict(data.test.x[:8])))

# %% [markdown]
# ## 6 · Size it against the board
#
# Flash holds the model; RAM holds the **tensor arena** (every activation TFLM keeps alive, plus
# its bookkeeping) **and** the camera frame (176 x 144 RGB565: 50,688 bytes). The arena is computed
# by replaying TFLM's allocations for the board's build (Cortex-M4, CMSIS-NN kernels), which
# chapter 01 checks against the runtime to the byte. The bar chart shows the activation bytes alive
# at each op: the peak (red) is early, where the pictures are still large (48x48 with 16 channels);
# the deep layers have many channels but tiny maps, and hold most of the *weights*, not the RAM.

# %%
from tinyml_lab.core import arena as arena_lib
from tinyml_lab.core.boards import get_board
from tinyml_lab.core.cost import inference_cost

board_arena = arena_lib.estimate_arena(int8_model, "cortex-m-cmsis-nn")
arena_bytes = arena_lib.sketch_arena_bytes(int8_model)
small_arena = arena_lib.sketch_arena_bytes(small_model)
print(f"arena: used {board_arena.used_bytes:,} B; memory peaks at {board_arena.step_name(board_arena.peak_step)}")
costs = {"MobileNetV1 0.25": inference_cost(int8_model), "smaller variant": inference_cost(small_model)}
cost = costs["MobileNetV1 0.25"]
print(report.size_report(int8_model, arena_bytes, float_bytes=len(float_bytes), cost=cost))
frame_bytes = 176 * 144 * 2
board = get_board("nano33ble")
print(f"RAM for arena + camera frame: {arena_bytes + frame_bytes:,} of {board.ram_bytes:,} B")
report.plot_live_bytes(board_arena)
plt.show()
rows = [[name, m.size_bytes, f"{sum(n for _, n in report.op_macs(m)):,}", arena, f"{acc:.3f}",
         f"{costs[name].instructions:,}", f"{costs[name].min_latency_ms:.0f}"]
        for name, m, arena, acc in (("MobileNetV1 0.25", int8_model, arena_bytes, acc_int8),
                                    ("smaller variant", small_model, small_arena, acc_small_int8))]
print(report.format_table(["model", "int8 bytes", "MACs", "arena B", "accuracy (TFLM)",
                           "instructions", "ms on board, at least"], rows))
print("instructions:", cost.source)

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("arena + frame fit the board's RAM:", arena_bytes + frame_bytes <= board.ram_bytes)
print("smaller variant is smaller:", small_model.size_bytes < int8_model.size_bytes)

# %% [markdown]
# The instructions column is measured on the sketches' TFLM library built for the board's
# Cortex-M4, where its tools are installed, and estimated from multiply-accumulates where they are
# not (the line above says which; chapter 01 explains both). Instructions are a lower bound on
# cycles, so the milliseconds are the least the board takes; the sketch prints the real invoke
# time.
#
# ## 7 · From camera frame to int8 picture
#
# On the board the picture comes from the OV7675 as a 176 x 144 **RGB565** frame. The sketch's
# `camera_preprocess.h` crops the centre square (144 x 144), averages it down to 96 x 96, turns it
# grey and maps each grey level to int8 with the model's input scale and zero point.
# `tinyml_lab.chapters.person_detection.camera` does the same in Python, bit for bit (a test compiles the C++ and
# compares), and `image_to_frame` says what the camera would deliver looking at any picture.

# %%
from tinyml_lab.chapters.person_detection import camera

picture = (data.test.x[1, :, :, 0] * 255).astype(np.uint8)
frame = camera.image_to_frame(picture)
inp = int8_model.input_tensors[0]
as_int8 = camera.preprocess_frame(frame, inp.scales[0], inp.zero_points[0])
fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
axes[0].imshow(picture, cmap="gray"); axes[0].set_title("scene (96x96)")
axes[1].imshow(camera.rgb888(frame)); axes[1].set_title("camera frame (176x144 RGB565)")
axes[2].imshow(as_int8, cmap="gray"); axes[2].set_title("model input (int8)")
for ax in axes:
    ax.axis("off")
plt.show()

# %% [markdown]
# ### Task 2 · Read a camera pixel
#
# The camera stores each pixel in 16 bits, **RGB565**: red in bits 15-11 (5 bits), green in bits
# 10-5 (6 bits), blue in bits 4-0 (5 bits). Before it computes the gray level, the camera path
# widens each channel to 8 bits so that full scale stays full scale (31 and 63 must both become
# 255): shift it left and repeat its top bits in the new low bits. Write that for one pixel.

# %% nbgrader={"grade": false, "grade_id": "ch03_task2", "locked": false, "schema_version": 3, "solution": true, "task": false}
def rgb565_to_rgb888(pixel):
    """(r, g, b), each 0..255, of one 16-bit RGB565 pixel."""
    ### BEGIN SOLUTION
    r5, g6, b5 = pixel >> 11, (pixel >> 5) & 0x3F, pixel & 0x1F
    return (r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2)
    ### END SOLUTION


check_pixel = person_checks.check_rgb565_to_rgb888(rgb565_to_rgb888)

# %% [markdown]
# ## 8 · Export into the sketch and ask it

# %%
from tinyml_lab.core.export import export_to_sketch, read_c_array, sketch_copy

sketch_dir = Path(sketches_dir) / "person_detection" if sketches_dir else sketch_copy("person_detection", artifacts / "sketches")
exported = export_to_sketch(int8_model, sketch_dir, None,
                            source="notebooks/03_person_detection.ipynb", labels=labels,
                            cost=cost, quick=quick)
assert exported.arena_bytes == arena_bytes
for path in exported.files:
    print(path.name, path.stat().st_size, "bytes")
print((sketch_dir / "model_ops.h").read_text())

# %% [markdown]
# `python -m tinyml_lab predict person_detection PICTURE` answers as the board would: the picture
# becomes the frame the camera would see, goes through the sketch's preprocessing and through the
# model bytes *read back from the sketch's C array*, in the TFLM runtime. Here it runs on a few
# held-out scenes saved as PNG files.

# %%
from PIL import Image

from tinyml_lab.predict import predict

answers, truths = [], []
for i in range(6):
    path = artifacts / f"scene_{i}.png"
    Image.fromarray((data.test.x[i, :, :, 0] * 255).astype(np.uint8)).save(path)
    answer = predict("person_detection", path, sketch_dir)
    answers.append(answer.label)
    truths.append(labels[data.test.y[i]])
    print(f"{path.name}: truly {truths[-1]:9s} sketch says {answer.label:9s}",
          {k: round(v, 2) for k, v in answer.scores.items()})
print(f"command line: python -m tinyml_lab predict person_detection {path} --sketch {sketch_dir} --json")

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

deployed = read_c_array((sketch_dir / "model_data.cc").read_text())
print("C array is byte-identical to the model:", deployed == int8_bytes)
print("every answer is a label:", set(answers) <= set(labels))

# %%
summary = report.summarize("03_person_detection", "person_detect",
                           "accuracy on held-out scenes (int8, TFLM)", acc_int8, int8_model, arena_bytes)
summary.save(artifacts)
print(report.summary_table([summary]))

# %% [markdown]
# The chapter's targets, each checked (in quick mode the model trains on few pictures for a few
# epochs: a target it misses there is judged by a full run):

# %%
checking.warn_if_at_chance("held-out accuracy of the int8 model", acc_int8, data.test.y, labels,
                           quick=quick)
targets = checking.check_targets([
    checking.Target("int8 model size", int8_model.size_bytes, at_most=300_568, unit="B"),
    checking.Target("accuracy on held-out scenes (int8, TFLM)", acc_int8, at_least=0.90),
    checking.Target("arena + camera frame", arena_bytes + frame_bytes, at_most=board.ram_bytes,
                    unit="B"),
], quick=quick)

# %% [markdown]
# ## 9 · Flash it, and test it on the world
#
# 1. Arduino IDE (or `arduino-cli`), core **Arduino Mbed OS Nano Boards**, libraries
#    **Chirale_TensorFlowLite** and **Arduino_OV767X** (`sketch.yaml` pins them). First time with
#    the camera? Flash `arduino_sketches/camera_test`: its picture in characters should follow
#    your hand (chapter 00).
# 2. Plug the OV7675 camera into the TinyML kit shield, open the sketch folder printed below,
#    upload, and open the Serial Monitor at 115200 baud. The first line must be the one printed
#    below, with the arena N computed here; then each frame prints both scores and the invoke
#    time, `person: 0.87 no_person: 0.13 (invoke ... ms)`; the LED is green for *person*, red for
#    *no person*.
#
# **Honest limits.** The model above learnt from generated scenes. It has learnt arrangements of
# heads, shoulders, bodies and limbs, but real photographs have skin texture, real clothes, real
# lighting and people in poses the generator never drew: expect it to do worse on your photos than
# on the held-out scenes. Measured on the committed model: 0.92 on held-out scenes, but 0.74 on
# 215 real pictures (`python benchmarks/person_real_photos.py --skimage`, with scikit-image
# installed), where it found only 53 of 100 close-up faces. Try it:
#
# ```
# python -m tinyml_lab predict person_detection my_photo.jpg
# ```
#
# To do better, train on real pictures: build Visual Wake Words from COCO when online
# (`python -m tinyml_lab vww --download --split val2017`), or photograph your own room with and
# without people into `person/` and `no_person/`, and run this notebook with `images_dir` set to
# the folder. Everything after the data cell stays the same. The board's own camera can take
# them: flash `arduino_sketches/camera_capture`, close the Serial Monitor, and
#
# ```bash
# python -m tinyml_lab capture camera --port /dev/ttyACM0 --label person --out my_room --count 50
# python -m tinyml_lab capture camera --port /dev/ttyACM0 --label no_person --out my_room --count 50
# ```
#
# saves each frame as a PNG in `my_room/person/` and `my_room/no_person/` (a blank frame is
# refused), exactly the picture the sketch's camera path starts from.
#
# %%
from tinyml_lab.core.flashing import flash_instructions

print(flash_instructions(sketch_dir, board_arena.used_bytes, arena_bytes))

# %% [markdown]
# **Try it:** lower the threshold from 0.5 to 0.3 on the ROC curve. How many more people are found,
# and how many more false alarms does the doorbell raise?
