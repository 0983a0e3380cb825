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
# # 08 · Designing a model for the board, MicroNets' way
#
# Chapters 01 to 04 chose an architecture, trained it, and then asked whether it fits. This chapter
# turns the question round: **the board's budget comes first, and the architecture is searched for
# inside it.** That is what MicroNets did (Banbury et al., *MicroNets: Neural Network
# Architectures for Deploying TinyML Applications on Commodity Microcontrollers*, MLSys 2021; the
# Arm Research article in the course's reference texts). Their search rests on three claims about
# models on microcontrollers, each of which we test on our own measurements first:
#
# 1. a model's **SRAM** is its activation buffers plus a few persistent buffers, computable from
#    the architecture;
# 2. its **flash** is its weights and biases plus their quantization parameters, also computable;
# 3. within one **backbone** (one family of architectures), **latency is close to linear in the op
#    count**, so MACs can stand in for latency during a search; across backbones they cannot.
#
# Then we search the chapter 02 DS-CNN family under the Arduino Nano 33 BLE Sense's budget, train
# every candidate briefly on chapter 02's data, and compare what we find with the chapter 02 model
# and with the keyword-spotting models MicroNets published.
#
# **Where the figures come from.** Flash and arena are exact: the int8 file, and the arena of the
# board build (`tinyml_lab.core.arena`, equal to the byte to what the sketches' TFLM library
# allocates on the Cortex-M4). Instructions per inference are **measured** on that library built
# for the Nano's Cortex-M4F and run in an emulator, where its tools are installed (README, "Board
# tests"); where they are not, they are **estimated** from MACs, and every table below says which.

# %% [markdown]
# ## Learning objectives
#
# - compute a model's SRAM (activation buffers) and flash (weights, biases, quantization
#   parameters) from its architecture, and check both against the exact file and arena;
# - test whether latency follows the op count within one backbone, and why MACs cannot compare
#   two backbones;
# - state the board's budget first (flash, arena, time per inference) and search an architecture
#   family inside it;
# - choose the most accurate model that fits, and export it into a sketch.
#
# **Time to allow:** 60 minutes: 15 to run and read it in quick mode, 30 for the three exercises,
# 15 to compare the search's models with chapter 02's and MicroNets'.

# %% tags=["parameters"]
# Parameters (papermill overrides these; `python -m tinyml_lab course` sets them)
quick = None          # None: follow TINYML_LAB_QUICK; True: minutes-long quick mode
artifacts_dir = None  # None: $TINYML_LAB_ARTIFACTS/08_design_for_the_board, else ../build/08_design_for_the_board
sketches_dir = None   # None: export into a copy under artifacts (see section 7)
replace_wake_word_model = False  # True (with sketches_dir set): overwrite chapter 02's committed model
seed = 0

# %%
import os
from pathlib import Path

import tinyml_lab

quick = tinyml_lab.is_quick() if quick is None else bool(quick)
artifacts = Path(artifacts_dir or Path(os.environ.get(tinyml_lab.ARTIFACTS_ENV, "../build")) / "08_design_for_the_board")
artifacts.mkdir(parents=True, exist_ok=True)
print(f"mode: {'quick' if quick else 'full'}; artifacts go to {artifacts}")

# %%
import logging
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np

# the converter's chatter says nothing a learner needs here
logging.getLogger("tensorflow").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", message="Statistics for quantized inputs")

from tinyml_lab import checks
from tinyml_lab.chapters.person_detection.model import mobilenet_v1
from tinyml_lab.chapters.wake_word import cadence
from tinyml_lab.chapters.wake_word import data as speech
from tinyml_lab.chapters.wake_word import log_mel as lm
from tinyml_lab.chapters.wake_word.model import ds_cnn
from tinyml_lab.chapters.wake_word.sketch_budget import nano_budget
from tinyml_lab.chapters.wake_word.training import train_spotter
from tinyml_lab.core import convert, report
from tinyml_lab.core.cost import board_tools_missing, inference_cost
from tinyml_lab.core.metrics import paired_difference
from tinyml_lab.core.tflite_file import read_model
from tinyml_lab.core.training import seed_everything
from tinyml_lab.optimisation import characterise, design, latency
from tinyml_lab.optimisation.architecture import predict_cost
from tinyml_lab.optimisation.cache import ResultCache
from tinyml_lab.optimisation.footprint import classification_accuracy, tflm_predict

seed_everything(seed)
missing = board_tools_missing()
print("instructions per inference:", "measured on the board build (emulated Cortex-M4)" if missing is None
      else f"estimated from MACs: the board build cannot run here ({missing})")
started = time.perf_counter()

# %% [markdown]
# ## 1 · The budget: what the Nano leaves a model
#
# The Nano 33 BLE Sense has 1 MB of flash and 256 KB of RAM. The model does not get all of it:
#
# * the Arduino core and mbed OS take their share; they cannot be measured here, so the board's
#   stated reserve stands for them (`python -m tinyml_lab boards`);
# * the wake-word sketch itself takes flash for its code and RAM for its buffers (a one-second ring
#   buffer of microphone samples, the frontend's tables). Those **are** measured on the board build:
#   `python -m tinyml_lab profile --sketch arduino_sketches/wake_word` compiles the sketch for the
#   board and sizes it (its RAM minus `kTensorArenaSize`, its flash minus the model);
# * and a wake-word model must leave the board time to **listen**: the sketch computes a row of
#   features every 20 ms and runs the model every N rows, N set by the model's instructions
#   (chapter 02, section 8). Chapter 02's model runs every 10 rows, 200 ms. We ask for **twice as
#   often: every 5 rows, 100 ms**, so a word is never more than a tenth of a second old when the
#   model hears it.

# %%
budget = nano_budget(rows=5)
from tinyml_lab.core.deployed import load_deployed

committed = load_deployed(cadence.SKETCH)  # chapter 02's committed model and its measured cost
chapter02_rows = cadence.rows_per_invoke(committed.invoke_instructions)

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print(budget.describe())
print(f"chapter 02's model runs every {chapter02_rows} rows; this budget asks for every 5")

# %% [markdown]
# ## 2 · Claims 1 and 2: SRAM and flash from the architecture
#
# `tinyml_lab.optimisation.architecture.predict_cost` reads a Keras model's layers and nothing
# else. Batch norms fold into the convolutions, ReLUs fuse, so each remaining layer is one op; it
# counts
#
# * **flash**: int8 weights, int32 biases, and a scale and zero point for every channel of every
#   convolution and for every activation (12 bytes each in the file);
# * **SRAM**: the largest *working set*, the int8 input and output of the op that needs most at
#   once (TFLM's planner can reuse every other buffer), plus TFLM's persistent buffers: a small
#   struct per tensor and per op, each kernel's parameters, and the per-channel requantization
#   multipliers CMSIS-NN keeps.
#
# We build variants of both course backbones, turning one knob at a time: the chapter 02 **DS-CNN**
# (width, depth, first kernel, first stride, input frames and channels) and the chapter 03
# **MobileNetV1** (width multiplier, resolution, depth). Each is converted to int8 untrained (sizes
# and op counts depend on the architecture, not on the weights; `characterise.like_trained` gives
# the batch norms and biases the statistics a trained model has, or the int8 ranges collapse), its
# file and exact arena are read, and it runs once on the board build. Results are cached under
# `artifacts/cache`: a second run of this notebook reads them back.

# %%
ds_variants = {
    "chapter 02": {},
    **{f"width {f}": dict(filters=f) for f in (8, 16, 24, 48, 64)},
    **{f"depth {b}": dict(blocks=b) for b in (1, 2, 4, 5)},
    **{f"kernel {k[0]}x{k[1]}": dict(first_kernel=k) for k in ((3, 3), (5, 4), (10, 2), (20, 4))},
    **{f"stride {s[0]}x{s[1]}": dict(first_stride=s) for s in ((1, 2), (2, 4), (4, 2), (4, 4))},
    **{f"input {t}x{c}": dict(input_shape=(t, c, 1)) for t, c in ((49, 20), (49, 10), (25, 40), (98, 40))},
    "width 16, depth 4": dict(filters=16, blocks=4),
    "width 64, depth 2": dict(filters=64, blocks=2),
}
mobilenet_variants = {
    "chapter 03 (0.25, 96, 5)": dict(alpha=0.25),
    **{f"alpha {a}": dict(alpha=a) for a in (0.1, 0.35, 0.5)},
    **{f"resolution {r}": dict(alpha=0.25, input_size=r) for r in (32, 48, 64, 80, 128)},
    **{f"depth {d}": dict(alpha=0.25, repeats=d) for d in (0, 1, 2, 3, 4)},
    **{f"{a}, {r}, {d}": dict(alpha=a, input_size=r, repeats=d) for a, r, d in (
        (0.1, 48, 1), (0.1, 64, 5), (0.5, 64, 1), (0.35, 128, 2), (0.5, 48, 5), (0.25, 128, 0),
        (0.1, 128, 5), (0.35, 48, 0))},
}
if quick:  # a few of each: enough for a line per backbone
    ds_variants = {k: ds_variants[k] for k in ("chapter 02", "width 16", "depth 2", "stride 2x4")}
    mobilenet_variants = {k: mobilenet_variants[k] for k in ("0.1, 48, 1", "0.35, 48, 0", "0.1, 64, 5")}
cache = ResultCache(artifacts / "cache", salt="characterise")
start = time.perf_counter()
measurements = (characterise.measure_family("DS-CNN", ds_variants, ds_cnn, cache)
                + characterise.measure_family("MobileNetV1", mobilenet_variants, mobilenet_v1, cache))
print(f"{len(measurements)} variants in {time.perf_counter() - start:.0f} s; instructions "
      f"{measurements[0].source}")

# %%
print(report.format_table(characterise.COMPARISON_HEADERS, characterise.comparison_rows(measurements)))
characterise.plot_memory(measurements)
plt.show()

# %% [markdown]
# Read the two plots against their diagonals:
#
# * **SRAM** lands just below the exact arena on every variant: in full mode, over all 46 variants,
#   by 39 to 603 bytes, at worst 6.3 % (the smallest DS-CNN input, 49 × 10, where 603 bytes weigh
#   most). What the closed form leaves out is the kernels' scratch buffers (CMSIS-NN's depthwise and
#   im2col buffers), so it is never high; the persistent part is a function of the counts of
#   tensors, ops and channels, as MicroNets says.
# * **Flash**: the payload (weights, biases, scales and zero points) is predicted to the byte (the
#   crosses sit on the diagonal), but the *file* is bigger (the dots): the flatbuffer's tables, the
#   tensor shapes and, above all, the **tensor names** the converter writes (long strings such as
#   `kws_1/rd1_1/Relu;kws_1/nd1_1/batchnorm/add_1;...`). On a small model they are a third of the
#   file. TFLM never reads them: chapter 03 strips them (`strip_names`) and saves that flash.

# %%
worst_sram = max(abs(m.sram_error) for m in measurements)
payload_exact = all(m.predicted["payload_bytes"] == m.file_payload_bytes for m in measurements)
structure = [m.flash_structure_bytes / m.file_bytes for m in measurements]
print(f"SRAM predicted from the layers: worst error {worst_sram:.1%} over {len(measurements)} variants")
print(f"flash payload predicted to the byte on every variant: {payload_exact}; the rest of the "
      f"file (structure and names) is {min(structure):.0%} to {max(structure):.0%} of it")
chapter02 = measurements[0]
characterise.plot_breakdown(chapter02, "chapter 02's DS-CNN: where its bytes go (cf. MicroNets' Figure 1)")
plt.show()

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("every variant's arena predicted within 10%, and never above the exact one:",
      worst_sram <= 0.10 and all(m.predicted["sram_bytes"] <= m.arena_used_bytes for m in measurements))
print("every variant's weights, biases and quantization predicted to the byte:", payload_exact)

# %% [markdown]
# ## 3 · Claim 3: latency and op count, per backbone
#
# For each variant we have its MACs (from the layers) and its instructions per inference on the
# board build. We fit a straight line `instructions = a × MACs + b` per backbone, minimising the
# relative error (`tinyml_lab.optimisation.latency`), and one line for both. Instructions are a
# lower bound on cycles: the Nano's Cortex-M4 needs at least one cycle per instruction (more for
# loads, multiplies and flash wait states), so `instructions / 64 MHz` is the least time an inference
# can take.

# %%
points = {family: ([m.macs for m in measurements if m.family == family],
                   [m.instructions for m in measurements if m.family == family])
          for family in ("DS-CNN", "MobileNetV1")}
lines = latency.compare_backbones(points)
for fit in [*lines.per_backbone.values(), lines.pooled]:
    print(fit.describe())
print(report.format_table(latency.BackboneComparison.HEADERS, lines.rows()))
latency.plot_backbones(lines, f"instructions per inference ({measurements[0].source})")
plt.show()

# %% [markdown]
# Where does a line in MACs stop fitting? The board build also counts each op's instructions, so
# we can ask each kind of op how many instructions it spends per MAC, over all the variants of a
# backbone:

# %%
for family in ("DS-CNN", "MobileNetV1"):
    rows = characterise.op_kind_rows([m for m in measurements if m.family == family])
    print(family)
    print(report.format_table(characterise.OP_KIND_HEADERS, rows) if rows else
          "  (per-op counts need the board build)")
print("chapter 02's model, op by op:")
print(report.format_table(["op", "MACs", "instructions", "share"], [
    [op, f"{mac:,}", f"{n:,}", f"{n / chapter02.instructions:.1%}"]
    for (op, n), mac in zip(chapter02.op_instructions, chapter02.op_macs)]))

# %% [markdown]
# What the measurements say:
#
# * **Each kind of op runs at its own rate.** A 1×1 convolution is CMSIS-NN's best case (a few
#   instructions per MAC); a 3×3 depthwise convolution does little arithmetic per value it loads
#   and costs several times more per MAC; a `MEAN` (the global average pooling) does no MACs at
#   all and still takes a tenth of chapter 02's instructions. A backbone is a fixed *mix* of ops,
#   so its variants share a rate: one line per backbone fits.
# * **The DS-CNN spends over half its instructions in its first convolution** (a 10×4 kernel,
#   stride 2, over the whole spectrogram), so the first layer's kernel and stride are the knobs
#   that move its latency most, more than its depth.
# * **Within a backbone, the line is exact along some knobs and bends along others.** In full mode
#   (24 DS-CNN variants), every change of the input or of the first stride keeps the DS-CNN at
#   5.97 to 6.01 instructions per MAC: the same ops on a bigger or smaller spectrogram. Width does
#   not: at 8 filters the DS-CNN spends 11.8 instructions per MAC, at 64 filters 4.5, because a
#   narrow model's time goes to depthwise layers, the MEAN and per-channel bookkeeping that MACs do
#   not count. So the DS-CNN line misses by 11 % on average and by 29 % at worst (the narrowest
#   model), the MobileNetV1 line by 14 % and 44 % (alpha 0.1, the narrowest again). Good enough to
#   rank candidates during a search, not to promise a latency: the finalists are measured.
# * **Across backbones the mix differs**, and so does the slope: 5.2 instructions per MAC for the
#   DS-CNN, 3.9 for the MobileNet, whose larger 1 × 1 convolutions suit CMSIS-NN better. In full
#   mode one line for both misses each backbone by more than its own line does (the table above);
#   quick mode's three MobileNets are too few to show it. MicroNets saw the same on its MCUs: op
#   count predicts latency *within* a backbone, not across.
#
# The search below stays inside one backbone, the DS-CNN, so its latency comes from the DS-CNN line.

# %%
ds_line = lines.per_backbone["DS-CNN"]

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

if chapter02.op_instructions:
    first_conv, mean = chapter02.op_instructions[0], dict(chapter02.op_instructions)["MEAN"]
    print("chapter 02's first CONV_2D takes over half of its instructions:",
          first_conv[0] == "CONV_2D" and first_conv[1] > chapter02.instructions / 2)
    print("its MEAN does no MACs and takes over 5% of its instructions:",
          mean > 0.05 * chapter02.instructions)
else:
    print("per-op instructions need the board build:", missing)

# %% [markdown]
# ## 4 · The search: DS-CNNs under the Nano's budget
#
# The family is chapter 02's DS-CNN with four knobs: width (filters), depth (blocks), the first
# convolution's kernel and its stride. The input stays chapter 02's 49 × 40 log-mel spectrogram, so
# whatever we find runs in the wake-word sketch unchanged. `tinyml_lab.optimisation.design` does the
# rest, for any builder, training function and budget:
#
# 1. each candidate is built and **sized from its layers**; its latency is read off the DS-CNN line;
#    a candidate predicted over the budget is dropped **before any training** (the point of the
#    closed forms);
# 2. the rest are **trained briefly** on chapter 02's data (its recipe, 8 of its 25 epochs),
#    converted to int8, sized exactly and scored on the **validation** split in TFLM. The test split
#    stays untouched until the final comparison: choosing by the test set and then reporting it
#    would flatter the winner;
# 3. every result is cached by candidate: run the cell again, or with another budget, and only new
#    candidates train.
#
# Chapter 02's own architecture is trained the same way as a reference, even though it is over the
# latency budget.

# %%
start = time.perf_counter()
sizes = dict(train=1000, val=200, test=300) if quick else dict(train=6000, val=800, test=1200)
# chapter 02's data: in full mode a quarter of the training words from the neural voice and the
# shipped real clips, as there
data = speech.make_synthetic_speech(("yes", "no"), seed=seed, neural_fraction=0 if quick else 0.25,
                                    real_copies=0 if quick else 40, **sizes)
print("data source:", data.source, "(cached)" if data.from_cache else "")
x_train = lm.log_mel(data.train.audio)[..., None]
x_val = lm.log_mel(data.val.audio)[..., None]
x_test = lm.log_mel(data.test.audio)[..., None]
y_train, y_val, y_test = data.train.labels, data.val.labels, data.test.labels
print(f"{len(x_train)} / {len(x_val)} / {len(x_test)} clips, features in {time.perf_counter() - start:.0f} s")

# %%
search_epochs = 2 if quick else 8
reference = dict(filters=32, blocks=3, first_kernel=(10, 4), first_stride=(2, 2))  # chapter 02
space = {"filters": [16, 24, 32], "blocks": [3, 4], "first_kernel": [(10, 4), (5, 4)],
         "first_stride": [(2, 2), (2, 4)]}
if quick:
    space = {"filters": [16], "blocks": [3], "first_kernel": [(10, 4)], "first_stride": [(2, 4)]}


def build(**params):
    return ds_cnn(input_shape=x_train.shape[1:], classes=len(data.labels), **params)


def train(model, params):
    train_spotter(model, x_train, y_train, x_val, y_val, epochs=search_epochs, seed=seed)


def validation_accuracy(int8_model):
    return classification_accuracy(y_val, tflm_predict(int8_model, x_val))


search = design.DesignSearch(
    build, train, validation_accuracy, budget, representative=x_train, latency=ds_line.predict,
    cache_dir=artifacts / "search", seed=seed,
    salt=f"{data.source} {sizes} epochs {search_epochs} tilt 20 line {ds_line.slope:.4f} {ds_line.intercept:.0f}")
start = time.perf_counter()
candidates = search.run(design.grid(space), force=[reference])
print(f"{sum(c.trained for c in candidates)} trained, {sum(not c.trained for c in candidates)} "
      f"ruled out before training, in {time.perf_counter() - start:.0f} s")

# %%
print(report.format_table(design.CANDIDATE_HEADERS, design.candidate_rows(candidates, budget)))
ref = candidates[0]
best = design.best_under(candidates, budget)
design.plot_pareto(candidates, budget, reference=ref, chosen=best,
                   title=f"DS-CNN candidates after {search_epochs} epochs: validation accuracy, int8 in TFLM")
plt.show()
print(f"best under the budget: {best.label}: validation accuracy {best.metric:.3f}, arena "
      f"{best.arena_bytes:,} B, {best.instructions:,} instructions (line)")
print(f"chapter 02's architecture, same training: {ref.metric:.3f}, arena {ref.arena_bytes:,} B, "
      f"{ref.instructions:,} instructions (line)")

# %% [markdown]
# The Pareto front (green) holds the candidates no other beats on both accuracy and cost. Two things
# stand out. The arena is set by the **first layer's output** (its width × the spectrogram it
# leaves), so the frequency stride of 4 halves it at once; and the latency budget rules out every
# DS-CNN as wide as chapter 02's that keeps its first stride of 2 × 2: the first layer alone would
# take too long.

# %% [markdown]
# ## 5 · The winner, trained properly, against chapter 02's model
#
# A brief training ranks candidates; it does not finish them. In full mode we now train the best
# candidate **and chapter 02's architecture** with chapter 02's full recipe (its 25 epochs), and
# compare them on the **test** voices, int8 in TFLM, with their arenas exact and their instructions
# measured on the board build. (Quick mode compares the briefly trained pair: a rehearsal, not a
# result.)

# %%
final_epochs = None if quick else 25
final, costs, models, correct = {}, {}, {}, {}
for name, candidate in (("chapter 02", ref), ("searched", best)):
    start = time.perf_counter()
    if final_epochs is None:
        model_int8 = candidate.model()
    else:
        seed_everything(seed)
        keras_model = build(**candidate.params)
        train_spotter(keras_model, x_train, y_train, x_val, y_val, epochs=final_epochs, seed=seed)
        model_int8 = read_model(convert.to_int8(keras_model, x_train))
    models[name] = model_int8
    costs[name] = inference_cost(model_int8, find_min_arena=False)
    correct[name] = np.argmax(tflm_predict(model_int8, x_test), axis=1) == np.ravel(y_test)
    final[name] = design.assess(candidate.params, model_int8, correct[name].mean(), costs[name].instructions)
    print(f"{name}: ready in {time.perf_counter() - start:.0f} s")
rows = []
for name, c in final.items():
    rows.append([name, c.label, f"{c.metric:.3f}", f"{c.arena_bytes:,}", f"{c.flash_bytes:,}",
                 f"{c.instructions:,}", f"{c.latency_ms():.1f}", cadence.rows_per_invoke(c.instructions)])
print(report.format_table(["model", "architecture", "test accuracy (int8, TFLM)", "arena (B)",
                           "flash (B)", "instructions", "latency >= (ms)", "runs every N rows"], rows))
print("instructions:", costs["searched"].source)
pair = (final["searched"], final["chapter 02"], correct["searched"], correct["chapter 02"])
difference = paired_difference(correct["searched"], correct["chapter 02"])
print(f"test clips only the searched model gets right: {difference.only_a}; only chapter 02's: "
      f"{difference.only_b}; exact McNemar p = {difference.p:.3f}")
verdict = design.compare(*pair)
beats = design.beats(*pair)
print("searched against chapter 02:", ", ".join(f"{k}: {v}" for k, v in verdict.items()),
      f"(accuracy: 'same' when p >= {design.SAME_METRIC_P})")
print("the searched model beats chapter 02's on at least one axis and loses on none:", beats)

# %% [markdown]
# **Reading the verdict.** Arena and flash are exact and the instructions are measured, so any
# difference there is real. Accuracy on 1,200 test clips is not exact: two equally good models
# still disagree on some clips. So the accuracies are compared on the clips where the two models
# disagree (the exact McNemar test): when a gap that large would happen by chance at least one
# time in twenty (p ≥ 0.05), the verdict is "same".
#
# **What the full run gave** (`python -m tinyml_lab course --only 08_design`, 50 minutes on two
# busy cores; with the board build's characterisation already cached, 36 of them in the search;
# on chapter 02's data before its bass-boosting microphones and real clips):
# 18 candidates trained, 6 ruled out by the latency line before training. The winner,
# `filters=32 blocks=3 first_kernel=10x4 first_stride=2x4`, is chapter 02's network with a
# frequency stride of 4 in its first layer. Trained with chapter 02's recipe, it needs **14,416 B
# of arena** against 24,496 B and **3,450,906 instructions** against 6,894,982 (measured on the
# board build), so it can run every 5 spectrogram rows instead of every 10. Its test accuracy is
# 0.837 against 0.849: 64 clips only it gets right, 79 only chapter 02's does, p = 0.24. The
# test set cannot tell the two apart on accuracy, and the searched model needs about half the
# memory and half the time: it beats chapter 02's model. Read strictly (any lower accuracy is a
# loss) it does not, and the cell above prints both numbers so you can judge.

# %% [markdown]
# How do these sit next to what MicroNets published for keyword spotting? Arm released the paper's
# three KWS models in its ML-zoo (the model cards cite the paper): on **Google Speech Commands**,
# 12 classes (10 words, silence, unknown), from 49 × 10 MFCC features:
#
# | model | test accuracy | int8 file |
# |---|---|---|
# | MicroNet-KWS-S | 95.3 % | 114,512 B |
# | MicroNet-KWS-M | 95.8 % | 181,968 B |
# | MicroNet-KWS-L | 96.5 % | 658,832 B |
#
# (ARM-software/ML-zoo, `models/keyword_spotting/micronet_{small,medium,large}`. The paper's own
# table also gives each model's SRAM and its latency on STM32 boards; the course's copy of the
# article shows those only as figures, so we do not quote them here.) Our task is easier in one way
# (four classes) and harder in another (trained on synthetic voices only), so the accuracies do not
# compare; the sizes do. Even MicroNets' smallest KWS model is six times the flash of chapter 02's,
# and was searched for boards with a larger budget than the wake-word sketch leaves: the budget,
# not the method, decides how big the answer is.

# %%
rows = [["MicroNet-KWS-S (ML-zoo)", "95.3% (Speech Commands, 12 classes)", "114,512"],
        ["MicroNet-KWS-M (ML-zoo)", "95.8% (Speech Commands, 12 classes)", "181,968"],
        ["MicroNet-KWS-L (ML-zoo)", "96.5% (Speech Commands, 12 classes)", "658,832"]]
for name, c in final.items():
    rows.append([f"{name} (this chapter)", f"{c.metric:.1%} (synthetic voices, 4 classes)",
                 f"{c.flash_bytes:,}"])
print(report.format_table(["model", "accuracy", "int8 file (B)"], rows))

# %% [markdown]
# ## 6 · Exercises
#
# Three tasks, each with a numeric target and a check that says what is wrong. Each cell holds one
# working answer between the `### BEGIN SOLUTION` and `### END SOLUTION` markers: replace it with
# yours.
#
# **Exercise 1: fit the line yourself.** Write the ordinary least-squares line through
# (MACs, instructions): `slope = cov(x, y) / var(x)`, `intercept = mean(y) − slope · mean(x)`. The
# check compares it with the library's on two sets of points. Then use it: how many instructions
# does your line give chapter 02's model, and how far is that from the measurement?

# %% nbgrader={"grade": false, "grade_id": "ch08_task1", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_fit_line(macs, instructions):
    ### BEGIN SOLUTION
    x, y = np.asarray(macs, dtype=float), np.asarray(instructions, dtype=float)
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    return slope, y.mean() - slope * x.mean()
    ### END SOLUTION


check_fit = checks.check_line_fit(my_fit_line)
slope, intercept = my_fit_line(*points["DS-CNN"])
print(f"your DS-CNN line gives chapter 02's model {slope * chapter02.macs + intercept:,.0f} "
      f"instructions; measured {chapter02.instructions:,}")

# %% [markdown]
# **Exercise 2: the activation peak by hand.** Given each op's int8 input and output sizes (in
# elements) for a chain, return the most bytes one op needs at once. TFLM starts every buffer on a
# 16-byte boundary. The check runs your function on three course models and compares with the closed
# form's figure, to the byte.

# %% nbgrader={"grade": false, "grade_id": "ch08_task2", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_activation_peak(ops):
    ### BEGIN SOLUTION
    def aligned(n):
        return -(-n // 16) * 16
    return max(aligned(i) + aligned(o) for i, o in ops)
    ### END SOLUTION


peak_cases = []
for params in (reference, best.params, dict(filters=16, blocks=2)):
    cost_model = predict_cost(build(**params))
    peak_cases.append((cost_model.working_sets(), cost_model.activation_bytes))
check_peak = checks.check_activation_peak(my_activation_peak, peak_cases)

# %% [markdown]
# **Exercise 3: a tighter budget.** A product needs the RAM for something else: give the model
# **half of chapter 02's arena** and keep the 100 ms cadence. Set the budget, run the search again
# (cached candidates are reused; new ones would train) and pick the most accurate model that fits.
# The check confirms it fits and that no candidate that fits scores higher.

# %% nbgrader={"grade": false, "grade_id": "ch08_task3", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
tight = budget.replace(arena_bytes=ref.arena_bytes // 2)
tight_search = design.DesignSearch(build, train, validation_accuracy, tight, x_train, ds_line.predict,
                                   cache_dir=artifacts / "search", seed=seed, salt=search.cache.salt)
tight_candidates = tight_search.run(design.grid(space))
choice = design.best_under(tight_candidates, tight)
### END SOLUTION
check_tight = checks.check_budget_choice(choice, tight_candidates, tight)
if choice is not None:
    print(f"half the arena ({tight.arena_bytes:,} B): {choice.label}, validation accuracy {choice.metric:.3f}")

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("exercise 1 (line fit) passed:", bool(check_fit))
print("exercise 2 (activation peak) passed:", bool(check_peak))
print("exercise 3 (tighter budget) passed:", bool(check_tight))

# %% [markdown]
# ## 7 · Export the searched model into the wake-word sketch
#
# The searched model keeps chapter 02's input (49 × 40 features) and labels, so it drops into the
# wake-word sketch as it is: the export writes its array, op resolver, arena and measured
# instructions, and the sketch derives its cadence from them (every N rows, as the table above
# says). It goes into a copy under `artifacts/sketches/`. The committed sketch belongs to chapter 02
# (`course --update-sketches` sets `sketches_dir` for every notebook), so this notebook writes into
# `sketches_dir` only when `replace_wake_word_model = True` as well.

# %%
from tinyml_lab.core.export import export_to_sketch, read_c_array, sketch_copy

searched, searched_model = final["searched"], models["searched"]
target = Path(sketches_dir) / "wake_word" if sketches_dir and replace_wake_word_model else \
    sketch_copy("wake_word", artifacts / "sketches")
exported = export_to_sketch(searched_model, target, None, source="notebooks/08_design_for_the_board.ipynb",
                            labels=data.labels, cost=costs["searched"])
for path in exported.files:
    print(path.name, path.stat().st_size, "bytes")
rows_per_invoke = cadence.rows_per_invoke(costs["searched"].instructions)
print(f"the sketch runs the model every {rows_per_invoke} rows ({rows_per_invoke * cadence.ROW_MS} ms)")

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

deployed = read_c_array((target / "model_data.cc").read_text())
print("C array is byte-identical to the searched model:", deployed == searched_model.data)

# %%
summary = report.summarize("08_design_for_the_board", "wake_word_searched",
                           "int8 accuracy, unheard voices (TFLM)", searched.metric,
                           searched_model, searched.arena_bytes)
summary.save(artifacts)
print(report.summary_table([summary]))
print(f"notebook ran in {time.perf_counter() - started:.0f} s ({'quick' if quick else 'full'} mode)")

# %% [markdown]
# **Try it:** add a knob to the search (a first-layer width separate from the others, or a kernel of
# 3 × 3 everywhere), or set the cadence to every 3 rows. Which knob does the budget reward, and which
# does the accuracy? Then point the search at another chapter: `DesignSearch` takes any builder,
# training function and budget.
