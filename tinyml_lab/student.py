"""Student copies of the course notebooks: `python -m tinyml_lab student --out DIR`.

The committed notebooks are the instructor's: each task's solution sits between nbgrader's
markers, so CI executes complete notebooks and nbgrader users can take them as they are:

    ### BEGIN SOLUTION
    ...the answer...
    ### END SOLUTION
    check_something(...)   # prints PASS, or what is wrong and a hint

A student copy replaces every solution region with `raise NotImplementedError("your code
here")` at the marker's indentation (as nbgrader's ClearSolutions does) and clears every
output, so the learner sees the task, the check, and nothing of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.files import write_atomically

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
STUB = 'raise NotImplementedError("your code here")'


@dataclass(frozen=True)
class SolutionRegion:
    begin: int  # line index of the BEGIN marker
    end: int  # line index of the END marker
    indent: str

    def body(self, lines: list[str]) -> list[str]:
        return lines[self.begin + 1:self.end]


def solution_regions(source: str, where: str = "cell") -> list[SolutionRegion]:
    """The solution regions of one cell's source, in order; unbalanced markers are an
    error naming `where`, since a student copy would then leak or lose code."""
    regions, begin = [], None
    for number, line in enumerate(source.splitlines()):
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            if begin is not None:
                raise TinyMLError(f"{where}: a second {BEGIN_SOLUTION!r} (line {number + 1}) "
                                  f"before the {END_SOLUTION!r} of line {begin + 1}'s region.")
            begin = number
        elif marker == END_SOLUTION:
            if begin is None:
                raise TinyMLError(f"{where}: {END_SOLUTION!r} on line {number + 1} without a "
                                  f"{BEGIN_SOLUTION!r} before it.")
            first = source.splitlines()[begin]
            regions.append(SolutionRegion(begin, number, first[:len(first) - len(first.lstrip())]))
            begin = None
        elif BEGIN_SOLUTION in line or END_SOLUTION in line:
            raise TinyMLError(f"{where}: line {number + 1} holds a solution marker with other "
                              "text; put each marker on a line of its own.")
    if begin is not None:
        raise TinyMLError(f"{where}: the {BEGIN_SOLUTION!r} of line {begin + 1} has no "
                          f"{END_SOLUTION!r}.")
    return regions


def strip_solutions(source: str, where: str = "cell") -> tuple[str, int]:
    """(source with each solution region replaced by the stub, number of regions)."""
    lines = source.splitlines()
    regions = solution_regions(source, where)
    for region in reversed(regions):
        lines[region.begin:region.end + 1] = [region.indent + STUB]
    return "\n".join(lines), len(regions)


@dataclass(frozen=True)
class StudentCopy:
    path: Path
    tasks: int  # solution regions replaced


def student_notebook(notebook, where: str = "notebook"):
    """A copy of a notebook (nbformat v4) with solutions stubbed and outputs cleared;
    returns (notebook, tasks)."""
    import copy

    nb = copy.deepcopy(notebook)
    tasks = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cell.source, found = strip_solutions(cell.source, f"{where}, cell {index + 1}")
        tasks += found
        cell.outputs = []
        cell.execution_count = None
    nb.metadata.pop("papermill", None)
    return nb, tasks


def write_student_copies(out_dir: str | Path, notebooks: list[Path] | None = None,
                         echo=print) -> list[StudentCopy]:
    """Write a student copy of every course notebook (or of `notebooks`) into out_dir."""
    import nbformat

    from tinyml_lab.core.paths import NOTEBOOKS_DIR
    from tinyml_lab.course import course_notebooks

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise TinyMLError(f"{out_dir} is a file; give --out a folder for the student copies.")
    if out_dir.resolve() == NOTEBOOKS_DIR.resolve():
        raise TinyMLError("Refusing to write student copies over the course's own notebooks/: "
                          "give --out another folder (e.g. student/).")
    books = notebooks if notebooks is not None else course_notebooks()
    copies = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for book in books:
        nb, tasks = student_notebook(nbformat.read(book, as_version=4), book.name)
        target = out_dir / book.name
        write_atomically(target, nbformat.writes(nb))
        copies.append(StudentCopy(target, tasks))
        echo(f"{target}: {tasks} task(s) to do" if tasks else f"{target}: no tasks")
    return copies

