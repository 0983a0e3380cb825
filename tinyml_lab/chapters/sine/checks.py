"""Checks for chapter 01's tasks (hello sine); the convention is tinyml_lab.core.checking's."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tinyml_lab.chapters.sine.data import sine_grid
from tinyml_lab.core import tflm
from tinyml_lab.core.checking import CheckResult, call, result
from tinyml_lab.core.tflite_file import TFLiteModel, read_model, strip_names


def check_input_output_conversion(to_int8: Callable, from_int8: Callable, model,
                                  echo: bool = True) -> CheckResult:
    """to_int8(x) -> the int8 the sketch writes into the input tensor; from_int8(q) -> the
    real y the sketch reads from the output tensor; both with the model's own parameters."""
    name = "input and output conversion"
    model = model if isinstance(model, TFLiteModel) else read_model(model)
    inp, out = model.input_tensors[0], model.output_tensors[0]
    xs = np.concatenate([np.linspace(0, 2 * np.pi, 41), [-4.0, 9.0]]).astype(np.float32)
    want = tflm.quantize(xs, inp).astype(int)
    for x, expected in zip(xs, want):
        got, error = call(to_int8, float(x))
        if error:
            return result(name, False, f"to_int8: {error}", echo)
        try:
            got = int(np.asarray(got).item())
        except (TypeError, ValueError):
            return result(name, False, f"to_int8({x:.3f}) should return one integer, got "
                          f"{got!r}", echo)
        scaled = float(np.float32(x) / np.float32(inp.scales[0]))
        on_a_half = abs(abs(scaled) % 1 - 0.5) < 1e-3  # float32 vs float64 may round apart
        if got != expected and not (on_a_half and abs(got - expected) == 1):
            hint = ("keep it inside [-128, 127]" if expected in (-128, 127) else
                    f"q = round(x / scale) + zero_point with the input's scale "
                    f"{inp.scales[0]:.6g} and zero point {inp.zero_points[0]}")
            return result(name, False, f"to_int8({x:.3f}) should be {expected}, yours is "
                          f"{got}: {hint}", echo)
    qs = np.arange(-128, 128)
    want_y = tflm.dequantize(qs, out)
    for q, expected in zip(qs, want_y):
        got, error = call(from_int8, int(q))
        if error:
            return result(name, False, f"from_int8: {error}", echo)
        try:
            got = float(np.asarray(got).item())
        except (TypeError, ValueError):
            return result(name, False, f"from_int8({q}) should return one number, got "
                          f"{got!r}", echo)
        if not np.isclose(got, float(expected), atol=1e-6):
            hint = (" That used the input's parameters: y comes from the output tensor."
                    if np.isclose(got, (q - inp.zero_points[0]) * inp.scales[0]) else "")
            return result(name, False, f"from_int8({q}) should be {float(expected):.6f}, "
                          f"yours is {got:.6f}: y = (q - zero_point) * scale with the "
                          f"output's scale {out.scales[0]:.6g} and zero point "
                          f"{out.zero_points[0]}.{hint}", echo)
    return result(name, True, f"{len(xs)} inputs and all 256 outputs converted as the sketch "
                  "does", echo)


def check_small_sine(model_bytes: bytes, max_bytes: int = 2048, max_error: float = 0.04,
                     echo: bool = True) -> CheckResult:
    """The task's target: a full-int8 sine model of at most `max_bytes` whose mean error
    |sin(x) - y| in TFLM over [0, 2 pi] is at most `max_error`."""
    name = "small sine model"
    try:
        model = model_bytes if isinstance(model_bytes, TFLiteModel) else read_model(model_bytes)
    except Exception as exc:  # noqa: BLE001 - a wrong object is feedback
        return result(name, False, f"pass the .tflite bytes (convert.to_int8(...)): {exc}", echo)
    if not model.is_full_int8:
        return result(name, False, "the model is not full int8: convert with "
                      "convert.to_int8(model, data.train.x)", echo)
    grid = sine_grid(1000)
    error = float(np.mean(np.abs(np.sin(grid) - tflm.MicroInterpreter(model).predict(grid))))
    problems = []
    if model.size_bytes > max_bytes:
        names = model.size_bytes - len(strip_names(model.data))
        hint = (f"{names:,} of them are tensor names: strip_names drops them" if names else
                f"weights and biases are {model.constant_bytes:,} B, the rest is the file's "
                "own structure (per tensor: shape, type, quantization): fewer units or layers")
        problems.append(f"{model.size_bytes:,} bytes, over {max_bytes:,} ({hint})")
    if error > max_error:
        problems.append(f"mean error {error:.4f} in TFLM, over {max_error} (train longer, or "
                        "remove fewer units)")
    if problems:
        return result(name, False, "; ".join(problems), echo)
    return result(name, True, f"{model.size_bytes:,} bytes, mean error {error:.4f} in TFLM",
                  echo)
