"""Run the whole course: execute every notebook with papermill, then print the summary.

Executed notebooks and their artifacts go under one output folder (build/ by default);
tracked files are only touched when asked (update_sketches), which is how the committed
sketch models are produced from a full-mode run.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.paths import NOTEBOOKS_DIR, SKETCHES_DIR
from tinyml_lab.core.report import ChapterSummary, summary_table


def course_notebooks(only: str | None = None) -> list[Path]:
    """The numbered notebooks in course order, optionally those whose name contains `only`."""
    books = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if only:
        books = [b for b in books if only in b.stem]
        if not books:
            raise TinyMLError(f"No notebook matches {only!r} in {NOTEBOOKS_DIR.name}/.")
    return books


@dataclass(frozen=True)
class NotebookRun:
    notebook: str
    seconds: float
    output: Path


def run_notebook(notebook: Path, out_dir: Path, quick: bool, update_sketches: bool = False,
                 progress: bool = True) -> NotebookRun:
    """Execute one notebook into out_dir/<name>.ipynb with its artifacts in out_dir/<stem>/."""
    import papermill

    out_dir.mkdir(parents=True, exist_ok=True)
    parameters = {"quick": quick, "artifacts_dir": str((out_dir / notebook.stem).resolve())}
    if update_sketches:
        parameters["sketches_dir"] = str(SKETCHES_DIR)
    output = out_dir / notebook.name
    log = out_dir / f"{notebook.stem}.kernel.log"
    start = time.perf_counter()
    with _stderr_to(log):  # the kernel inherits it: TensorFlow's C++ logs land in the file
        try:
            papermill.execute_notebook(
                str(notebook), str(output), parameters=parameters, cwd=str(notebook.parent),
                progress_bar=progress, kernel_name="python3",
            )
        except papermill.PapermillExecutionError as exc:
            raise NotebookFailed(
                f"{notebook.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n"
                f"Open {output} to see the cell and its traceback (kernel log: {log})."
            ) from None
    return NotebookRun(notebook.name, time.perf_counter() - start, output)


class NotebookFailed(TinyMLError):
    """A course notebook raised an error while executing."""


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Point file descriptor 2 at a file for the duration (child processes inherit it)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def collect_summaries(out_dir: Path) -> list[ChapterSummary]:
    return [ChapterSummary.load(p) for p in sorted(out_dir.glob("*/summary.json"))]


def run_course(out_dir: str | Path = "build", quick: bool = False, only: str | None = None,
               update_sketches: bool = False, echo=print) -> list[ChapterSummary]:
    """Run every notebook in order, stopping at the first failure with its name."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise TinyMLError(f"--out {out_dir} is a file: give a folder for the executed "
                          "notebooks and their artifacts (it is created if missing).")
    books = course_notebooks(only)
    mode = "quick" if quick else "full"
    echo(f"Running {len(books)} notebook(s) in {mode} mode into {out_dir}/")
    for i, book in enumerate(books, 1):
        echo(f"[{i}/{len(books)}] {book.name} ...")
        run = run_notebook(book, out_dir, quick, update_sketches, progress=False)
        echo(f"[{i}/{len(books)}] {book.name} done in {run.seconds:.1f} s -> {run.output}")
    summaries = collect_summaries(out_dir)
    echo("")
    echo(summary_table(summaries))
    return summaries
