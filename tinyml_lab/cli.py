"""Command line: `python -m tinyml_lab COMMAND ...`; `python -m tinyml_lab --help` lists them.

Every subcommand's expected failures (a TinyMLError, an OSError such as a permission denied
or a full disk, a bad file, bad JSON) become one line on stderr and exit status 2 in main(),
so a new subcommand gets that for free; only a bug in the package gives a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path

from tinyml_lab.core.errors import TinyMLError


def _cmd_course(args) -> int:
    from tinyml_lab.course import run_course

    run_course(args.out, quick=args.quick, only=args.only, update_sketches=args.update_sketches)
    return 0


def _cmd_student(args) -> int:
    from tinyml_lab.student import write_student_copies

    copies = write_student_copies(args.out)
    tasks = sum(c.tasks for c in copies)
    print(f"{len(copies)} student notebook(s), {tasks} task(s), in {args.out}: solutions "
          "replaced by `raise NotImplementedError`, outputs cleared")
    return 0


def _cmd_info(args) -> int:
    from tinyml_lab.core.report import format_table, op_macs
    from tinyml_lab.core.tflite_file import read_model

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
    from tinyml_lab.core.cost import inference_cost
    from tinyml_lab.core.export import export_to_sketch
    from tinyml_lab.core.tflite_file import read_model

    model = read_model(args.model)
    labels = () if args.labels is None else tuple(s.strip() for s in args.labels.split(","))
    costs = []

    def measured_cost(checked_model):  # run on the board build only once export's checks pass
        costs.append(inference_cost(checked_model, board=args.board,
                                    measure=False if args.estimate_cost else None))
        return costs[-1]

    result = export_to_sketch(model, args.sketch, args.arena, source=args.source or args.model,
                              labels=labels, board=args.board, cost=measured_cost)
    said = "estimated from MACs and op count (--estimate-cost)" if args.estimate_cost \
        else costs[-1].source
    print(f"kInvokeInstructions {costs[-1].instructions:,} ({said})")
    how = "given" if args.arena is not None else "computed for Cortex-M4 + CMSIS-NN"
    print(f"kTensorArenaSize {result.arena_bytes:,} B ({how})")
    for path in result.files:
        print(f"wrote {path}")
    return 0


def _cmd_arena(args) -> int:
    from tinyml_lab.core.arena import estimate_arena, live_set_lower_bound
    from tinyml_lab.core.report import format_table
    from tinyml_lab.core.tflite_file import read_model

    model = read_model(args.model)
    est = estimate_arena(model, args.target)
    result = est.as_dict()
    result["live_set_lower_bound"] = live_set_lower_bound(est)
    measured = None
    if args.measure:
        from tinyml_lab.core.tflm import measure_arena

        measured = measure_arena(model)
        result["measured"] = {"used_bytes": measured.used_bytes, "head_bytes": measured.head_bytes,
                              "tail_bytes": measured.tail_bytes,
                              "min_arena_bytes": measured.min_arena_bytes,
                              "runtime": "tflite_micro wheel (host)"}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{args.model}: arena estimate for target {est.target!r}")
    rows = [["head (activations, planned)", est.head_bytes],
            ["tail (persistent)", est.tail_bytes]]
    rows += [[f"  {k}", v] for k, v in est.tail_breakdown.items()]
    rows += [["used (head + tail)", est.used_bytes],
             ["minimum arena that allocates", est.min_arena_bytes],
             ["live-set lower bound of the head", result["live_set_lower_bound"]]]
    headers = ["", "estimated"]
    if measured:
        headers.append("measured (host TFLM)")
        real = {"head (activations, planned)": measured.head_bytes,
                "tail (persistent)": measured.tail_bytes,
                "used (head + tail)": measured.used_bytes,
                "minimum arena that allocates": measured.min_arena_bytes}
        rows = [r + [real.get(r[0], "")] for r in rows]
    print(format_table(headers, rows))
    if measured and est.target != "python":
        print("(the host runtime is the python target; compare with --target python)")
    peak = est.peak_step
    print(f"\nmemory peaks at {est.step_name(peak)}; buffers live there:")
    for b in est.live_at(peak):
        print(f"  {b.name[:60]:60s} {b.size:>8,} B at offset {b.offset:,}")
    return 0


def _cmd_patch(args) -> int:
    from tinyml_lab.optimisation.patch import analyse, format_report

    report = analyse(args.model, args.grid, args.stage_ops,
                     verify_inputs=args.inputs if args.verify else 0,
                     max_mac_overhead=args.max_mac_overhead)
    if args.out:
        written = report.plan.save(args.out)
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(format_report(report))
    if report.verification and not report.verification.exact:
        return 1
    return 0


def _cmd_boards(args) -> int:
    from tinyml_lab.core.boards import BOARDS
    from tinyml_lab.core.report import format_table

    print(format_table(
        ["key", "board", "MCU", "core", "MHz", "flash", "RAM", "model budget", "arena budget"],
        [[b.key, b.name, b.mcu, b.core, b.clock_mhz, b.flash_bytes, b.ram_bytes,
          b.model_flash_budget, b.arena_ram_budget] for b in BOARDS.values()]))
    return 0


def _cmd_predict(args) -> int:
    from tinyml_lab.predict import format_predictions, predict

    result = predict(args.chapter, args.file, args.sketch)
    answers = result if isinstance(result, list) else [result]
    for note in dict.fromkeys(note for answer in answers for note in answer.notes):
        print(f"note: {note}", file=sys.stderr)
    print(format_predictions(result, as_json=args.json, chapter=args.chapter))
    return 0


def _cmd_capture(args) -> int:
    sensor = args.sensor or "imu"
    needed = {"imu": ("gesture",), "audio": ("label", "speaker"), "camera": ("label",)}[sensor]
    missing = [f"--{name}" for name in needed if not getattr(args, name)]
    if missing:
        raise TinyMLError(f"capture {sensor} needs {' and '.join(missing)}; see "
                          f"`python -m tinyml_lab capture --help`.")
    return {"imu": _capture_imu, "audio": _capture_audio, "camera": _capture_camera}[sensor](args)


def _capture_imu(args) -> int:
    from tinyml_lab.chapters.gesture.capture import capture, check_output, open_port

    out = args.out or f"{args.gesture}.csv"
    check_output(out, args.gesture)  # before touching the port
    port = open_port(args.port, args.baud)
    try:
        result = capture(port, out, args.gesture, count=args.count, seconds=args.seconds)
    finally:
        port.close()
    print(f"{result.new} new {args.gesture} gesture(s); {result.total} in {result.path}"
          + (f"; {result.skipped} incomplete or broken ones skipped" if result.skipped else ""))
    return 0


def _capture_audio(args) -> int:
    from tinyml_lab.chapters.wake_word.capture import SKETCH, capture_audio
    from tinyml_lab.core.serial_capture import check_name

    check_name("Label", args.label, "yes")  # before touching the port
    check_name("Speaker", args.speaker, "alice")
    return _capture_files(args, SKETCH, "clip", "notebook 02 with data_source", lambda port:
                          capture_audio(port, args.out or "keywords", args.label, args.speaker,
                                        count=args.count or 10, clip_ms=args.clip_ms,
                                        gain=args.gain))


def _capture_camera(args) -> int:
    from tinyml_lab.chapters.person_detection.capture import SKETCH, capture_camera

    return _capture_files(args, SKETCH, "photo", "notebook 03 with images_dir", lambda port:
                          capture_camera(port, args.out or "photos", args.label,
                                         count=args.count or 10, interval_s=args.interval,
                                         preview=not args.no_preview))


def _capture_files(args, sketch: str, kind: str, use: str, record) -> int:
    """Open the port, record(port) -> CaptureResult, close it, and say what was saved."""
    from tinyml_lab.core.serial_capture import open_port

    port = open_port(args.port, args.baud, sketch)
    try:
        result = record(port)
    finally:
        port.close()
    print(f"{len(result.saved)} {kind}(s) saved in {result.folder}"
          + (f"; {result.skipped} refused" if result.skipped else "")
          + f". Train on them: {use} = {str(result.folder.parent)!r}")
    return 0


def _cmd_profile(args) -> int:
    from tinyml_lab.core.board.build import build_runner
    from tinyml_lab.core.board.profile import profile_model
    from tinyml_lab.core.cost import board_tools_missing
    from tinyml_lab.core.deployed import load_deployed
    from tinyml_lab.core.report import format_table
    from tinyml_lab.core.tflite_file import read_model

    if (args.model is None) == (args.sketch is None):
        raise TinyMLError("Give a model (MODEL.tflite) or a sketch folder (--sketch DIR).")
    missing = board_tools_missing()
    if missing:
        raise TinyMLError(f"profile measures on the board build, which cannot run here: {missing}")
    model = load_deployed(args.sketch).model if args.sketch else read_model(args.model)
    runner = build_runner(echo=lambda line: print(line, file=sys.stderr))
    result = profile_model(model, runner=runner).as_dict()
    if args.sketch:
        from tinyml_lab.core.board.sketch import compile_sketch, sketch_size

        size = sketch_size(compile_sketch(args.sketch, echo=lambda line: None), runner.library)
        result["sketch"] = {"flash_bytes": size.flash_bytes, "ram_bytes": size.ram_bytes,
                            "text": size.text, "data": size.data, "bss": size.bss,
                            "not_counted": size.not_counted}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{args.sketch or args.model}: measured on the board build (emulated Cortex-M4)")
    rows = [["model (flash)", f"{result['model_bytes']:,} B"],
            ["arena used", f"{result['arena_used_bytes']:,} B"],
            ["smallest arena that allocates", f"{result['min_arena_bytes']:,} B"],
            ["instructions per Invoke", f"{result['instructions_per_invoke']:,}"],
            ["latency, at least", f"{result['min_latency_ms']:.1f} ms at 64 MHz"]]
    if args.sketch:
        rows += [["sketch's own flash", f"{result['sketch']['flash_bytes']:,} B"],
                 ["sketch's own RAM", f"{result['sketch']['ram_bytes']:,} B"]]
    print(format_table(["", "value"], rows))
    for note in list(result["notes"]) + ([f"sketch size leaves out {result['sketch']['not_counted']}"]
                                   if args.sketch else []):
        print(f"note: {note}")
    print("\nper op (first Invoke):")
    print(format_table(["op", "instructions", "share"], [
        [name, f"{n:,}", f"{n / max(1, result['instructions_per_invoke']):.1%}"]
        for name, n in result["op_instructions"]]))
    return 0


def _cmd_vww(args) -> int:
    from tinyml_lab.chapters.person_detection.coco import build_vww, download_coco

    coco = Path(args.coco)
    if args.download:
        download_coco(coco, args.split)
    summary = build_vww(coco / "annotations" / f"instances_{args.split}.json",
                        coco / args.split, args.out, limit=args.limit)
    print(f"Visual Wake Words ({args.split}): {summary.person} person, {summary.no_person} "
          f"no_person in {summary.out_dir}; use it with the notebook parameter images_dir")
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

    p = sub.add_parser("student", help="write student copies of the notebooks: solutions "
                                       "replaced by a stub, outputs cleared")
    p.add_argument("--out", required=True, help="folder for the student notebooks")
    p.set_defaults(func=_cmd_student)

    p = sub.add_parser("info", help="ops, tensors, quantization and sizes of a .tflite model")
    p.add_argument("model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("export", help="write a model into a sketch (C array, resolver, header)")
    p.add_argument("model")
    p.add_argument("--sketch", required=True, help="sketch folder to write into")
    p.add_argument("--arena", type=int,
                   help="arena bytes (default: computed exactly by tinyml_lab.core.arena)")
    p.add_argument("--labels", help="comma-separated class labels")
    p.add_argument("--board", default="nano33ble")
    p.add_argument("--source", help="provenance text for the generated files")
    p.add_argument("--estimate-cost", action="store_true",
                   help="write kInvokeInstructions estimated from MACs, without measuring it "
                        "on the board build (seconds per model) even where its tools are here")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("arena", help="compute a model's tensor arena exactly (no TFLM run)")
    p.add_argument("model")
    p.add_argument("--target", default="cortex-m-cmsis-nn",
                   choices=["python", "x86-64", "cortex-m", "cortex-m-cmsis-nn"])
    p.add_argument("--json", action="store_true")
    p.add_argument("--measure", action="store_true",
                   help="also measure in the TFLM runtime (child processes, bisection)")
    p.set_defaults(func=_cmd_arena)

    p = sub.add_parser("profile", help="measure a model on the board build (emulated "
                                       "Cortex-M4): arena, instructions per Invoke and op")
    p.add_argument("model", nargs="?", help="a .tflite model")
    p.add_argument("--sketch", help="a sketch folder: profile its model and size its own code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_profile)

    p = sub.add_parser("patch", help="patch-based inference: split an int8 CNN so its first "
                                     "ops run tile by tile; peak memory, arena, MACs")
    p.add_argument("model")
    p.add_argument("--grid", type=int, help="n: split the stage output into n x n patches "
                                            "(default: chosen with --stage-ops)")
    p.add_argument("--stage-ops", type=int, help="K: the first K ops run patch by patch "
                                                 "(default: the lowest peak within the MAC budget)")
    p.add_argument("--verify", action="store_true",
                   help="run both schedules in TFLM on random inputs and compare the outputs")
    p.add_argument("--inputs", type=int, default=10, help="inputs --verify runs (default 10)")
    p.add_argument("--max-mac-overhead", type=float, default=0.30,
                   help="MAC budget of the default plan, as a fraction (default 0.30)")
    p.add_argument("--out", help="write stage_<k>.tflite, rest.tflite and schedule.json here")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_patch)

    p = sub.add_parser("boards", help="list the boards and their budgets")
    p.set_defaults(func=_cmd_boards)

    from tinyml_lab.predict import predictor_names

    p = sub.add_parser("predict", help="run a chapter's deployed sketch model on a file, "
                                       "with the sketch's preprocessing, in host TFLM")
    p.add_argument("chapter", help=f"one of: {', '.join(predictor_names())}")
    p.add_argument("file", help="input file (wake_word: WAV; gesture: IMU_Capture CSV; "
                                "person_detection: a picture, PNG/JPEG/BMP...)")
    p.add_argument("--json", action="store_true",
                   help='JSON: {"label": ..., "scores": {...}}, or a list of them for files '
                        "holding several inputs (gesture)")
    p.add_argument("--sketch", help="sketch folder with the model files "
                                    "(default: the committed arduino_sketches/<chapter>)")
    p.set_defaults(func=_cmd_predict)

    p = sub.add_parser(
        "capture", help="record your own data from the board: gestures (imu), keyword clips "
                        "(audio) or photos (camera)",
        description="imu: gestures from imu_capture into NAME.csv; audio: clips from "
                    "audio_capture into DATASET/LABEL/SPEAKER_nohash_N.wav; camera: frames "
                    "from camera_capture into FOLDER/LABEL/LABEL_NNNN.png.")
    p.add_argument("sensor", nargs="?", choices=["imu", "audio", "camera"],
                   help="what to record (default imu)")
    p.add_argument("--port", required=True, help="serial port (COM3, /dev/ttyACM0, ...)")
    p.add_argument("--gesture", help="imu: gesture name, e.g. punch")
    p.add_argument("--label", help="audio: the word (yes, no, unknown, silence); camera: "
                                   "person or no_person")
    p.add_argument("--speaker", help="audio: who is speaking (keeps a speaker out of both "
                                     "training and test)")
    p.add_argument("--out", help="imu: recordings file (default GESTURE.csv, appended); audio: "
                                 "dataset folder (default keywords); camera: photo folder "
                                 "(default photos)")
    p.add_argument("--count", type=int, help="stop after this many (audio, camera: default 10)")
    p.add_argument("--seconds", type=float, help="imu: stop after this many seconds")
    p.add_argument("--clip-ms", type=int, default=1000, help="audio: clip length (default 1000)")
    p.add_argument("--gain", type=int, help="audio: microphone gain 0..80 (the sketch's 20)")
    p.add_argument("--interval", type=float, default=2.0,
                   help="camera: seconds between photos (default 2)")
    p.add_argument("--no-preview", action="store_true",
                   help="camera: do not print each photo as text")
    p.add_argument("--baud", type=int, default=115200)
    p.set_defaults(func=_cmd_capture)

    p = sub.add_parser("vww", help="build Visual Wake Words (person/, no_person/) from COCO")
    p.add_argument("--coco", default="datasets/coco",
                   help="COCO folder with annotations/ and the split's images")
    p.add_argument("--split", default="val2017", choices=["val2017", "train2017"])
    p.add_argument("--out", default="datasets/vww", help="output folder")
    p.add_argument("--download", action="store_true",
                   help="download the annotations and the split first (online, ~1 GB for val2017)")
    p.add_argument("--limit", type=int, help="at most this many images per class")
    p.set_defaults(func=_cmd_vww)
    return parser


EXIT_EXPECTED_FAILURE = 2
EXIT_BROKEN_PIPE = 128 + 13  # what a command killed by SIGPIPE returns (`info | head -1`)
EXIT_INTERRUPTED = 130

_OS_ERROR_FIXES = {
    errno.EACCES: "check the file's and folder's permissions, or choose another path",
    errno.EPERM: "check the file's and folder's permissions, or choose another path",
    errno.EROFS: "that file system is read-only: choose a folder you can write to",
    errno.ENOSPC: "the disk is full: free some space, or write somewhere else",
    errno.EDQUOT: "the disk quota is used up: free some space, or write somewhere else",
    errno.ENOENT: "check the path",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EEXIST: "something is already there (a file where a folder is needed?): check the path",
    errno.EISDIR: "that is a folder, not a file: give a file",
}


def os_error_message(exc: OSError) -> str:
    """One line for a failed file operation: what, where, and what to do."""
    what = exc.strerror or str(exc) or type(exc).__name__
    where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    fix = _OS_ERROR_FIXES.get(exc.errno)
    return f"{what}{': ' + where if where else ''}" + (f" ({fix})" if fix else "")


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())


def _fail(message: str, code: int = EXIT_EXPECTED_FAILURE) -> int:
    try:
        print(f"error: {_one_line(message)}", file=sys.stderr, flush=True)
    except OSError:
        pass  # stderr is gone too: the exit status still says it
    return code


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand. Expected failures exit 2 with one line on stderr, output into a
    closed pipe exits quietly, Ctrl-C exits 130; anything else is a bug and raises."""
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below, not at exit
        return code
    except BrokenPipeError:
        # the reader stopped reading (`| head`): not an error of ours, and nothing more to say
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not raise again
            os.close(devnull)
        except (OSError, ValueError):
            pass
        return EXIT_BROKEN_PIPE
    except TinyMLError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(os_error_message(exc))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        kind = "JSON" if isinstance(exc, json.JSONDecodeError) else "text"
        return _fail(f"a file could not be read as {kind} ({exc}): check that it is the right "
                     "file and not damaged")
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
