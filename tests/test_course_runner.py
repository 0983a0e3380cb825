"""The course runner: quick mode is marked and kept out of the committed sketches, and a long
notebook shows which cell and which epoch it is in."""

import json

import pytest

from tinyml_lab.cli import main
from tinyml_lab.core import report, training
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.export import export_to_sketch
from tinyml_lab.core.paths import SKETCHES_DIR
from tinyml_lab.core.tflite_file import read_model
from tinyml_lab.course import NotebookProgress, require_full_mode_for_sketches, run_course


def test_quick_rows_are_marked_in_the_course_summary(sine_int8):
    model = read_model(sine_int8)
    full = report.summarize("01_hello_sine", "hello_sine", "mae", 0.03, model, 1184, quick=False)
    quick = report.summarize("03_person_detection", "person", "acc", 0.52, model, 1184,
                             quick=True)
    table = report.summary_table([full, quick])
    rows = table.splitlines()
    assert rows[0].split()[-1] == "mode"
    assert rows[2].rstrip().endswith("full") and rows[3].rstrip().endswith("QUICK")
    assert "QUICK = trained in quick mode" in table
    assert "QUICK" not in report.summary_table([full])


def test_summary_mode_follows_the_environment_and_old_files_still_load(sine_int8, tmp_path,
                                                                      monkeypatch):
    model = read_model(sine_int8)
    monkeypatch.setenv("TINYML_LAB_QUICK", "1")
    assert report.summarize("c", "m", "x", 1.0, model, 1184).quick
    monkeypatch.setenv("TINYML_LAB_QUICK", "0")
    saved = report.summarize("c", "m", "x", 1.0, model, 1184)
    assert not saved.quick
    data = json.loads(saved.save(tmp_path).read_text())
    del data["quick"]  # a summary.json written before the field existed
    (tmp_path / "summary.json").write_text(json.dumps(data))
    assert report.ChapterSummary.load(tmp_path / "summary.json") == saved


def test_a_quick_model_is_refused_for_the_committed_sketches_only(sine_int8, tmp_path):
    with pytest.raises(TinyMLError, match="Refusing to export a quick-mode model into "
                                          "arduino_sketches/hello_sine"):
        export_to_sketch(sine_int8, SKETCHES_DIR / "hello_sine", None, source="t", quick=True)
    assert export_to_sketch(sine_int8, tmp_path / "hello_sine", None, source="t", quick=True)
    with pytest.raises(TinyMLError, match="--update-sketches in quick mode"):
        require_full_mode_for_sketches(quick=True, update_sketches=True)
    with pytest.raises(TinyMLError, match="--update-sketches in quick mode"):
        run_course(tmp_path / "out", quick=True, update_sketches=True, echo=lambda _: None)
    require_full_mode_for_sketches(quick=False, update_sketches=True)


def test_the_mode_comes_from_the_environment_when_not_given(monkeypatch):
    from tinyml_lab.core.export import require_full_mode_for_committed_sketch

    monkeypatch.setenv("TINYML_LAB_QUICK", "1")  # what `course --quick` gives its kernels
    with pytest.raises(TinyMLError, match="quick-mode model"):
        require_full_mode_for_committed_sketch(SKETCHES_DIR / "gesture", None)
    monkeypatch.setenv("TINYML_LAB_QUICK", "0")
    require_full_mode_for_committed_sketch(SKETCHES_DIR / "gesture", None)


def test_the_cli_refuses_quick_update_sketches(capsys, tmp_path):
    assert main(["course", "--quick", "--update-sketches", "--out", str(tmp_path)]) == 2
    assert "Drop --quick" in capsys.readouterr().err


def test_progress_says_the_cell_and_the_epoch(tmp_path):
    now = [100.0]
    progress = NotebookProgress(tmp_path / "progress.json", clock=lambda: now[0])
    assert progress.line() == "0s"
    progress.cell_start(11, 40)
    training.write_progress(progress.progress_file, epoch=3, epochs=12, loss=0.61234,
                            accuracy=0.8)
    now[0] += 75
    assert progress.line() == "cell 12/40, epoch 3/12 (loss 0.612, accuracy 0.8), 1m 15s"
    progress.cell_start(12, 40)  # a new cell forgets the last cell's training
    assert progress.status() == ("cell 13/40",)


def test_every_fit_records_its_epochs_in_a_course_kernel(tmp_path, monkeypatch):
    import keras
    import numpy as np

    path = tmp_path / "progress.json"
    monkeypatch.setenv(training.PROGRESS_ENV, str(path))
    monkeypatch.setattr(keras.Model, "fit", keras.Model.fit)  # undone after the test
    training.report_epochs_of_every_fit()
    training.report_epochs_of_every_fit()  # twice is once
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.zeros((8, 1)), np.zeros((8, 1)), epochs=3, verbose=0)
    state = training.read_progress(path)
    assert (state["epoch"], state["epochs"], state["done"]) == (3, 3, True) and "loss" in state
    assert training.read_progress(tmp_path / "missing.json") == {}


def test_a_notebook_run_prints_its_cells_and_epochs(tmp_path):
    """A real kernel through the course's papermill engine, with a Keras fit in one cell."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from tinyml_lab.course import run_notebook

    fit = ("import time, numpy as np, keras\n"
           "class Slow(keras.callbacks.Callback):\n"
           "    def on_epoch_end(self, epoch, logs=None): time.sleep(1.2)\n"
           "m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])\n"
           "m.compile('sgd', 'mse')\n"
           "m.fit(np.zeros((8, 1)), np.zeros((8, 1)), epochs=3, verbose=0, callbacks=[Slow()])\n"
           "import os; print(os.environ['TINYML_LAB_QUICK'])")
    nb = new_notebook(cells=[
        new_code_cell("quick = None\nartifacts_dir = None", metadata={"tags": ["parameters"]}),
        new_code_cell(fit)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    book = tmp_path / "98_fit.ipynb"
    nbformat.write(nb, book)
    lines = []
    run_notebook(book, tmp_path / "out", quick=True, progress=False, echo=lines.append,
                 progress_every=0.5)
    assert any("cell 3/3, epoch 3/3" in line for line in lines), lines
    executed = nbformat.read(tmp_path / "out" / "98_fit.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0].text.strip() == "1"  # the kernel got the course's mode
