"""Find what the board harness builds from: the pinned Arduino core and TFLM library, the
Arm toolchain and QEMU.

The core and libraries are looked up where arduino-cli keeps them: its data folder
(ARDUINO_DIRECTORIES_DATA, else ~/.arduino15) and its user folder (ARDUINO_DIRECTORIES_USER,
else ~/Arduino), so a learner who installed them with arduino-cli needs nothing else. The
versions are the ones the sketches' sketch.yaml profiles pin. Anything missing comes back as
one line saying what to install, which the tests print when they skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core.errors import TinyMLError

# Pinned by every arduino_sketches/*/sketch.yaml (a test checks they agree).
CORE_PACKAGE, CORE_ARCH, CORE_VERSION = "arduino", "mbed_nano", "4.0.10"
TFLM_LIBRARY, TFLM_VERSION = "Chirale_TensorFLowLite", "2.0.0"  # library.properties' spelling
BOARD_ID, VARIANT = "nano33ble", "ARDUINO_NANO33BLE"

DATA_ENV, USER_ENV = "ARDUINO_DIRECTORIES_DATA", "ARDUINO_DIRECTORIES_USER"
APT_PACKAGES = ("gcc-arm-none-eabi", "libnewlib-arm-none-eabi",
                "libstdc++-arm-none-eabi-newlib", "qemu-system-arm")
TARGET_FLAGS = ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=softfp", "-mfpu=fpv4-sp-d16")


class BoardToolsMissing(TinyMLError):
    """The toolchain, QEMU, the Arduino core or the TFLM library is not installed."""


@dataclass(frozen=True)
class BoardInputs:
    """Paths of everything the harness needs, all found on this machine."""

    core: Path            # packages/arduino/hardware/mbed_nano/<version>
    user_libraries: Path  # <user folder>/libraries
    tflm_library: Path    # the Chirale_TensorFlowLite folder (has src/)
    gcc: Path
    gxx: Path
    qemu: Path | None     # None when only compiling was asked for

    @property
    def variant(self) -> Path:
        return self.core / "variants" / VARIANT

    @property
    def toolchain_bin(self) -> Path:
        return self.gxx.parent


def data_dir() -> Path:
    return Path(os.environ.get(DATA_ENV) or Path.home() / ".arduino15")


def user_dir() -> Path:
    return Path(os.environ.get(USER_ENV) or Path.home() / "Arduino")


def read_properties(path: Path) -> dict[str, str]:
    """key=value lines of an Arduino .properties/.txt file (comments and blanks skipped)."""
    values = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def find_library(name: str, version: str | None = None, folder: Path | None = None) -> Path | None:
    """The folder under <user>/libraries whose library.properties names `name` (and version)."""
    root = folder or user_dir() / "libraries"
    if not root.is_dir():
        return None
    for candidate in sorted(root.iterdir()):
        props = candidate / "library.properties"
        if props.is_file():
            p = read_properties(props)
            if p.get("name") == name and (version is None or p.get("version") == version):
                return candidate
    return None


def _has_newlib(gcc: str) -> bool:
    """True when newlib and libstdc++ exist for the Cortex-M4F multilib."""
    for lib in ("libc.a", "libstdc++.a"):
        out = subprocess.run([gcc, *TARGET_FLAGS, f"-print-file-name={lib}"],
                             capture_output=True, text=True, check=False).stdout.strip()
        if not Path(out).is_absolute():  # gcc echoes the bare name when it has none
            return False
    return True


def find_inputs(need_qemu: bool = True) -> BoardInputs | str:
    """The harness's inputs, or one line naming what is missing and how to install it."""
    missing = []
    gcc, gxx = shutil.which("arm-none-eabi-gcc"), shutil.which("arm-none-eabi-g++")
    qemu = shutil.which("qemu-system-arm")
    tools_ok = bool(gcc and gxx and _has_newlib(gcc)) and (qemu or not need_qemu)
    if not tools_ok:
        missing.append("the Arm toolchain and emulator (sudo apt-get install "
                       + " ".join(APT_PACKAGES) + ")")
    core = data_dir() / "packages" / CORE_PACKAGE / "hardware" / CORE_ARCH / CORE_VERSION
    if not (core / "platform.txt").is_file() or not (core / "variants" / VARIANT).is_dir():
        missing.append(f"the Arduino Mbed OS Nano Boards core {CORE_VERSION} in {core.parent} "
                       f"(arduino-cli core install {CORE_PACKAGE}:{CORE_ARCH}@{CORE_VERSION}, or "
                       f"set {DATA_ENV})")
    library = find_library(TFLM_LIBRARY, TFLM_VERSION)
    if library is None or not (library / "src").is_dir():
        missing.append(f"the {TFLM_LIBRARY} {TFLM_VERSION} library in {user_dir() / 'libraries'} "
                       f"(arduino-cli lib install {TFLM_LIBRARY}@{TFLM_VERSION}, or set "
                       f"{USER_ENV})")
    if missing:
        return "Board harness: missing " + "; ".join(missing) + "."
    return BoardInputs(core, user_dir() / "libraries", library, Path(gcc), Path(gxx),
                       Path(qemu) if qemu else None)


def require_inputs(need_qemu: bool = True) -> BoardInputs:
    """find_inputs, raising BoardToolsMissing with its line when something is missing."""
    found = find_inputs(need_qemu)
    if isinstance(found, str):
        raise BoardToolsMissing(found)
    return found
