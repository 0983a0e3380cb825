"""Command line: `python -m tinyml_lab {course,info,export,predict,boards}`."""

from __future__ import annotations

import argparse
import json
import sys

from tinyml_lab.errors import TinyMLError


def _cmd_course(args) -> int:
    from tinyml_lab.course import run_course

    run_course(args.out, quick=args.quick, only=args.only, update_sketches=args.update_sketches)
    return 0


def _cmd_info(args) -> int:
    from tinyml_lab.report import format_table, op_macs
    from tinyml_lab.tflite_file import read_model

    model = read_model(args.model)
    if args.json:
        print(json.dumps(model_info_dict(model), indent=2))
        return 0
    print(f"{args.model}: {model.size_bytes:,} bytes, schema v{model.schema_version}, "
          f"{model.subgraph_count} subgraph(s), sha256 {model.sha256[:16]}...")
    print(f"full int8: {'yes' if model.is_full_int8 else 'no'}; "
          f"weights and biases: {model.constant_bytes:,} bytes")
    print("\nops (execution order):")
    macs = op_macs(model)
    print(format_table(["#", "op", "inputs", "outputs", "MACs"], [
        [op.index, op.name, list(op.inputs), list(op.outputs), macs[op.index][1]]
        for op in model.operators
    ]))
    print("\ntensors:")
    print(format_table(["#", "name", "shape", "dtype", "bytes", "const", "scale", "zero point"], [
        [t.index, t.name[:40], list(t.shape), t.dtype, t.nbytes, "yes" if t.is_constant else "",
         _short(t.scales), _short(t.zero_points)]
        for t in model.tensors
    ]))
    for kind, tensors in (("input", model.input_tensors), ("output", model.output_tensors)):
        for t in tensors:
            q = f"scale {t.scales[0]:.6g}, zero point {t.zero_points[0]}" if t.is_quantized \
                else "not quantized"
            print(f"{kind}: {list(t.shape)} {t.dtype}, {q}")
    return 0


def _short(values) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.6g}"
    return f"{len(values)} per-channel"


def model_info_dict(model) -> dict:
    return {
        "size_bytes": model.size_bytes,
        "sha256": model.sha256,
        "full_int8": model.is_full_int8,
        "ops": list(model.op_names),
        "operators": [op.name for op in model.operators],
        "inputs": [_tensor_dict(t) for t in model.input_tensors],
        "outputs": [_tensor_dict(t) for t in model.output_tensors],
        "tensors": len(model.tensors),
    }


def _tensor_dict(t) -> dict:
    return {"name": t.name, "shape": list(t.shape), "dtype": t.dtype,
            "scale": t.scales[0] if t.scales else None,
            "zero_point": t.zero_points[0] if t.zero_points else None}


def _cmd_export(args) -> int:
    from tinyml_lab.export import export_to_sketch, round_up
    from tinyml_lab.tflite_file import read_model
    from tinyml_lab.tflm import measure_arena, require_int8

    model = read_model(args.model)
    require_int8(model)  # before the (slower) arena measurement
    arena = args.arena
    if arena is None:
        measured = measure_arena(model)
        arena = round_up(max(measured.used_bytes, measured.min_arena_bytes))
        print(f"arena measured in TFLM: used {measured.used_bytes:,} B, "
              f"minimum {measured.min_arena_bytes:,} B -> kTensorArenaSize {arena:,}")
    labels = tuple(s for s in (args.labels or "").split(",") if s)
    result = export_to_sketch(model, args.sketch, arena, source=args.source or args.model,
                              labels=labels, board=args.board)
    for path in result.files:
        print(f"wrote {path}")
    return 0


def _cmd_predict(args) -> int:
    from tinyml_lab.predict import predict
    from tinyml_lab.report import format_table

    result = predict(args.chapter, args.file)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.as_dict()))
        return 0
    print(f"{args.chapter}: {result.label}")
    print(format_table(["label", "score"],
                       [[name, f"{score:.3f}"] for name, score in result.scores.items()]))
    return 0


def _cmd_boards(args) -> int:
    from tinyml_lab.boards import BOARDS
    from tinyml_lab.report import format_table

    print(format_table(
        ["key", "board", "MCU", "core", "MHz", "flash", "RAM", "model budget", "arena budget"],
        [[b.key, b.name, b.mcu, b.core, b.clock_mhz, b.flash_bytes, b.ram_bytes,
          b.model_flash_budget, b.arena_ram_budget] for b in BOARDS.values()]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tinyml_lab",
                                     description="The TinyML course's helper commands.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("course", help="execute every notebook (papermill) and summarise")
    p.add_argument("--quick", action="store_true", help="quick mode: minutes, not the full run")
    p.add_argument("--out", default="build", help="output folder (default: build)")
    p.add_argument("--only", help="run only notebooks whose name contains this")
    p.add_argument("--update-sketches", action="store_true",
                   help="export into arduino_sketches/ (maintainers, full mode)")
    p.set_defaults(func=_cmd_course)

    p = sub.add_parser("info", help="ops, tensors, quantization and sizes of a .tflite model")
    p.add_argument("model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("export", help="write a model into a sketch (C array, resolver, header)")
    p.add_argument("model")
    p.add_argument("--sketch", required=True, help="sketch folder to write into")
    p.add_argument("--arena", type=int, help="arena bytes (default: measured in TFLM)")
    p.add_argument("--labels", help="comma-separated class labels")
    p.add_argument("--board", default="nano33ble")
    p.add_argument("--source", help="provenance text for the generated files")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("predict", help="run a chapter's deployed model on your own file")
    p.add_argument("chapter", help="chapter whose sketch model to run, e.g. wake_word")
    p.add_argument("file", help="input file, e.g. a WAV recording for wake_word")
    p.add_argument("--json", action="store_true",
                   help='print {"label": ..., "scores": {...}} only')
    p.set_defaults(func=_cmd_predict)

    p = sub.add_parser("boards", help="list the boards and their budgets")
    p.set_defaults(func=_cmd_boards)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except TinyMLError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
