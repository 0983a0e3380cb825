"""The person-detection notebook in the quick course run (executed once per session by the
quick_course fixture): its summary, the data source it names, and the sketch it exported."""

import pytest

pytestmark = pytest.mark.notebooks


def test_person_detection_summary(quick_course):
    _, summaries, _ = quick_course
    person = summaries["person_detect"]
    assert person.chapter == "03_person_detection" and person.fits
    assert person.int8_bytes <= 300_568  # TFLM's reference person_detect model
    assert 0.0 <= person.metric <= 1.0  # quick mode trains for seconds: no accuracy promised
    assert 60_000 < person.arena_bytes < 120_000


def test_person_detection_notebook_names_its_data_and_exports_a_runnable_sketch(quick_course):
    import nbformat

    from tests.conftest import check_committed_sketch
    from tinyml_lab.core.deployed import load_deployed
    from tinyml_lab.core.export import read_c_array
    from tinyml_lab.core.tflite_file import read_model

    out, _, _ = quick_course
    nb = nbformat.read(out / "03_person_detection.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "data source: generated: 96x96 grayscale scenes" in text
    sketch = out / "03_person_detection" / "sketches" / "person_detection"
    for name in ("person_detection.ino", "camera_preprocess.h", "model_data.cc",
                 "model_settings.h", "model_ops.h", "sketch.yaml"):
        assert (sketch / name).is_file(), name
    model = read_model(read_c_array((sketch / "model_data.cc").read_text()))
    assert model.is_full_int8 and not any(t.name for t in model.tensors)  # names stripped
    check_committed_sketch(sketch, model)
    assert load_deployed(sketch).labels == ("no_person", "person")
