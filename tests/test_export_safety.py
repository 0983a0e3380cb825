"""What the exporter refuses, and what it escapes: no label, file name or number from the
caller or the model ends a comment or string in the generated C, every number written is a
valid literal, and every model written has been run by TFLM at the sketch's arena."""

import re
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import committed_model, rewrite_model
from tinyml_lab.cli import main
from tinyml_lab.core import export
from tinyml_lab.core.arena import board_arena_need, sketch_arena_bytes
from tinyml_lab.core.deployed import load_deployed
from tinyml_lab.core.errors import ModelFormatError, TinyMLError

FAKE_TFLM = Path(__file__).parent / "fake_tflm"
GESTURE_LABELS = ("punch", "flex", "wave", "circle")

# Every generated file, compiled together; an injected `int injected_global` would collide
# with this one, an injected #error would stop the build.
ALL_HEADERS = r"""
#include <cstdio>
#include "model_data.h"
#include "model_ops.h"
#include "model_settings.h"
int injected_global = 0;
int main() {
  ModelOpResolver resolver;
  if (RegisterModelOps(resolver) != kTfLiteOk) return 1;
  std::printf("%u %d\n", g_model_len, kLabelCount);
  for (int i = 0; i < kLabelCount; ++i) std::printf("%s\n", kLabels[i]);
}
"""


@pytest.fixture(scope="module")
def gesture():
    return committed_model("gesture")


def _compile_sketch(cxx, sketch: Path) -> list[str]:
    sources = {"main.cc": ALL_HEADERS, "model_data.cc": (sketch / "model_data.cc").read_text()}
    return cxx(sources, include_dirs=[sketch, FAKE_TFLM]).splitlines()


def test_labels_with_quotes_backslashes_and_trigraphs_compile_and_read_back(
        tmp_path, gesture, cxx):
    labels = ('say "hi"', "back\\slash\\", "what??/", "*/ café")
    export.export_to_sketch(gesture, tmp_path / "s", None, source="test", labels=labels)
    printed = _compile_sketch(cxx, tmp_path / "s")
    assert printed[0] == f"{gesture.size_bytes} 4" and tuple(printed[1:]) == labels
    assert load_deployed(tmp_path / "s").labels == labels


@pytest.mark.parametrize("label", ["a\n#error injected", "tab\there", "", " padded",
                                   "line\u2028separator", "bell\x07"])
def test_labels_that_could_break_the_c_are_refused(tmp_path, gesture, label):
    labels = (label, "flex", "wave", "circle")
    with pytest.raises(TinyMLError, match="printable text on one line"):
        export.export_to_sketch(gesture, tmp_path / "s", None, source="test", labels=labels)
    assert not (tmp_path / "s").exists()


def test_a_source_or_file_name_cannot_end_the_comment(tmp_path, gesture, cxx):
    source = "nb.ipynb\n#error injected\nint injected_global = 42; // \\\r\x0c\udcff{\\"
    export.export_to_sketch(gesture, tmp_path / "s", None, source=source,
                            labels=GESTURE_LABELS)
    assert _compile_sketch(cxx, tmp_path / "s")[0] == f"{gesture.size_bytes} 4"
    for name in export.GENERATED_FILES:
        head = (tmp_path / "s" / name).read_text().splitlines()[:3]
        assert all(line.startswith("// ") for line in head), name
        assert "#error injected" in head[0] and "\\n" in head[0]  # kept, escaped, readable


def test_a_model_file_name_with_braces_and_newlines_round_trips(tmp_path, gesture, capsys):
    odd = tmp_path / "we{ird}\nname};.tflite"
    odd.write_bytes(gesture.data)
    assert main(["export", str(odd), "--sketch", str(tmp_path / "s"),
                 "--labels", ",".join(GESTURE_LABELS), "--estimate-cost"]) == 0
    assert load_deployed(tmp_path / "s").model.data == gesture.data


def test_labels_must_match_the_outputs(tmp_path, gesture, capsys):
    with pytest.raises(TinyMLError, match="3 labels .* 4 output"):
        export.export_to_sketch(gesture, tmp_path / "s", None, source="t", labels=("a", "b", "c"))
    assert main(["export", str(_model_file(tmp_path, gesture)), "--sketch", str(tmp_path / "s"),
                 "--labels", "a,b,c,d,e"]) == 2
    assert "5 labels" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_labels_of_the_wrong_type_are_a_type_error(tmp_path, gesture):
    with pytest.raises(TypeError, match="list or tuple of strings"):
        export.export_to_sketch(gesture, tmp_path / "s", None, source="t", labels="abcd")
    with pytest.raises(TypeError, match="sketch_dir must be a path"):
        export.export_to_sketch(gesture, 42, None, source="t")
    with pytest.raises(TypeError, match="source must be a string"):
        export.export_to_sketch(gesture, tmp_path / "s", None, source=None)
    with pytest.raises(TypeError, match="arena_bytes must be an integer"):
        export.export_to_sketch(gesture, tmp_path / "s", 4096.5, source="t")


def _model_file(tmp_path: Path, model) -> Path:
    path = tmp_path / "model.tflite"
    path.write_bytes(model.data)
    return path


@pytest.mark.parametrize("arena", ["0", "1", "100", "-5"])
def test_an_arena_below_the_computed_minimum_is_refused(tmp_path, gesture, capsys, arena):
    need = board_arena_need(gesture)
    assert main(["export", str(_model_file(tmp_path, gesture)), "--sketch", str(tmp_path / "s"),
                 "--arena", arena]) == 2
    err = capsys.readouterr().err
    assert f"below the {need:,} B this model needs on the board" in err
    assert f"at least {need:,} B" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists()


def test_an_arena_at_the_minimum_is_written_and_said_to_be_given(tmp_path, gesture, capsys):
    need = board_arena_need(gesture)
    assert main(["export", str(_model_file(tmp_path, gesture)), "--sketch", str(tmp_path / "s"),
                 "--arena", str(need), "--estimate-cost"]) == 0
    assert f"kTensorArenaSize {export.round_up(need):,} B (given)" in capsys.readouterr().out
    assert sketch_arena_bytes(gesture) == export.round_up(need) + 16


def test_the_cost_is_measured_only_for_a_model_that_passed_every_check(tmp_path, gesture,
                                                                      capsys, monkeypatch):
    """`export` measures kInvokeInstructions on the board emulator: never for a model it
    refuses (a damaged one must not reach the emulator), and not at all with --estimate-cost."""
    from tinyml_lab.core import cost

    measured = []
    real = cost.inference_cost
    monkeypatch.setattr(cost, "inference_cost",
                        lambda model, board, measure=None: measured.append(measure)
                        or real(model, board=board, measure=False))
    model_file = _model_file(tmp_path, gesture)
    assert main(["export", str(model_file), "--sketch", str(tmp_path / "s"),
                 "--labels", "one,two"]) == 2
    assert measured == []
    assert main(["export", str(model_file), "--sketch", str(tmp_path / "s"),
                 "--estimate-cost"]) == 0
    assert measured == [False]
    assert "estimated from MACs" in capsys.readouterr().out
    assert "estimated from MACs" in (tmp_path / "s" / "model_settings.h").read_text()


def test_a_cost_of_the_wrong_type_is_a_type_error(gesture):
    with pytest.raises(TypeError, match="cost must be an InferenceCost"):
        export.render_sketch_files(gesture, None, "x", cost=563409)


def test_a_nan_scale_is_never_written(tmp_path, gesture):
    output = gesture.outputs[0]

    def nan_scale(model):
        model.subgraphs[0].tensors[output].quantization.scale = np.array([np.nan], np.float32)

    with pytest.raises(ModelFormatError, match="scale nan"):
        export.export_to_sketch(rewrite_model(gesture.data, nan_scale), tmp_path / "s", None,
                                source="t")
    assert not (tmp_path / "s").exists()
    for value in (float("nan"), float("inf"), -float("inf"), 1e39):
        with pytest.raises(TinyMLError, match="cannot be written as a C float"):
            export._c_float(value)


def test_a_negative_scale_inside_the_model_is_refused(tmp_path, gesture):
    inner = gesture.operators[1].outputs[0]

    def negative(model):
        q = model.subgraphs[0].tensors[inner].quantization
        q.scale = -np.asarray(q.scale, np.float32)

    with pytest.raises(ModelFormatError, match=f"Tensor {inner} .* has scale -.*finite and "
                                               "positive"):
        export.export_to_sketch(rewrite_model(gesture.data, negative), tmp_path / "s", None,
                                source="t")


def test_zero_points_outside_int8_are_refused(tmp_path, gesture):
    output = gesture.outputs[0]

    def zero_point(model):
        model.subgraphs[0].tensors[output].quantization.zeroPoint = np.array([300], np.int64)

    with pytest.raises(ModelFormatError, match="zero point outside int8"):
        export.export_to_sketch(rewrite_model(gesture.data, zero_point), tmp_path / "s", None,
                                source="t")


def test_a_model_tflm_refuses_to_prepare_is_not_exported(tmp_path, gesture):
    """Structurally sound, but its bias scale is not input scale x weight scale: TFLM's
    FULLY_CONNECTED refuses it in Prepare. Only running it finds that."""
    fc = next(op for op in gesture.operators if op.name == "FULLY_CONNECTED")
    bias = fc.inputs[2]

    def wrong_bias_scale(model):
        q = model.subgraphs[0].tensors[bias].quantization
        q.scale = np.asarray(q.scale, np.float32) * 10

    damaged = rewrite_model(gesture.data, wrong_bias_scale)
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "model_data.cc").write_text("old")
    with pytest.raises(TinyMLError, match=r"TFLM cannot load this model .*host's equivalent"
                                          r".*TFLM said: .*FULLY_CONNECTED"):
        export.export_to_sketch(damaged, tmp_path / "s", None, source="t")
    assert (tmp_path / "s" / "model_data.cc").read_text() == "old"
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["model_data.cc"]


def test_the_host_check_uses_the_sketchs_margin_over_the_board_minimum(gesture, monkeypatch):
    """The probe's arena is the host minimum plus what the sketch has above the board
    minimum: the same question as on the board, with the host's 64-bit structs."""
    from tinyml_lab.core import tflm_guard

    asked = []
    monkeypatch.setattr(tflm_guard, "require_runs", lambda model, arena, where: asked.append(
        (arena, where)))
    export.render_sketch_files(gesture, None, "t", GESTURE_LABELS)
    host_need, board_need = board_arena_need(gesture, "python"), board_arena_need(gesture)
    sketch = sketch_arena_bytes(gesture)
    assert asked[0][0] == host_need + (sketch - board_need)
    assert f"{sketch:,} B kTensorArenaSize" in asked[0][1]


def test_read_c_array_names_the_damage():
    assert export.read_c_array("unsigned char m[] = {0x01, 2, 0xff};") == b"\x01\x02\xff"
    with pytest.raises(ModelFormatError, match="No C byte array"):
        export.read_c_array("// just a comment {\n")
    with pytest.raises(ModelFormatError, match=r"Byte 1 of the array m is '0xzz'"):
        export.read_c_array("unsigned char m[] = {0x01, 0xzz};")
    with pytest.raises(ModelFormatError, match="holds 2 bytes but m_len says 3"):
        export.read_c_array("unsigned char m[] = {0x01, 0x02};\nconst unsigned int m_len = 3;")
    with pytest.raises(TypeError, match="must be a string"):
        export.read_c_array(b"unsigned char m[] = {0x01};")


def test_settings_arena_bytes_names_a_damaged_header():
    assert export.settings_arena_bytes("constexpr int kTensorArenaSize = 4320;") == 4320
    with pytest.raises(ModelFormatError, match="no kTensorArenaSize"):
        export.settings_arena_bytes("constexpr int kTensorArena = ;")


def test_committed_sketches_render_unchanged(gesture):
    """The checks change nothing for ordinary input: re-rendering the committed gesture
    model gives its committed files byte for byte."""
    from tinyml_lab.core.cost import InferenceCost
    from tinyml_lab.core.deployed import load_deployed

    sketch = Path(__file__).resolve().parents[1] / "arduino_sketches" / "gesture"
    # The instruction count is measured on the board build; give export the committed one.
    measured = InferenceCost(load_deployed(sketch).invoke_instructions, measured=True)
    files = export.render_sketch_files(gesture, None, "notebooks/04_gesture.ipynb",
                                       GESTURE_LABELS, cost=measured)
    for name, text in files.items():
        assert text == (sketch / name).read_text(), name
    assert re.search(r"kTensorArenaSize = \d+;", files["model_settings.h"])
