"""Every notebook runs end to end in quick mode through papermill, the way
`python -m tinyml_lab course --quick` runs them (nbval checks outputs separately)."""

from pathlib import Path

import pytest

from tinyml_lab.course import course_notebooks

pytestmark = pytest.mark.notebooks


def test_course_runs_every_notebook_and_summarises(quick_course):
    out, summaries, lines = quick_course
    books = course_notebooks()
    assert [b.stem for b in books][:2] == ["00_setup", "01_hello_sine"]
    for book in books:
        assert (out / book.name).is_file()
    assert any("hello_sine" in line for line in lines)  # the summary table was printed


def test_hello_sine_summary(quick_course):
    out, summaries, _ = quick_course
    sine = summaries["hello_sine"]
    assert sine.fits and sine.int8_bytes <= 2704 and sine.metric <= 0.05
    assert (out / "01_hello_sine" / "sketches" / "hello_sine" / "model_data.cc").is_file()


def test_notebooks_have_a_parameters_cell():
    import nbformat

    for book in course_notebooks():
        nb = nbformat.read(Path(book), as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, book.name
        assert "quick" in tagged[0].source and "artifacts_dir" in tagged[0].source


def test_a_failing_notebook_is_reported_with_its_cell(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from tinyml_lab.course import NotebookFailed, run_notebook

    nb = new_notebook(cells=[
        new_code_cell("quick = None\nartifacts_dir = None", metadata={"tags": ["parameters"]}),
        new_code_cell("raise ValueError('sensor unplugged')"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    book = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, book)
    with pytest.raises(NotebookFailed, match="99_broken.ipynb failed.*ValueError: sensor unplugged"):
        run_notebook(book, tmp_path / "out", quick=True, progress=False)
    assert (tmp_path / "out" / "99_broken.ipynb").is_file()  # executed copy, for the traceback
