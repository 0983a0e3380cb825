"""Compile a course sketch for the Nano 33 BLE as arduino-cli would, and size its own code.

Every translation unit of the sketch folder is compiled with the core's recipe (recipe.py):
the .ino files joined into <name>.ino.cpp behind `#include <Arduino.h>` (as arduino-cli
does; the course's sketches declare functions before use, so no prototypes are generated),
plus its .c/.cpp/.cc files. Libraries are found as arduino-cli finds them: by the headers
the sketch includes, among the core's bundled libraries and the user's libraries.
BOARD_REVISION (1: LSM9DS1, 2: BMI270 + BMM150) is passed as -D for the IMU sketches, whose
.ino only sets a default.

Linking a whole sketch needs the core's precompiled mbed OS (libmbed.a), which is not
available here, so `sketch_size` measures the sketch's own part instead: a relocatable link
of its objects with the TFLM library, keeping only what setup() and loop() reach
(--gc-sections). Arduino core, mbed OS and the other libraries stay unresolved and are not
counted.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core.board.build import BoardBuildError, compile_all
from tinyml_lab.core.board.inputs import TARGET_FLAGS, BoardInputs, require_inputs

_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]+)[>"]', re.MULTILINE)
HEADER_SUFFIXES = (".h", ".hpp", ".hh", ".tpp", ".ipp")


@dataclass(frozen=True)
class Library:
    name: str
    include_dir: Path  # src/ of a 1.5-format library, else its folder


@dataclass(frozen=True)
class SketchBuild:
    sketch: Path
    board_revision: int | None
    objects: tuple[Path, ...]
    libraries: tuple[str, ...]   # found by the sketch's includes, in discovery order


def _libraries(inputs: BoardInputs) -> list[Library]:
    found = []
    for root in (inputs.user_libraries, inputs.core / "libraries"):
        if root.is_dir():
            for lib in sorted(p for p in root.iterdir() if p.is_dir()):
                src = lib / "src"
                found.append(Library(lib.name, src if src.is_dir() else lib))
    return found


def discover_libraries(files: list[Path], inputs: BoardInputs) -> list[Library]:
    """Libraries whose headers the files include, following includes into those libraries
    (preprocessor conditions are not evaluated: a library behind #if is found too)."""
    candidates = _libraries(inputs)
    core_dirs = [inputs.core / "cores" / "arduino", inputs.variant]
    used: list[Library] = []
    queue, seen = list(files), set(files)
    while queue:
        current = queue.pop()
        text = current.read_text(errors="replace")
        for header in _INCLUDE.findall(text):
            dirs = [current.parent] + [lib.include_dir for lib in used]
            path = next((d / header for d in dirs if (d / header).is_file()), None)
            if path is None and any((d / header).is_file() for d in core_dirs):
                continue  # the core's own header: not a library
            if path is None:
                lib = next((l for l in candidates if (l.include_dir / header).is_file()), None)
                if lib is None:
                    continue  # a system header
                used.append(lib)
                path = lib.include_dir / header
            path = path.resolve()
            if path not in seen and path.suffix in HEADER_SUFFIXES:
                seen.add(path)
                queue.append(path)
    return used


def _ino_source(sketch: Path) -> str:
    main = sketch / f"{sketch.name}.ino"
    others = sorted(p for p in sketch.glob("*.ino") if p != main)
    parts = ["#include <Arduino.h>\n"]
    for ino in [main, *others]:
        parts.append(f'#line 1 "{ino}"\n{ino.read_text()}\n')
    return "".join(parts)


def compile_sketch(sketch_dir: str | Path, board_revision: int | None = None,
                   out_dir: str | Path | None = None, inputs: BoardInputs | None = None,
                   jobs: int = 2, echo=lambda line: None) -> SketchBuild:
    """Compile every translation unit of a sketch for the Nano 33 BLE; raises BoardBuildError
    with the compiler's message on the first failure."""
    sketch = Path(sketch_dir).resolve()
    if not (sketch / f"{sketch.name}.ino").is_file():
        raise BoardBuildError(f"{sketch} is not a sketch folder: no {sketch.name}.ino in it.")
    inputs = inputs or require_inputs(need_qemu=False)
    out = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix=f"sketch_{sketch.name}_"))
    out.mkdir(parents=True, exist_ok=True)
    main_cpp = out / f"{sketch.name}.ino.cpp"
    main_cpp.write_text(_ino_source(sketch))
    units = [main_cpp] + sorted(p for p in sketch.iterdir() if p.suffix in (".c", ".cpp", ".cc"))
    scan = sorted(p for p in sketch.iterdir() if p.suffix in (".ino", ".c", ".cpp", ".cc")
                  or p.suffix in HEADER_SUFFIXES)
    libraries = discover_libraries(scan, inputs)
    extra = f"-DBOARD_REVISION={board_revision}" if board_revision is not None else ""
    pairs = [(u, out / (u.name + ".o")) for u in units]
    # the sketch folder first, as arduino-cli's copy of it is the source files' own folder
    compile_all(inputs, pairs, [sketch] + [l.include_dir for l in libraries], jobs,
                 f"sketch {sketch.name}", echo, extra_flags=extra)
    return SketchBuild(sketch, board_revision, tuple(o for _, o in pairs),
                       tuple(l.name for l in libraries))


@dataclass(frozen=True)
class SketchSize:
    """Bytes of the sketch's own code and data (with the TFLM code it reaches)."""

    text: int    # code and constants (the model array among them): flash
    data: int    # initialised variables: flash and RAM
    bss: int     # zeroed variables (the tensor arena among them): RAM
    not_counted: str = ("the Arduino core, mbed OS (libmbed.a is not available here) and the "
                        "libraries other than TFLM; stacks and heap")

    @property
    def flash_bytes(self) -> int:
        return self.text + self.data

    @property
    def ram_bytes(self) -> int:
        return self.data + self.bss


def sketch_size(build: SketchBuild, library: Path, inputs: BoardInputs | None = None) -> SketchSize:
    """Partial link of the sketch's objects and libtflm.a from setup() and loop(), unused
    sections dropped, then the size of what is left."""
    inputs = inputs or require_inputs(need_qemu=False)
    out = build.objects[0].parent / "sketch_partial.o"
    cmd = [str(inputs.gxx), *TARGET_FLAGS, "-nostdlib", "-Wl,-r", "-Wl,--gc-sections",
           "-Wl,-e,setup", "-Wl,-u,setup", "-Wl,-u,loop", "-o", str(out),
           *map(str, build.objects), str(library)]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise BoardBuildError(f"The partial link of {build.sketch.name} failed:\n"
                              f"{run.stderr[-3000:]}")
    size = subprocess.run([str(inputs.toolchain_bin / "arm-none-eabi-size"), "-A", str(out)],
                          capture_output=True, text=True, check=True).stdout
    text = data = bss = 0
    for line in size.splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        name, n = parts[0], int(parts[1])
        if name.startswith((".text", ".rodata", ".ARM.exidx", ".ARM.extab", ".init_array")):
            text += n
        elif name.startswith(".data"):
            data += n
        elif name.startswith((".bss", "COMMON")):
            bss += n
    return SketchSize(text, data, bss)


@dataclass(frozen=True)
class SketchOverhead:
    """What a sketch takes besides its model array and its tensor arena: the budget a
    model search must leave it."""

    code_bytes: int     # flash: the sketch's code and constants with the TFLM it reaches
    buffer_bytes: int   # RAM: its variables and buffers, the arena not counted
    size: SketchSize

    @property
    def not_counted(self) -> str:
        return self.size.not_counted


def sketch_overhead(sketch_dir: str | Path, library: Path | None = None,
                    inputs: BoardInputs | None = None) -> SketchOverhead:
    """Compile the sketch for the Nano 33 BLE, size its own part (sketch_size) and take out
    the model array (flash) and kTensorArenaSize (RAM) it deploys."""
    from tinyml_lab.core.board.build import build_runner
    from tinyml_lab.core.deployed import load_deployed

    deployed = load_deployed(sketch_dir)
    library = library or build_runner(inputs, echo=lambda line: None).library
    size = sketch_size(compile_sketch(sketch_dir, inputs=inputs), library, inputs)
    return SketchOverhead(size.flash_bytes - deployed.model.size_bytes,
                          size.ram_bytes - deployed.arena_bytes, size)
