"""The board harness itself: it finds its inputs or says what to install, it builds once,
and its instruction count is exact on loops of known length."""

import re
import shlex
import subprocess

import pytest

from tests.board_support import SKETCHES, sketch_model
from tinyml_lab.core.board import inputs as board_inputs_module
from tinyml_lab.core.board.build import precompile_header
from tinyml_lab.core.board.inputs import APT_PACKAGES, find_inputs
from tinyml_lab.core.board.recipe import compile_command


def test_missing_inputs_are_named_with_how_to_install_them(tmp_path, monkeypatch):
    monkeypatch.setenv("ARDUINO_DIRECTORIES_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("ARDUINO_DIRECTORIES_USER", str(tmp_path / "user"))
    monkeypatch.setattr(board_inputs_module.shutil, "which", lambda name: None)
    line = find_inputs()
    assert isinstance(line, str) and "\n" not in line
    assert " ".join(APT_PACKAGES) in line
    assert "arduino-cli core install arduino:mbed_nano@4.0.10" in line
    assert "arduino-cli lib install Chirale_TensorFLowLite@2.0.0" in line


def test_the_pinned_versions_are_the_sketches_profiles():
    for yaml in SKETCHES.glob("*/sketch.yaml"):
        text = yaml.read_text()
        pins = dict(re.findall(r"- (?:platform|library)?:? ?([\w:]+) \(([\d.]+)\)", text))
        assert pins.get("arduino:mbed_nano") == board_inputs_module.CORE_VERSION, yaml
        if "Chirale_TensorFLowLite" in pins:
            assert pins["Chirale_TensorFLowLite"] == board_inputs_module.TFLM_VERSION, yaml


def test_a_second_build_comes_from_the_cache(board_runner, board_inputs):
    from tinyml_lab.core.board.build import build_runner

    again = build_runner(board_inputs, echo=lambda line: pytest.fail(f"rebuilt: {line}"))
    assert not again.built and again.firmware == board_runner.firmware


def test_instruction_count_is_exact_on_known_loops(board_runner):
    from tinyml_lab.core.board.emulator import calibrate

    measured = calibrate(board_runner)
    assert [n for n, _ in measured] == [1, 10, 1000, 100000]
    # each loop is 1 + 2n instructions; the call around it adds the same few every time
    overhead = {count - (1 + 2 * n) for n, count in measured}
    assert len(overhead) == 1 and 0 <= overhead.pop() <= 8, measured
    assert calibrate(board_runner) == measured  # deterministic


def test_the_estimator_profile_is_the_board_build_struct_layout(board_runner):
    """Every struct size in the cortex-m-cmsis-nn profile is sizeof() on the board build."""
    from tinyml_lab.core.arena import TARGETS
    from tinyml_lab.core.board.emulator import struct_sizes

    sizes = {k: v[0] for k, v in struct_sizes(board_runner).items()}
    aligns = {k: v[1] for k, v in struct_sizes(board_runner).items()}
    t = TARGETS["cortex-m-cmsis-nn"]
    assert (t.pointer, t.size_t) == (sizes["void*"], sizes["size_t"])
    assert t.arena_allocator == sizes["tflite::SingleArenaBufferAllocator"]
    assert t.planner == sizes["tflite::GreedyMemoryPlanner"]
    assert t.micro_allocator == sizes["tflite::MicroAllocator"]
    assert t.subgraph_allocations == sizes["tflite::SubgraphAllocations"]
    assert t.eval_tensor == sizes["TfLiteEvalTensor"]
    # no TF_LITE_STATIC_MEMORY in the Arduino library: the full TfLiteTensor and TfLiteNode
    assert t.node_and_registration == sizes["tflite::NodeAndRegistration"] == 44
    assert t.tflite_tensor == (sizes["TfLiteTensor"], aligns["TfLiteTensor"]) == (64, 4)
    assert t.affine_quantization == sizes["TfLiteAffineQuantization"]
    assert t.allocation_info == sizes["tflite::AllocationInfo"]
    assert t.scratch_request == sizes["tflite::internal::ScratchBufferRequest"]
    params = {"CONV_2D": "TfLiteConvParams", "DEPTHWISE_CONV_2D": "TfLiteDepthwiseConvParams",
              "FULLY_CONNECTED": "TfLiteFullyConnectedParams",
              "AVERAGE_POOL_2D": "TfLitePoolParams", "MAX_POOL_2D": "TfLitePoolParams",
              "RESHAPE": "TfLiteReshapeParams",
              "STRIDED_SLICE": "TfLiteStridedSliceParams", "ADD": "TfLiteAddParams",
              "MUL": "TfLiteMulParams", "CONCATENATION": "TfLiteConcatenationParams",
              "SOFTMAX": "TfLiteSoftmaxParams", "MEAN": "TfLiteReducerParams",
              "PACK": "TfLitePackParams", "SHAPE": "TfLiteShapeParams"}
    assert set(params) == set(t.builtin_params)
    for op, struct in params.items():
        assert t.builtin_params[op] == (sizes[struct], aligns[struct]), op


def test_profile_reports_measured_cost(board_runner):
    from tinyml_lab.core.board.profile import profile_model

    model, _ = sketch_model("hello_sine")
    profile = profile_model(model, runner=board_runner)
    assert profile.inputs == "zero point" and profile.arena_used_bytes <= profile.min_arena_bytes
    assert [name for name, _ in profile.op_instructions] == [op.name for op in model.operators]
    # the ops' own counts add up to the Invoke, less the interpreter's loop around them
    assert 0 < sum(n for _, n in profile.op_instructions) < profile.instructions_per_invoke
    assert profile.as_dict()["min_latency_ms"] == round(profile.instructions_per_invoke / 64e3, 3)


def test_profile_command_reports_the_sketch_as_measured(board_runner, capsys):
    import json

    from tinyml_lab.cli import main
    from tinyml_lab.core.board.emulator import MAX_ARENA, run_model
    from tinyml_lab.core.board.profile import zero_point_input

    assert main(["profile", "--sketch", str(SKETCHES / "hello_sine"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    model, arena = sketch_model("hello_sine")
    run = run_model(model, MAX_ARENA, [zero_point_input(model)], runner=board_runner)
    assert result["arena_used_bytes"] == run.arena_used_bytes
    assert result["instructions_per_invoke"] == run.instructions[0]
    assert result["min_arena_bytes"] <= arena
    # the sketch's own RAM holds its arena; its flash holds the model
    assert result["sketch"]["ram_bytes"] >= arena
    assert result["sketch"]["flash_bytes"] > result["model_bytes"]


def test_profile_without_the_tools_says_what_to_install(tmp_path, monkeypatch, capsys):
    from tinyml_lab.cli import main

    monkeypatch.setenv("ARDUINO_DIRECTORIES_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("ARDUINO_DIRECTORIES_USER", str(tmp_path / "user"))
    assert main(["profile", "--sketch", str(SKETCHES / "hello_sine")]) == 2
    err = capsys.readouterr().err
    assert "cannot run here" in err and "arduino-cli core install" in err


def test_the_library_does_not_depend_on_where_the_core_is_installed(board_runner, board_inputs):
    """TFLM's error macros keep __FILE__; with the install folders mapped to fixed names, the
    flash every size figure counts is the same on every machine."""
    library = board_runner.library.read_bytes()
    assert b"libraries/Chirale_TensorFlowLite/src/tensorflow/lite/" in library
    for folder in (board_inputs.user_libraries, board_inputs.core):
        assert str(folder).encode() not in library


def _sections(objdump, obj) -> list[str]:
    """Each section's bytes and relocations, in a fixed order. .group sections are left out:
    they hold the indices of COMDAT sections, which follow the order GCC created them in."""
    out = subprocess.run([str(objdump), "-s", "-r", str(obj)], capture_output=True, text=True,
                         check=True).stdout
    blocks = re.split(r"\n(?=Contents of section |RELOCATION RECORDS FOR )", out)[1:]
    return sorted(b.strip() for b in blocks if not b.startswith("Contents of section .group"))


def test_the_precompiled_headers_are_used_and_change_no_code(board_inputs, tmp_path):
    """The library build forces the precompiled headers into every C++ file for speed; GCC
    falls back to parsing silently when the flags do not match, and a header parsed ahead
    of a file's own #defines could change its code. Both are checked on a kernel with
    templates and macros of its own."""
    src = board_inputs.tflm_library / "src"
    source = src / "tensorflow/lite/micro/kernels/div.cpp"
    header = precompile_header(board_inputs, tmp_path, [src])
    objects = {}
    for name, flags in (("plain", ""), ("precompiled", "-include " + shlex.quote(str(header)))):
        objects[name] = tmp_path / f"{name}.o"
        cmd = compile_command(board_inputs, source, objects[name], [src], flags) + ["-H"]
        run = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stderr[-2000:]
        if name == "precompiled":  # -H marks a precompiled header it used with "!"
            assert f"! {header}.gch" in run.stderr, run.stderr[:500]
    objdump = board_inputs.toolchain_bin / "arm-none-eabi-objdump"
    assert _sections(objdump, objects["plain"]) == _sections(objdump, objects["precompiled"])
