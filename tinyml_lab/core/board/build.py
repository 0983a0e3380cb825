"""Build the pinned TFLM library for Cortex-M4F once, and link the board runner against it.

The library is Chirale_TensorFlowLite's src/ (TFLM + CMSIS-NN), compiled file by file
with the IDE's own compile recipe for the Nano 33 BLE (see recipe.py) into libtflm.a.
Left out are only the files that are not TFLM or need mbed OS: peripherals/ and
micro/system_setup.cpp (the Arduino glue: the runner brings its own DebugLog), and the
audio frontend and kissfft (experimental/, third_party/kissfft/), which no interpreter uses.

Every C++ file of the library includes the same TFLM and flatbuffers headers, and parsing
them is most of its compile time; so they are compiled once into a GCC precompiled header
(PRECOMPILED_HEADERS) that each C++ file is given with -include. Every section of every
object holds the same bytes as without it (only the order of COMDAT groups differs; a test
compares a kernel both ways), and the library builds in about half the time.

Both steps are cached in folders named by a hash of everything that goes in (compiler
version, the core's flag files, every library file, the runner's sources), under
build/board/ in the checkout or $TINYML_LAB_BOARD_CACHE: a rerun finds them and does
nothing. Each folder is built under a temporary name and renamed when complete.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core.board.inputs import TARGET_FLAGS, BoardInputs, require_inputs
from tinyml_lab.core.board.recipe import compile_command
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.paths import BUILD_DIR

CACHE_ENV = "TINYML_LAB_BOARD_CACHE"
FIRMWARE_DIR = Path(__file__).resolve().parent / "firmware"
FIRMWARE_SOURCES = ("startup.c", "semihost.c", "runner.cc")
LINKER_SCRIPT = "an386.ld"
SOURCE_SUFFIXES = (".c", ".cc", ".cpp")
NOT_TFLM = ("peripherals/", "tensorflow/lite/micro/system_setup.cpp",
            "tensorflow/lite/experimental/", "third_party/kissfft/")
# What nearly every C++ file of the library includes; the flatbuffers schema comes with
# micro_context.h. Compiled once per build (build_library) and forced into each C++ file.
PRECOMPILED_HEADERS = ("tensorflow/lite/c/common.h", "tensorflow/lite/kernels/kernel_util.h",
                       "tensorflow/lite/micro/kernels/kernel_util.h",
                       "tensorflow/lite/micro/micro_log.h", "tensorflow/lite/micro/micro_utils.h")
LINK_LIBS = ("-lstdc++", "-lsupc++", "-lm", "-lc", "-lgcc", "-lnosys")


class BoardBuildError(TinyMLError):
    """The library or the runner did not compile or link; the message has the compiler's words."""


@dataclass(frozen=True)
class RunnerBuild:
    """The built library and runner firmware."""

    library: Path    # libtflm.a
    firmware: Path   # runner.elf, for qemu-system-arm -M mps2-an386 -kernel
    include_dir: Path
    built: bool      # False when both came from the cache


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or BUILD_DIR / "board")


def library_sources(inputs: BoardInputs) -> list[Path]:
    """The library's translation units that make up TFLM and CMSIS-NN, sorted."""
    src = inputs.tflm_library / "src"
    return sorted(
        p for p in src.rglob("*")
        if p.suffix in SOURCE_SUFFIXES and not p.relative_to(src).as_posix().startswith(NOT_TFLM)
    )


def _digest(parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode())
        h.update(b"\0")
    return h.hexdigest()[:20]


def _library_key(inputs: BoardInputs) -> str:
    version = subprocess.run([str(inputs.gxx), "--version"], capture_output=True, text=True,
                             check=False).stdout
    src = inputs.tflm_library / "src"
    probe = [compile_command(inputs, Path("a.c"), Path("a.o"), [src]),
             compile_command(inputs, Path("a.cpp"), Path("a.o"), [src])]
    flag_files = [inputs.core / "platform.txt", inputs.core / "boards.txt",
                  *sorted(inputs.variant.glob("*.txt"))]
    parts = [version, probe, NOT_TFLM, PRECOMPILED_HEADERS]
    parts += [p.read_bytes() for p in flag_files]
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        parts += [path.relative_to(src).as_posix(), path.read_bytes()]
    return _digest(parts)


def _firmware_key(library_key: str) -> str:
    files = sorted(p for p in FIRMWARE_DIR.iterdir() if p.is_file())
    return _digest([library_key, TARGET_FLAGS, LINK_LIBS]
                   + [x for p in files for x in (p.name, p.read_bytes())])


def precompile_header(inputs: BoardInputs, folder: Path, include_dirs) -> Path:
    """Write folder/tflm_pch.h including PRECOMPILED_HEADERS and compile it with the
    library's C++ command into tflm_pch.h.gch beside it; returns the .h, which `-include`
    then finds precompiled. GCC uses the .gch only when the flags match, so it takes the
    same ones."""
    folder.mkdir(parents=True, exist_ok=True)
    header = folder / "tflm_pch.h"
    header.write_text("".join(f'#include "{h}"\n' for h in PRECOMPILED_HEADERS))
    cmd = compile_command(inputs, header, header.with_name(header.name + ".gch"),
                          list(include_dirs))
    run = subprocess.run([cmd[0], "-x", "c++-header", *cmd[1:]], capture_output=True,
                         text=True, check=False)
    if run.returncode != 0:
        raise BoardBuildError(f"Precompiling the library's headers failed:\n"
                              f"{run.stderr[-3000:]}")
    return header


def compile_all(inputs: BoardInputs, jobs_list, include_dirs, jobs: int, what: str,
                echo: Callable[[str], None], extra_flags: str = "") -> None:
    """Compile (source, object) pairs in parallel; raise with the compiler's output."""
    total, done, start = len(jobs_list), 0, time.monotonic()
    step = max(1, total // 10)

    def one(pair):
        source, obj = pair
        obj.parent.mkdir(parents=True, exist_ok=True)
        cmd = compile_command(inputs, source, obj, include_dirs, extra_flags)
        return source, subprocess.run(cmd, capture_output=True, text=True, check=False)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for source, run in pool.map(one, jobs_list):
            if run.returncode != 0:
                raise BoardBuildError(f"Compiling {source.name} for the board failed:\n"
                                      f"{run.stderr[-3000:]}")
            done += 1
            if done % step == 0 or done == total:
                echo(f"board: {what}: {done}/{total} files compiled "
                     f"({time.monotonic() - start:.0f} s)")


@contextlib.contextmanager
def _cache_lock(cache: Path):
    """One builder at a time per cache: a second process (a notebook while the test
    session's background build runs) waits for the first and then finds its result."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _publish(tmp: Path, final: Path) -> None:
    try:
        os.rename(tmp, final)
    except OSError:  # another process finished the same build first: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)


def build_library(inputs: BoardInputs, cache: Path, jobs: int,
                  echo: Callable[[str], None]) -> tuple[Path, bool]:
    """libtflm.a for the board, from the cache when its key matches; (path, compiled?)."""
    key = _library_key(inputs)
    final = cache / f"tflm-{key}"
    if (final / "libtflm.a").is_file():
        return final / "libtflm.a", False
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tflm-{key}-", dir=cache))
    src = inputs.tflm_library / "src"
    sources = library_sources(inputs)
    pairs = [(s, tmp / "obj" / (s.relative_to(src).as_posix().replace("/", "__") + ".o"))
             for s in sources]
    echo(f"board: building {inputs.tflm_library.name} (TFLM + CMSIS-NN) for Cortex-M4F: "
         f"{len(sources)} files, {jobs} at a time; this takes minutes, once")
    c_pairs = [pair for pair in pairs if pair[0].suffix == ".c"]
    cpp_pairs = [pair for pair in pairs if pair[0].suffix != ".c"]
    try:
        compile_all(inputs, c_pairs, [src], jobs, "library (C)", echo)
        header = precompile_header(inputs, tmp / "obj", [src])  # removed with the objects
        compile_all(inputs, cpp_pairs, [src], jobs, "library (C++)", echo,
                    extra_flags="-include " + shlex.quote(str(header)))
        ar = inputs.toolchain_bin / "arm-none-eabi-ar"
        run = subprocess.run([str(ar), "rcs", str(tmp / "libtflm.a"), *(str(o) for _, o in pairs)],
                             capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise BoardBuildError(f"Archiving the library failed:\n{run.stderr[-3000:]}")
        shutil.rmtree(tmp / "obj")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _publish(tmp, final)
    return final / "libtflm.a", True


def build_runner(inputs: BoardInputs | None = None, cache: Path | None = None, jobs: int = 2,
                 echo: Callable[[str], None] = print) -> RunnerBuild:
    """The library and the runner firmware, built if the cache does not have them."""
    inputs = inputs or require_inputs()
    cache = Path(cache) if cache else cache_dir()
    with _cache_lock(cache):
        library, compiled = build_library(inputs, cache, jobs, echo)
        src = inputs.tflm_library / "src"
        firmware, linked = _link_program(
            inputs, cache, "runner", [FIRMWARE_DIR / name for name in FIRMWARE_SOURCES],
            [src, FIRMWARE_DIR], _firmware_key(library.parent.name), jobs, echo, library)
    return RunnerBuild(library, firmware, src, compiled or linked)


def build_program(name: str, sources, include_dirs=(), inputs: BoardInputs | None = None,
                  cache: Path | None = None, jobs: int = 2,
                  echo: Callable[[str], None] = print) -> Path:
    """A bare-metal program of one's own for the emulated board (e.g. a chapter's probe of
    its sketch's portable C++): the harness's startup code, semihosting and memory map
    around `sources` (which define main() and board_report_fault(name, pc), the fault
    handlers' report, and may include instruction_clock.h and semihost.h), compiled with
    the board's flags and cached by content. No TFLM."""
    inputs = inputs or require_inputs()
    cache = Path(cache) if cache else cache_dir()
    sources = [Path(s) for s in sources]
    dirs = [Path(d) for d in include_dirs]
    headers = sorted(f for d in dirs for f in d.iterdir()
                     if f.is_file() and f.suffix in (".h", ".hpp"))
    key = _digest([_firmware_key(name), *(x for f in sources + headers
                                          for x in (f.name, f.read_bytes()))])
    with _cache_lock(cache):
        firmware, _ = _link_program(
            inputs, cache, name, [FIRMWARE_DIR / "startup.c", FIRMWARE_DIR / "semihost.c",
                                  *sources], [FIRMWARE_DIR, *dirs], key, jobs, echo)
    return firmware


def _link_program(inputs: BoardInputs, cache: Path, name: str, sources: list[Path],
                  include_dirs: list[Path], key: str, jobs: int,
                  echo: Callable[[str], None], library: Path | None = None
                  ) -> tuple[Path, bool]:
    """Compile and link one firmware into cache/<name>-<key>/<name>.elf unless it is there;
    (path, linked now?)."""
    final = cache / f"{name}-{key}"
    elf = final / f"{name}.elf"
    if elf.is_file():
        return elf, False
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-{key}-", dir=cache))
    try:
        pairs = [(source, tmp / (source.name + ".o")) for source in sources]
        compile_all(inputs, pairs, include_dirs, jobs, name, echo)
        libs = ["-Wl,--start-group", *([str(library)] if library else []), *LINK_LIBS,
                "-Wl,--end-group"]
        cmd = [str(inputs.gxx), *TARGET_FLAGS, "-nostartfiles", "--specs=nosys.specs",
               "-T", str(FIRMWARE_DIR / LINKER_SCRIPT), "-Wl,--gc-sections",
               f"-Wl,-Map,{tmp / (name + '.map')}", "-o", str(tmp / elf.name),
               *(str(o) for _, o in pairs), *libs]
        run = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise BoardBuildError(f"Linking the board program {name} failed:\n"
                                  f"{run.stderr[-3000:]}")
        for _, obj in pairs:
            obj.unlink()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _publish(tmp, final)
    echo(f"board: {name} firmware linked ({elf.stat().st_size:,} B elf)")
    return elf, True


if __name__ == "__main__":  # `python -m tinyml_lab.core.board.build`: build (or find) it now
    build_runner()
