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
# # 01 · Hello, sine: the whole TinyML path on the smallest model
#
# We train a network to compute `y = sin(x)`, squeeze it into **int8**, check it in the **real
# TensorFlow Lite for Microcontrollers runtime**, measure how much flash and RAM it needs on the
# **Arduino Nano 33 BLE Sense**, and export it into a sketch that dims the board's LED with the
# model's output.
#
# Nobody needs a neural network for a sine. That is the point: with the task trivial, every step of
# the deployment path is in plain view. The targets are those of TFLM's own `hello_world`:
# the int8 model at most **2,704 bytes**, and a mean error `|sin(x) − y|` of at most **0.05** over
# `[0, 2π]` when run in TFLM.

# %% tags=["parameters"]
# Parameters (papermill overrides these; `python -m tinyml_lab course` sets them)
quick = None          # None: follow TINYML_LAB_QUICK; True: minutes-long quick mode
artifacts_dir = None  # None: $TINYML_LAB_ARTIFACTS/01_hello_sine, else ../build/01_hello_sine
sketches_dir = None  # None: export into a copy under artifacts; set to ../arduino_sketches to update the committed sketch
seed = 0

# %%
import os
from pathlib import Path

import tinyml_lab

quick = tinyml_lab.is_quick() if quick is None else bool(quick)
artifacts = Path(artifacts_dir or Path(os.environ.get(tinyml_lab.ARTIFACTS_ENV, "../build")) / "01_hello_sine")
artifacts.mkdir(parents=True, exist_ok=True)
print(f"mode: {'quick' if quick else 'full'}; artifacts go to {artifacts}")

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from tinyml_lab.chapters.sine.data import make_sine_data, sine_grid
from tinyml_lab.chapters.sine.model import sine_mlp
from tinyml_lab.core import convert, report, tflm
from tinyml_lab.core.tflite_file import read_model
from tinyml_lab.core.training import seed_everything

seed_everything(seed)

# %% [markdown]
# ## 1 · Data
#
# We sample `x` uniformly on `[0, 2π]` and add Gaussian noise to `sin(x)`: real sensors are noisy,
# and noise keeps the network from memorising points instead of learning the curve. The data is
# generated, so it is identical offline and online.

# %%
data = make_sine_data(samples=1000 if quick else 4000, noise=0.1, seed=seed)
print("data source:", data.source)
print("train / validation / test:", len(data.train.x), len(data.val.x), len(data.test.x))
plt.figure(figsize=(7, 3))
plt.scatter(data.train.x, data.train.y, s=3, label="train")
plt.scatter(data.val.x, data.val.y, s=3, label="validation")
plt.xlabel("x"); plt.ylabel("y"); plt.legend(); plt.title("Noisy samples of sin(x)")
plt.show()

# %% [markdown]
# ## 2 · Model
#
# Two hidden layers of 16 ReLU units: 321 parameters. Layer names are short on purpose: they are
# stored in the `.tflite` file, and on a microcontroller every byte is flash.

# %%
model = sine_mlp(hidden=16, layers=2)
model.summary()

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("parameters:", model.count_params())

# %% [markdown]
# ## 3 · Train (float32)
#
# Mean squared error, Adam, and a learning rate that halves when the validation loss stalls.
# Quick mode trains for fewer epochs on less data; full mode is what produced the committed sketch.

# %%
epochs = 60 if quick else 150
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
history = model.fit(
    data.train.x, data.train.y, epochs=epochs, batch_size=32,
    validation_data=(data.val.x, data.val.y), verbose=0,
    callbacks=[keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=10, min_lr=1e-4)],
)
print(f"trained {epochs} epochs; final validation MAE {history.history['val_mae'][-1]:.4f}")
report.plot_history(history, ("loss", "mae"))
plt.show()

# %% [markdown]
# ## 4 · Convert and quantize
#
# Three conversions of the same network:
#
# * **float32**: 4 bytes per weight, the reference;
# * **dynamic range**: int8 weights but float activations. Smaller, but a *hybrid* model:
#   TFLM cannot run it;
# * **full int8**: int8 weights *and* activations, int8 input and output. Each tensor stores real
#   values as `real = scale × (q − zero_point)`; the converter picks scale and zero point for the
#   activations by running a few hundred training inputs through the model (the *representative
#   dataset*). This is the one a microcontroller runs.

# %%
float_bytes = convert.to_float(model)
dynamic_bytes = convert.to_dynamic_range(model)
int8_bytes = convert.to_int8(model, data.train.x)
int8_model = read_model(int8_bytes)
(artifacts / "sine_float.tflite").write_bytes(float_bytes)
(artifacts / "sine_int8.tflite").write_bytes(int8_bytes)
sizes = {"float32": len(float_bytes), "dynamic range": len(dynamic_bytes), "int8": len(int8_bytes)}
print(sizes)
report.plot_sizes(sizes, budget=2704, title="Model size (dashed: TFLM hello_world, 2,704 B)")
plt.show()

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("ops:", list(int8_model.op_names))
print("full int8:", int8_model.is_full_int8)
print("at most 2,704 bytes:", int8_model.size_bytes <= 2704)

# %% [markdown]
# Most of those bytes are not weights: the flatbuffer also stores tensor shapes, names and
# quantization parameters. `python -m tinyml_lab info build/01_hello_sine/sine_int8.tflite` lists
# them all.

# %%
print(f"weights and biases: {int8_model.constant_bytes} of {int8_model.size_bytes} bytes")
for t in int8_model.input_tensors + int8_model.output_tensors:
    print(f"{t.name}: scale {t.scales[0]:.6f}, zero point {t.zero_points[0]}")

# %% [markdown]
# ## 5 · Check it in TensorFlow Lite for Microcontrollers
#
# `tinyml_lab.core.tflm.MicroInterpreter` loads the int8 model into the TFLM runtime and does what the
# sketch will do: quantize `x` with the input's scale and zero point, invoke, dequantize `y` with
# the output's. We judge the model on 1,000 evenly spaced points.

# %%
grid = sine_grid(1000)
micro = tflm.MicroInterpreter(int8_model)
y_tflm = micro.predict(grid)
y_float = model.predict(grid, verbose=0)
mae_tflm = float(np.mean(np.abs(np.sin(grid) - y_tflm)))
mae_float = float(np.mean(np.abs(np.sin(grid) - y_float)))
print(f"mean |sin(x) - y|: float {mae_float:.4f}, int8 in TFLM {mae_tflm:.4f}")
report.plot_curves(grid, {"sin(x)": np.sin(grid), "float model": y_float, "int8 in TFLM": y_tflm},
                   title="The int8 model in TFLM against sin(x)",
                   points=(data.train.x, data.train.y))
plt.show()

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("mean error in TFLM at most 0.05:", mae_tflm <= 0.05)

# %% [markdown]
# Does TFLM compute what TensorFlow Lite computes? Both get the same int8 inputs; we count how far
# apart their int8 outputs are, in quantization steps.

# %%
agreement = tflm.compare_with_tflite(int8_model, grid)
print(agreement)

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("TFLM within one int8 step of TFLite:", agreement.max_steps <= 1)

# %% [markdown]
# ## 6 · Size it against the board
#
# The model array goes to **flash**. At run time TFLM needs a **tensor arena** in RAM:
#
# * the **head**: activations, placed by TFLM's greedy memory planner so that tensors that are not
#   alive at the same time share memory;
# * the **tail**: TFLM's own bookkeeping (one struct per tensor and per op, each kernel's
#   parameters, quantization data for the inputs and outputs).
#
# Most courses guess `kTensorArenaSize` and shrink it by trial and error. We compute it:
# `tinyml_lab.core.arena` replays, step by step, every allocation TFLM makes, for a given build of TFLM.
# First we check the replay against the real runtime on this computer (target `python`: the
# `tflite_micro` wheel, with 64-bit pointers): used bytes and the smallest arena that allocates.

# %%
from tinyml_lab.core import arena as arena_lib

measured = tflm.measure_arena(int8_model)
estimated = arena_lib.estimate_arena(int8_model, "python")
print(report.format_table(["", "estimated", "measured in TFLM"], [
    ["head (activations)", estimated.head_bytes, measured.head_bytes],
    ["tail (persistent)", estimated.tail_bytes, measured.tail_bytes],
    ["used", estimated.used_bytes, measured.used_bytes],
    ["smallest arena that allocates", estimated.min_arena_bytes, measured.min_arena_bytes],
]))

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

print("estimate equals the TFLM runtime to the byte:",
      (estimated.used_bytes, estimated.min_arena_bytes)
      == (measured.used_bytes, measured.min_arena_bytes))

# %% [markdown]
# Notice that the smallest working arena is *larger* than what TFLM ends up using: while planning,
# TFLM needs temporary room of its own (a record per tensor and the planner's working arrays).
#
# On the board, pointers are 32-bit, so every bookkeeping struct is smaller, and the CMSIS-NN
# kernels that the Arduino library uses on the Cortex-M4 may ask for scratch buffers. The same
# replay, with the struct sizes of those builds, gives the number the sketch needs:

# %%
estimates = {t: arena_lib.estimate_arena(int8_model, t) for t in arena_lib.TARGETS}
print(report.format_table(["target", "head", "tail", "used", "minimum arena"], [
    [t, e.head_bytes, e.tail_bytes, e.used_bytes, e.min_arena_bytes] for t, e in estimates.items()]))
arena_bytes = arena_lib.sketch_arena_bytes(int8_model)
print()
print(f"kTensorArenaSize for the sketch: {arena_bytes} B (Cortex-M4 + CMSIS-NN minimum, "
      "rounded up to 16, + 16 B in case the array is not aligned)")
report.plot_memory_plan(estimates["cortex-m-cmsis-nn"])
plt.show()

# %% [markdown]
# **What one inference costs.** Where the board build's tools are installed (README, "Board
# tests"), `inference_cost` runs the model on the sketches' own TFLM library compiled for the
# Nano's Cortex-M4 in an emulator and counts the instructions one `Invoke()` executes; the
# report says "measured". Without them it estimates from multiply-accumulates and says
# "estimated". Instructions are a lower bound on cycles (at least one each; memory accesses,
# multiplies and branches take more), so the latency shown is the least the board can take.
# `python -m tinyml_lab profile MODEL.tflite` prints the same figures, per op too.

# %%
from tinyml_lab.core.cost import inference_cost

cost = inference_cost(int8_model)
print(report.size_report(int8_model, arena_bytes, float_bytes=len(float_bytes), cost=cost))

# %% [markdown]
# ## 7 · Export into the sketch
#
# `export_to_sketch` refuses a model that is not fully int8, uses an op TFLM lacks, or does not fit
# the board. Then it writes four generated files next to `hello_sine.ino`:
#
# * `model_data.h/.cc`: the model bytes as `alignas(16) const unsigned char g_model[]` (const keeps
#   it in flash; misaligned model arrays cause hard faults);
# * `model_ops.h`: a `MicroMutableOpResolver` that registers exactly the model's ops;
# * `model_settings.h`: input/output shapes, scales, zero points, the computed `kTensorArenaSize`
#   and `kInvokeInstructions`, the cost of one inference from the cell above.

# %%
from tinyml_lab.core.export import export_to_sketch, read_c_array, sketch_copy

sketch_dir = Path(sketches_dir) / "hello_sine" if sketches_dir else sketch_copy("hello_sine", artifacts / "sketches")
exported = export_to_sketch(int8_model, sketch_dir, None, source="notebooks/01_hello_sine.ipynb",
                            cost=cost)
assert exported.arena_bytes == arena_bytes
for path in exported.files:
    print(path.name, path.stat().st_size, "bytes")
print((sketch_dir / "model_ops.h").read_text())

# %% [markdown]
# The sketch must run exactly what we verified. We read the bytes back out of the generated C
# array and run *them* in TFLM.

# %% tags=["keep_output"]
# NBVAL_CHECK_OUTPUT

deployed = read_c_array((sketch_dir / "model_data.cc").read_text())
print("C array is byte-identical to the model:", deployed == int8_bytes)
y_deployed = tflm.MicroInterpreter(deployed).predict(grid)
print("deployed copy gives the same outputs:", bool(np.array_equal(y_deployed, y_tflm)))

# %%
summary = report.summarize("01_hello_sine", "hello_sine", "mean |sin(x)-y| in TFLM", mae_tflm,
                           int8_model, arena_bytes)
summary.save(artifacts)
print(report.summary_table([summary]))

# %% [markdown]
# ## 8 · Flash it
#
# 1. Install the Arduino IDE (or `arduino-cli`), the **Arduino Mbed OS Nano Boards** core and the
#    **Chirale_TensorFlowLite** library (Library Manager).
# 2. Open the exported `hello_sine/hello_sine.ino` (printed above), select *Arduino Nano 33 BLE*,
#    upload.
# 3. Open *Tools → Serial Plotter* at 115200 baud: `y` traces a sine, and the LED breathes with it.
#
# From the command line, inside the sketch folder: `arduino-cli compile --profile nano33ble` then
# `arduino-cli upload -p PORT --profile nano33ble`.
#
# **Try it:** halve the hidden units. How do the error, the bytes and the arena change? What breaks
# first?
