"""Student copies: every chapter has tasks with checks, solutions sit between nbgrader's
markers, and `python -m tinyml_lab student` leaves the tasks and nothing of the answers."""

import re

import nbformat
import pytest

from tinyml_lab.cli import main
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.course import course_notebooks
from tinyml_lab.student import STUB, solution_regions, strip_solutions

CHAPTERS = [b for b in course_notebooks() if not b.stem.startswith("00_")]


def test_solution_regions_are_replaced_at_their_indentation():
    source = ("def f(x):\n    ### BEGIN SOLUTION\n    y = x * 2\n    return y\n"
              "    ### END SOLUTION\n\n### BEGIN SOLUTION\nz = f(3)\n### END SOLUTION\ncheck(z)")
    stripped, count = strip_solutions(source)
    assert count == 2
    assert stripped == f"def f(x):\n    {STUB}\n\n{STUB}\ncheck(z)"


@pytest.mark.parametrize("source,problem", [
    ("### BEGIN SOLUTION\nx = 1\n", "has no"),
    ("x = 1\n### END SOLUTION\n", "without a"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "a second"),
    ("x = 1  ### END SOLUTION\n", "line of its own"),
])
def test_unbalanced_markers_are_refused_with_where(source, problem):
    with pytest.raises(TinyMLError, match=problem):
        strip_solutions(source, "09_x.ipynb, cell 4")


def _task_cells(nb):
    """Indices of the code cells holding a solution region."""
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and solution_regions(c.source)]


@pytest.mark.parametrize("book", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_has_two_or_three_tasks_each_followed_by_a_check(book):
    nb = nbformat.read(book, as_version=4)
    tasks = _task_cells(nb)
    assert 2 <= len(tasks) <= 3, f"{book.name} has {len(tasks)} task cells"
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for index in tasks:
        cell = nb.cells[index].source
        after_last_region = cell.split("### END SOLUTION")[-1]
        following = code[code.index(index) + 1] if code.index(index) + 1 < len(code) else None
        nxt = nb.cells[following].source if following is not None else ""
        assert re.search(r"\bcheck_\w+\(", after_last_region + "\n" + nxt), (
            f"{book.name} cell {index + 1}: a task needs a check_* call after its solution")


def test_task_cells_carry_nbgrader_metadata_with_unique_ids():
    """nbgrader refuses a solution region outside a solution cell (its enforce_metadata)."""
    ids = []
    for book in CHAPTERS:
        nb = nbformat.read(book, as_version=4)
        for index in _task_cells(nb):
            meta = nb.cells[index].metadata.get("nbgrader", {})
            assert meta.get("solution") is True and meta.get("grade_id"), (
                f"{book.name} cell {index + 1}: a task cell needs nbgrader solution metadata")
            ids.append(meta["grade_id"])
    assert len(ids) == len(set(ids)), "nbgrader grade_ids must be unique"


@pytest.mark.parametrize("book", course_notebooks(), ids=lambda p: p.stem)
def test_every_notebook_opens_with_objectives_and_minutes(book):
    nb = nbformat.read(book, as_version=4)
    opening = "\n".join(c.source for c in nb.cells[:2] if c.cell_type == "markdown")
    assert "Learning objectives" in opening, f"{book.name}: no learning objectives at the top"
    bullets = re.findall(r"^\s*[-*] ", opening.split("Learning objectives", 1)[1], re.M)
    assert len(bullets) >= 2, f"{book.name}: list at least two objectives"
    assert re.search(r"\b\d+ minutes\b", opening), f"{book.name}: say the minutes to allow"


def _code_lines(nb):
    return {line.strip() for c in nb.cells if c.cell_type == "code"
            for line in c.source.splitlines() if line.strip()}


def _solution_lines(nb):
    lines = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source.splitlines()
        for region in solution_regions(cell.source):
            lines.update(line.strip() for line in region.body(source)
                         if line.strip() and not line.strip().startswith("#"))
    return lines


def test_student_copies_keep_the_tasks_and_nothing_of_the_solutions(tmp_path, capsys):
    assert main(["student", "--out", str(tmp_path)]) == 0
    assert "task(s)" in capsys.readouterr().out
    for book in course_notebooks():
        teacher = nbformat.read(book, as_version=4)
        student = nbformat.read(tmp_path / book.name, as_version=4)
        assert [c.cell_type for c in student.cells] == [c.cell_type for c in teacher.cells]
        text = "\n".join(c.source for c in student.cells if c.cell_type == "code")
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        assert text.count(STUB) == sum(len(solution_regions(c.source)) for c in teacher.cells
                                       if c.cell_type == "code")
        if book in CHAPTERS:
            assert text.count(STUB) >= 2, f"{book.name}: the student copy has no tasks left"
        # a solution line may appear in the student copy only where the teacher's copy has it
        # outside the solutions too (e.g. a shared `return` line)
        teacher_outside = _code_lines(nbformat.reads(
            nbformat.writes(_without_solutions(teacher)), as_version=4))
        leaked = (_solution_lines(teacher) & _code_lines(student)) - teacher_outside
        assert not leaked, f"{book.name}: solution lines in the student copy: {sorted(leaked)}"
        for cell in student.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None


def _without_solutions(nb):
    from tinyml_lab.student import student_notebook

    return student_notebook(nb)[0]


def test_student_refuses_to_overwrite_the_course_notebooks(capsys):
    from tinyml_lab.core.paths import NOTEBOOKS_DIR

    assert main(["student", "--out", str(NOTEBOOKS_DIR)]) == 2
    assert "Refusing to write student copies over" in capsys.readouterr().err
