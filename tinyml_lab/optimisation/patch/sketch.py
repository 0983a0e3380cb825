"""The generated files of a patch-based sketch, and reading them back.

A patch sketch (arduino_sketches/person_detection_patch) holds, next to its hand-written
.ino and its copy of the harness's patch_runner.h:
- patch_models.h / patch_models.cc: every stage model and the rest of the network as
  16-byte-aligned const arrays (flash), and kStageModels[] pointing at the stage ones;
- patch_plan.h: the schedule (patch_runner::Patch table), the input and stage-output
  maps, the input's zero point;
- model_ops.h: one resolver for every op the models use;
- model_settings.h: the network's input and output quantization, its labels, and
  kTensorArenaSize: the one arena the models take turns in (the largest of their
  sketch arenas), the stage output having its own buffer (kStageOutputBytes).
Each is headed with the source model's sha256, as every generated file is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core.boards import DEFAULT_BOARD, require_fit
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.export import (
    c_byte_rows,
    provenance,
    read_c_array,
    resolver_source,
    settings_arena_bytes,
    settings_source,
    write_sketch_files,
)
from tinyml_lab.core.ops import require_pinned_kernels
from tinyml_lab.core.tflite_file import TFLiteModel, read_model
from tinyml_lab.core.tflm import require_int8
from tinyml_lab.core.cost import InferenceCost
from tinyml_lab.optimisation.patch.costs import board_arenas, schedule_cost
from tinyml_lab.optimisation.patch.plan import PatchPlan

GENERATED_FILES = ("patch_models.h", "patch_models.cc", "patch_plan.h", "model_ops.h",
                   "model_settings.h")
REGENERATE = ("re-run the notebook with sketches_dir set (patch plan of the model below) to "
              "regenerate.")
ARENA_NOTE = (
    "the largest of the patch models' arenas (each computed by\n"
    "// tinyml_lab.core.arena for the Nano 33 BLE build of Chirale_TensorFLowLite 2.0.0,\n"
    "// rounded up to 16, plus 16 B for an unaligned array): the stage models and the rest of\n"
    "// the network take turns in it. Declare it alignas(16)."
)


def _models_source(plan: PatchPlan, head: str) -> tuple[str, str]:
    guard = "TINYML_LAB_PATCH_MODELS_H_"
    count = len(plan.stage_models)
    header = (
        f"{head}#ifndef {guard}\n#define {guard}\n\n"
        '#include "patch_plan.h"\n\n'
        "// The stage models (one per kind of patch) and the rest of the network, as\n"
        "// flatbuffers in flash (const, 16-byte aligned).\n"
        "extern const unsigned char* const kStageModels[kStageModelCount];\n"
        "extern const unsigned char g_rest_model[];\n\n"
        f"#endif  // {guard}\n")
    parts = [f'{head}#include "patch_models.h"\n']
    for k, model in enumerate(plan.stage_models):
        parts.append(f"\n// stage model {k}: {model.size_bytes} bytes\n"
                     f"alignas(16) const unsigned char g_stage_model_{k}[] = {{\n"
                     f"{c_byte_rows(model.data)}\n}};\n")
    parts.append(f"\n// the rest of the network: {plan.rest_model.size_bytes} bytes\n"
                 "alignas(16) const unsigned char g_rest_model[] = {\n"
                 f"{c_byte_rows(plan.rest_model.data)}\n}};\n")
    names = ", ".join(f"g_stage_model_{k}" for k in range(count))
    parts.append(f"\nconst unsigned char* const kStageModels[kStageModelCount] = {{{names}}};\n")
    return header, "".join(parts)


def _plan_source(plan: PatchPlan, head: str) -> str:
    guard = "TINYML_LAB_PATCH_PLAN_H_"
    s = plan.schedule()
    (ih, iw, ic), (oh, ow, oc) = s["input_shape"], s["stage_output_shape"]
    rows = "\n".join(
        f"    {{{p['model']}, {', '.join(map(str, p['input']))}, "
        f"{', '.join(map(str, p['output']))}}},  // patch ({p['row']}, {p['col']})"
        for p in s["patches"])
    return (
        f"{head}#ifndef {guard}\n#define {guard}\n\n"
        '#include "patch_runner.h"\n\n'
        f"// The network's first {plan.stage_ops} ops run patch by patch on a {plan.grid} x "
        f"{plan.grid} grid of their\n// output; each patch reads its input region (past the "
        "edges: the input's zero point)\n// and writes its tile: {model, input row, col, "
        "height, width, output row, col, height, width}.\n"
        f"constexpr int kGrid = {plan.grid};\n"
        f"constexpr int kStageOps = {plan.stage_ops};\n"
        f"constexpr patch_runner::Map kInputMap = {{{ih}, {iw}, {ic}}};\n"
        f"constexpr int kPatchInputZeroPoint = {s['input_zero_point']};\n"
        f"constexpr patch_runner::Map kStageOutputMap = {{{oh}, {ow}, {oc}}};\n"
        f"constexpr int kStageOutputBytes = {oh * ow * oc};\n"
        f"constexpr int kStageModelCount = {len(plan.stage_models)};\n"
        f"constexpr int kPatchCount = {len(s['patches'])};\n"
        f"constexpr patch_runner::Patch kPatches[kPatchCount] = {{\n{rows}\n}};\n\n"
        f"#endif  // {guard}\n")


def render_patch_sketch(plan: PatchPlan, source: str, labels: tuple[str, ...] = (),
                        board: str = DEFAULT_BOARD, cost: InferenceCost | None = None
                        ) -> dict[str, str]:
    """Check every model (int8, TFLM ops, the pinned kernels; flash and RAM against the
    board) and render the generated files. cost: one frame of the schedule
    (costs.schedule_cost measures it on the board build); None writes the estimate."""
    models = (*plan.stage_models, plan.rest_model)
    for model in models:
        require_int8(model)
        require_pinned_kernels(model)
    head = provenance(plan.source, source, REGENERATE)
    op_names = tuple(dict.fromkeys(name for m in models for name in m.op_names))
    ops_header = resolver_source(op_names, head)
    arenas = board_arenas(plan)
    arena = max(*arenas.stage_arena_bytes, arenas.rest_arena_bytes)
    require_fit(sum(m.size_bytes for m in models), arena + arenas.stage_output_bytes, board)
    header, body = _models_source(plan, head)
    cost = cost or schedule_cost(plan, measure=False)
    settings = settings_source(plan.source, source, arena, tuple(labels), ARENA_NOTE, cost,
                               REGENERATE)
    settings = settings.replace("// One Invoke: ", "// One frame: every patch and the rest of the "
                                "network, set-ups and copies included:\n// ")
    return {"patch_models.h": header, "patch_models.cc": body,
            "patch_plan.h": _plan_source(plan, head), "model_ops.h": ops_header,
            "model_settings.h": settings}


def export_patch_sketch(plan: PatchPlan, sketch_dir: str | Path, source: str,
                        labels: tuple[str, ...] = (), board: str = DEFAULT_BOARD,
                        cost: InferenceCost | None = None) -> list[Path]:
    """Render, then write the generated files into sketch_dir (each atomically)."""
    return write_sketch_files(sketch_dir, render_patch_sketch(plan, source, labels, board, cost))


@dataclass(frozen=True)
class PatchSketch:
    """A patch sketch's models, schedule, arena and labels, as the board has them."""

    sketch_dir: Path
    stage_models: tuple[TFLiteModel, ...]
    rest_model: TFLiteModel
    schedule: dict
    arena_bytes: int
    labels: tuple[str, ...]
    source_sha256: str
    cost: InferenceCost  # one frame, as model_settings.h states it


def read_patch_sketch(sketch_dir: str | Path) -> PatchSketch:
    """Read the generated files of a patch sketch back (models, schedule, settings)."""
    sketch_dir = Path(sketch_dir)
    missing = [n for n in GENERATED_FILES if not (sketch_dir / n).is_file()]
    if missing:
        raise TinyMLError(f"{sketch_dir} lacks {', '.join(missing)}: run notebook "
                          "07_memory_planning with sketches_dir set to write them.")
    text = (sketch_dir / "patch_models.cc").read_text()
    arrays = [read_c_array(text[m.start():]) for m in
              re.finditer(r"const unsigned char g_\w+\[\] = \{", text)]
    names = re.findall(r"const unsigned char (g_\w+)\[\] = \{", text)
    stage = tuple(read_model(a) for n, a in zip(names, arrays) if n.startswith("g_stage_model_"))
    rest = read_model(arrays[names.index("g_rest_model")])
    plan_text = (sketch_dir / "patch_plan.h").read_text()

    def constant(name):
        return int(re.search(rf"{name} = (-?\d+);", plan_text).group(1))

    def triple(name):
        return [int(v) for v in re.search(rf"{name} = \{{(\d+), (\d+), (\d+)\}};",
                                          plan_text).groups()]

    patches = []
    for row in re.findall(r"\{([-\d, ]+)\},  // patch \((\d+), (\d+)\)", plan_text):
        values = [int(v) for v in row[0].split(",")]
        patches.append({"row": int(row[1]), "col": int(row[2]), "model": values[0],
                        "input": values[1:5], "output": values[5:9]})
    schedule = {"grid": constant("kGrid"), "stage_ops": constant("kStageOps"),
                "input_shape": triple("kInputMap"),
                "input_zero_point": constant("kPatchInputZeroPoint"),
                "stage_output_shape": triple("kStageOutputMap"),
                "stage_models": len(stage), "patches": patches}
    settings = (sketch_dir / "model_settings.h").read_text()
    block = re.search(r"kLabels\[kLabelCount\]\s*=\s*\{(.*?)\};", settings, re.S)
    labels = tuple(re.findall(r'"((?:[^"\\]|\\.)*)"', block.group(1))) if block else ()
    sha = re.search(r"sha256 ([0-9a-f]{64})", settings).group(1)
    instructions = int(re.search(r"kInvokeInstructions = (\d+);", settings).group(1))
    measured = "estimated from MACs" not in settings
    return PatchSketch(sketch_dir, stage, rest, schedule, settings_arena_bytes(settings),
                       labels, sha, InferenceCost(instructions, measured))
