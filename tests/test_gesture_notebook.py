"""The gesture notebook in the quick course run (executed once per session by the
quick_course fixture): its summary, the data source it names, and the sketch it exported."""

import pytest

pytestmark = pytest.mark.notebooks


def test_gesture_summary(quick_course):
    out, summaries, _ = quick_course
    gesture = summaries["gesture"]
    assert gesture.chapter == "04_gesture" and gesture.fits
    assert gesture.int8_bytes <= 20 * 1024
    assert gesture.metric >= 0.5  # quick mode: a few simulated people, a few epochs
    assert 0 < gesture.arena_bytes <= 16 * 1024


def test_gesture_notebook_says_where_its_data_came_from_and_exports_a_sketch(quick_course):
    import nbformat

    out, _, _ = quick_course
    nb = nbformat.read(out / "04_gesture.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "data source: generated: simulated people" in text
    assert "test people never seen in training" in text
    sketch = out / "04_gesture" / "sketches" / "gesture"
    for name in ("gesture.ino", "imu_reader.h", "imu_gesture.h", "model_data.cc",
                 "model_settings.h"):
        assert (sketch / name).is_file(), name
    assert (out / "04_gesture" / "recordings" / "person_000" / "punch.csv").is_file()
