import pytest

from tinyml_lab.core.errors import ModelFormatError
from tinyml_lab.core.tflite_file import read_model


def test_reads_ops_tensors_and_quantization(sine_int8):
    model = read_model(sine_int8)
    assert model.subgraph_count == 1
    assert model.op_names == ("FULLY_CONNECTED",)
    assert len(model.operators) == 3
    (inp,), (out,) = model.input_tensors, model.output_tensors
    assert inp.shape == (1, 1) and out.shape == (1, 1)
    assert inp.dtype == out.dtype == "int8"
    assert inp.is_quantized and not inp.is_per_channel
    assert -128 <= inp.zero_points[0] <= 127 and inp.scales[0] > 0
    assert model.is_full_int8
    # weights 16 + 256 + 16 int8, biases 33 int32
    assert model.constant_bytes == 16 + 256 + 16 + 4 * 33


def test_float_model_is_not_full_int8(sine_float):
    model = read_model(sine_float)
    assert not model.is_full_int8
    assert model.input_tensors[0].dtype == "float32"


def test_reads_files_and_hashes(sine_file, sine_int8):
    import hashlib

    model = read_model(sine_file)
    assert model.data == sine_int8
    assert model.sha256 == hashlib.sha256(sine_int8).hexdigest()


def test_missing_file(tmp_path):
    with pytest.raises(ModelFormatError, match="No model file"):
        read_model(tmp_path / "nope.tflite")


@pytest.mark.parametrize("data", [b"", b"abc", b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
                                  b'{"keras_version": "3"}' * 4])
def test_not_a_tflite_file(data):
    with pytest.raises(ModelFormatError) as err:
        read_model(data)
    assert "TFLite" in str(err.value)


@pytest.mark.parametrize("keep", [0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
def test_truncated_file_is_reported(sine_int8, keep):
    with pytest.raises(ModelFormatError, match="truncated or corrupt|corrupt|too short"):
        read_model(sine_int8[: int(len(sine_int8) * keep)])


def test_strip_names_keeps_the_model_and_drops_only_names(sine_int8):
    import numpy as np

    from tinyml_lab.core import tflm
    from tinyml_lab.core.tflite_file import _schema, strip_names

    before, stripped = read_model(sine_int8), strip_names(sine_int8)
    after = read_model(stripped)
    assert len(stripped) < len(sine_int8)
    assert any(t.name for t in before.tensors) and not any(t.name for t in after.tensors)
    for a, b in zip(before.tensors, after.tensors):  # same shapes, types, quantization
        assert (a.shape, a.dtype, a.scales, a.zero_points) == (b.shape, b.dtype, b.scales,
                                                                b.zero_points)
    assert before.op_names == after.op_names
    # constant data stays 16-byte aligned in the file, as the converter wrote it
    root = _schema.Model.GetRootAs(stripped, 0)
    base = np.frombuffer(stripped, np.uint8).ctypes.data
    offsets = [root.Buffers(i).DataAsNumpy().ctypes.data - base
               for i in range(root.BuffersLength()) if root.Buffers(i).DataLength()]
    assert offsets and all(o % 16 == 0 for o in offsets)
    x = np.linspace(0, 6.28, 50, dtype=np.float32)[:, None]
    np.testing.assert_array_equal(tflm.MicroInterpreter(before).predict(x),
                                  tflm.MicroInterpreter(after).predict(x))
    assert strip_names(stripped) == stripped  # nothing left to strip
    with pytest.raises(ModelFormatError):
        strip_names(b"not a model at all")
