import re
from pathlib import Path

import pytest

from tinyml_lab.core import export
from tinyml_lab.core.errors import BoardFitError, NotQuantizedError, UnsupportedOpError
from tinyml_lab.core.tflite_file import read_model

FAKE_TFLM = Path(__file__).parent / "fake_tflm"

DUMP_MODEL = r"""
#include <cstdint>
#include <cstdio>
#include "model_data.h"
int main() {
  std::printf("aligned=%d\n", static_cast<int>(reinterpret_cast<std::uintptr_t>(g_model) % 16 == 0));
  std::printf("len=%u\n", g_model_len);
  for (unsigned int i = 0; i < g_model_len; ++i) std::printf("%02x", g_model[i]);
  std::printf("\n");
}
"""

RUN_RESOLVER = r"""
#include <cstdio>
#include "model_ops.h"
int main() {
  ModelOpResolver resolver;
  if (RegisterModelOps(resolver) != kTfLiteOk) return 1;
  std::printf("count=%d\n", kModelOpCount);
  for (const auto& op : resolver.registered) std::printf("%s\n", op.c_str());
}
"""

PRINT_SETTINGS = r"""
#include <cstdio>
#include "model_settings.h"
int main() {
  std::printf("%d %d %d %.9g %d %.9g %d %d\n", kTensorArenaSize, kInputSize, kOutputSize,
              kInputScale, kInputZeroPoint, kOutputScale, kOutputZeroPoint, kLabelCount);
  for (int i = 0; i < kLabelCount; ++i) std::printf("%s\n", kLabels[i]);
}
"""


def test_c_array_round_trips_byte_for_byte(sine_int8):
    model = read_model(sine_int8)
    header, source = export.c_array_source(model, "test")
    assert "alignas(16) const unsigned char g_model[]" in source
    assert export.read_c_array(source) == sine_int8
    assert f"sha256 {model.sha256}" in header


def test_generated_array_compiles_and_is_aligned_and_identical(sine_int8, cxx):
    header, source = export.c_array_source(read_model(sine_int8), "test")
    out = cxx({"model_data.h": header, "model_data.cc": source, "main.cc": DUMP_MODEL})
    lines = out.split()
    assert lines[0] == "aligned=1"
    assert lines[1] == f"len={len(sine_int8)}"
    assert bytes.fromhex(lines[2]) == sine_int8


def test_generated_resolver_registers_exactly_the_models_ops(sine_int8, cxx):
    model = read_model(sine_int8)
    ops_h = export.op_resolver_source(model, "test")
    out = cxx({"model_ops.h": ops_h, "main.cc": RUN_RESOLVER}, include_dirs=[FAKE_TFLM])
    lines = out.split()
    assert lines[0] == f"count={len(model.op_names)}"
    assert tuple(lines[1:]) == model.op_names


def test_generated_settings_compile_and_match_the_model(sine_int8, cxx):
    model = read_model(sine_int8)
    text = export.settings_source(model, "test", 1936, labels=("a", 'say "hi"'))
    out = cxx({"model_settings.h": text, "main.cc": PRINT_SETTINGS}).splitlines()
    fields = out[0].split()
    inp, outp = model.input_tensors[0], model.output_tensors[0]
    assert int(fields[0]) == 1936 and int(fields[1]) == 1 and int(fields[2]) == 1
    assert float(fields[3]) == pytest.approx(inp.scales[0], rel=1e-7)
    assert int(fields[4]) == inp.zero_points[0]
    assert float(fields[5]) == pytest.approx(outp.scales[0], rel=1e-7)
    assert int(fields[6]) == outp.zero_points[0]
    assert fields[7] == "2" and out[1:] == ["a", 'say "hi"']


def test_export_writes_all_files_with_provenance(tmp_path, sine_int8):
    result = export.export_to_sketch(sine_int8, tmp_path / "s", 1930, source="nb.ipynb",
                                     labels=("sine",))
    names = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert names == sorted(export.GENERATED_FILES)  # no temporary files left behind
    assert result.arena_bytes == 1936  # rounded up to 16
    sha = read_model(sine_int8).sha256
    for path in result.files:
        assert "from nb.ipynb" in path.read_text() and sha in path.read_text()
    assert "kTensorArenaSize = 1936;" in (tmp_path / "s" / "model_settings.h").read_text()


def test_export_computes_the_arena_when_not_given(tmp_path, sine_int8):
    from tinyml_lab.core.arena import sketch_arena_bytes

    result = export.export_to_sketch(sine_int8, tmp_path / "s", None, source="nb")
    assert result.arena_bytes == sketch_arena_bytes(sine_int8)
    settings = (tmp_path / "s" / "model_settings.h").read_text()
    assert "computed by tinyml_lab.core.arena" in settings


def test_export_refuses_a_float_model_and_writes_nothing(tmp_path, sine_float):
    with pytest.raises(NotQuantizedError, match="not fully int8"):
        export.export_to_sketch(sine_float, tmp_path / "s", 4096, source="x")
    assert not (tmp_path / "s").exists()


def test_export_refuses_a_model_too_big_for_the_board(tmp_path, sine_int8):
    with pytest.raises(BoardFitError, match="Arena too big"):
        export.export_to_sketch(sine_int8, tmp_path / "s", 10 * 1024 * 1024, source="x")
    assert not (tmp_path / "s").exists()


def test_export_refuses_ops_tflm_lacks(sine_int8, monkeypatch):
    from tinyml_lab.core import ops

    monkeypatch.delitem(ops.RESOLVER_METHODS, "FULLY_CONNECTED")
    with pytest.raises(UnsupportedOpError, match="FULLY_CONNECTED"):
        export.render_sketch_files(read_model(sine_int8), 2048, source="x")


def test_sketch_copy_takes_hand_written_files_only(tmp_path):
    copied = export.sketch_copy("hello_sine", tmp_path)
    names = {p.name for p in copied.iterdir()}
    assert {"hello_sine.ino", "sketch.yaml", "sine_io.h"} <= names
    assert not names & set(export.GENERATED_FILES)


def test_c_float_literals_are_valid():
    assert export._c_float(3.0) == "3.0f"
    assert re.fullmatch(r"[0-9.e+-]+f", export._c_float(1.2345e-7))


def test_export_refuses_per_channel_dense_weights_the_board_library_misreads(
        tmp_path, keras_sine_model):
    from tinyml_lab.core.convert import to_int8

    model, data = keras_sine_model
    per_channel = to_int8(model, data.train.x, per_channel_dense=True)
    with pytest.raises(UnsupportedOpError, match="per-channel weights.*per_channel_dense=False"):
        export.export_to_sketch(per_channel, tmp_path / "s", None, source="nb")
    assert not (tmp_path / "s").exists()  # refused before anything was written
