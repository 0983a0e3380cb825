"""Each notebook has a percent-format twin (jupytext) that says the same, and is committed
stripped by nbstripout except the outputs nbval checks."""

import subprocess
import sys

import jupytext
import nbformat
import pytest

from tinyml_lab.course import course_notebooks

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
KEEP_TAG = "keep_output"  # nbstripout keeps the outputs of cells with this tag
# The README's stripping command (keep it in step with the README's "Editing a notebook").
STRIP = ["--keep-count", "--extra-keys",
         "metadata.papermill metadata.widgets cell.metadata.papermill cell.metadata.execution"]


def _cells(nb):
    return [(c.cell_type, c.source, tuple(c.metadata.get("tags", []))) for c in nb.cells]


@pytest.mark.parametrize("book", course_notebooks(), ids=lambda p: p.stem)
def test_notebook_and_its_percent_script_say_the_same(book):
    script = book.with_suffix(".py")
    assert script.is_file(), f"{book.name} has no paired {script.name}: run jupytext --sync"
    paired = jupytext.read(script)
    assert _cells(paired) == _cells(nbformat.read(book, as_version=4)), (
        f"{book.name} and {script.name} differ: run `jupytext --sync {book}`")


@pytest.mark.parametrize("book", course_notebooks(), ids=lambda p: p.stem)
def test_only_checked_cells_keep_outputs_and_are_tagged_to(book):
    for cell in nbformat.read(book, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        checked = cell.source.startswith(CHECK_MARK)
        assert checked == (KEEP_TAG in cell.metadata.get("tags", [])), cell.source[:60]
        assert checked or not cell.outputs, f"{book.name}: output kept in {cell.source[:60]!r}"


def test_committed_notebooks_are_stripped():
    books = [str(b) for b in course_notebooks()]
    result = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", *STRIP, *books],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
