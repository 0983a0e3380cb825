"""What the setup notebook checks: versions, the TFLM runtime, the datasets' sources."""

from __future__ import annotations

import importlib
import platform
import sys
from dataclasses import dataclass

PACKAGES = ("tensorflow", "keras", "numpy", "tflite_micro", "matplotlib", "papermill", "nbval")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            module = importlib.import_module(name)
            versions[name] = str(getattr(module, "__version__", "installed"))
        except ImportError:
            versions[name] = "MISSING"
    if versions.get("tflite_micro") == "installed":
        from tflite_micro.python.tflite_micro import _version

        versions["tflite_micro"] = getattr(_version, "__version__", "installed")
    return versions


def check_tflm_runtime() -> Check:
    """Load the sine model shipped inside the tflite_micro wheel and run one inference."""
    try:
        from pathlib import Path

        import numpy as np
        from tflite_micro.python.tflite_micro import runtime

        path = Path(runtime.__file__).with_name("sine_float.tflite")
        interp = runtime.Interpreter.from_file(str(path), arena_size=16 * 1024)
        interp.set_input(np.array([[1.5708]], dtype=np.float32), 0)
        interp.invoke()
        y = float(np.ravel(interp.get_output(0))[0])
        return Check("TFLM runtime", abs(y - 1.0) < 0.2, f"sine_float(pi/2) = {y:.3f}")
    except Exception as exc:  # the point of the check is to report any failure
        return Check("TFLM runtime", False, f"{type(exc).__name__}: {exc}")


def check_compiler() -> Check:
    import shutil

    gxx = shutil.which("g++")
    return Check("host g++ (C++ parity tests)", gxx is not None, gxx or "not found")


def dataset_sources() -> list[Check]:
    """Each chapter's data and where it comes from offline (each chapter says it)."""
    from tinyml_lab.chapters import chapter, chapter_names
    from tinyml_lab.core.errors import TinyMLError

    checks = []
    for name in chapter_names():
        try:
            checks.append(Check(f"{name} data", True, chapter(name).data_source()))
        except TinyMLError as exc:
            checks.append(Check(f"{name} data", False, str(exc)))
    return checks


def environment_report() -> list[Check]:
    versions = package_versions()
    missing = [k for k, v in versions.items() if v == "MISSING"]
    checks = [
        Check("python >= 3.10", sys.version_info >= (3, 10), versions["python"]),
        Check("packages", not missing,
              ", ".join(f"{k} {v}" for k, v in versions.items() if k != "python")),
        check_tflm_runtime(),
        check_compiler(),
    ]
    return checks + dataset_sources()
