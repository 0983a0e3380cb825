"""The compile command arduino-cli runs for one source file on the Nano 33 BLE.

Built from the core's own files, not written out by hand: platform.txt's
recipe.{c,cpp}.o.pattern, boards.txt's nano33ble.* properties, and the variant's
defines.txt / cflags.txt / cxxflags.txt / includes.txt (passed as @files, as the recipe
does). So the library build and the sketch checks use exactly the optimisation (-Os),
float ABI (softfp, fpv4-sp-d16), code-generation and preprocessor flags of the IDE.

Two departures, both without effect on the generated code: the compiler is the Arm GCC on
PATH (the core pins arm-none-eabi-gcc 7-2017q4, which Debian does not ship) and -g3 / -MMD
(debug info, dependency files) are left out.
"""

from __future__ import annotations

import re
import shlex
from functools import lru_cache
from pathlib import Path

from tinyml_lab.core.board.inputs import BOARD_ID, BoardInputs, read_properties

IDE_VERSION = "10607"  # what arduino-cli passes as -DARDUINO
DROPPED = ("-g3", "-MMD")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@lru_cache(maxsize=8)
def _properties(core: Path, toolchain_bin: Path) -> dict[str, str]:
    props = read_properties(core / "platform.txt")
    prefix = BOARD_ID + "."
    for key, value in read_properties(core / "boards.txt").items():
        if key.startswith(prefix):
            props[key[len(prefix):]] = value
    props.update({
        "runtime.platform.path": str(core),
        "runtime.ide.version": IDE_VERSION,
        "build.core.path": str(core / "cores" / props.get("build.core", "arduino")),
        "build.variant.path": str(core / "variants" / props["build.variant"]),
        "build.arch": core.parent.name.upper(),  # arduino-cli: the architecture folder
        "build.compiler_path": str(toolchain_bin) + "/",
        # arduino-cli's default warning level is "none"
        "compiler.warning_flags": props.get("compiler.warning_flags.none", "-w"),
    })
    return props


def expand(text: str, props: dict[str, str]) -> str:
    """Replace {key} by its property, repeatedly, as arduino-cli does; unknown keys stay."""
    for _ in range(20):
        new = _PLACEHOLDER.sub(lambda m: props.get(m.group(1), m.group(0)), text)
        if new == text:
            return new
        text = new
    return text


def compile_command(inputs: BoardInputs, source: Path, output: Path,
                    include_dirs: list[Path], extra_flags: str = "",
                    language: str | None = None) -> list[str]:
    """argv compiling `source` to `output` as the IDE would; language "c" or "cpp" (by the
    file's extension when not given; .cc is compiled as C++ as arduino-cli does)."""
    props = dict(_properties(inputs.core, inputs.toolchain_bin))
    if language is None:
        language = "c" if source.suffix == ".c" else "cpp"
    core_path = props["build.core.path"]
    includes = [core_path, props["build.variant.path"], *map(str, include_dirs)]
    props.update({
        "includes": " ".join(shlex.quote("-I" + d) for d in includes),
        "source_file": str(source),
        "object_file": str(output),
        "build.extra_flags": extra_flags,
    })
    argv = shlex.split(expand(props[f"recipe.{language}.o.pattern"], props))
    return [a for a in argv if a not in DROPPED] + path_independent_flags(inputs)


def path_independent_flags(inputs: BoardInputs) -> list[str]:
    """TFLM's error macros store __FILE__, so the flash a build takes depends on where the
    core and libraries are installed (132 such strings in the library). Mapping those folders
    to fixed names makes every size this harness reports the same on every machine; the IDE
    does not, so a real board's figure differs by the length of its paths."""
    return [f"-fmacro-prefix-map={inputs.user_libraries}=libraries",
            f"-fmacro-prefix-map={inputs.core}=core"]


def link_flags(inputs: BoardInputs) -> list[str]:
    """The variant's linker flags file (ldflags.txt) as an @file argument."""
    return ["@" + str(inputs.variant / "ldflags.txt")]
