"""Run the whole course: execute every notebook with papermill, then print the summary.

Executed notebooks and their artifacts go under one output folder (build/ by default);
tracked files are only touched when asked (update_sketches, full mode only), which is how the
committed sketch models are produced from a full-mode run. While a notebook runs, a line every
so often says which cell it is in and, during training, which epoch.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tinyml_lab import QUICK_ENV
from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.paths import NOTEBOOKS_DIR, REPO_ROOT, SKETCHES_DIR
from tinyml_lab.core.report import ChapterSummary, summary_table
from tinyml_lab.core.training import PROGRESS_ENV, read_progress

# Run in each kernel before the notebook: every Keras fit() records its epochs.
KERNEL_SETUP = ("--IPKernelApp.exec_lines=import tinyml_lab.core.training as _t; "
                "_t.report_epochs_of_every_fit()")


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


def require_full_mode_for_sketches(quick: bool, update_sketches: bool) -> None:
    if quick and update_sketches:
        raise TinyMLError(
            "Refusing --update-sketches in quick mode: quick mode trains on little data for a "
            "few epochs, and arduino_sketches/ holds the full-mode models. Drop --quick (the "
            "full run reproduces the committed models byte for byte) or drop --update-sketches.")


class NotebookProgress:
    """Where a running notebook is: cell i of n (from the engine) and the epoch of the
    training in progress (from the file its kernel writes, tinyml_lab.core.training)."""

    def __init__(self, progress_file: Path, clock=time.monotonic):
        self.progress_file = progress_file
        self.clock = clock
        self.started = clock()
        self.cell: tuple[int, int] | None = None
        self.cell_started = self.started

    def cell_start(self, index: int, total: int) -> None:
        self.cell = (index + 1, total)
        self.cell_started = self.clock()
        with contextlib.suppress(OSError):
            self.progress_file.unlink()  # an epoch of an earlier cell is not this cell's

    def status(self) -> tuple[str, ...]:
        """What changed is worth a line: (cell, epoch) as text, without the clock."""
        parts = []
        if self.cell:
            parts.append(f"cell {self.cell[0]}/{self.cell[1]}")
        state = read_progress(self.progress_file)
        if state.get("epoch"):
            epoch = f"epoch {state['epoch']}" + (f"/{state['epochs']}" if state.get("epochs")
                                                 else "")
            metrics = ", ".join(f"{k} {state[k]:.3g}" for k in ("loss", "accuracy", "mae",
                                                                 "val_accuracy") if k in state)
            parts.append(epoch + (f" ({metrics})" if metrics else ""))
        return tuple(parts)

    def line(self) -> str:
        return ", ".join([*self.status(), _minutes(self.clock() - self.started)])


def _minutes(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class _Ticker(threading.Thread):
    """Echo the progress line when it changes (at most every `every` seconds), and at least
    every `quiet` seconds while a cell runs long."""

    def __init__(self, progress: NotebookProgress, echo, every: float, quiet: float = 60.0):
        super().__init__(daemon=True)
        self.progress, self.echo, self.every, self.quiet = progress, echo, every, quiet
        self.stop = threading.Event()

    def run(self):
        last_status, last_time = self.progress.status(), time.monotonic()
        while not self.stop.wait(min(self.every, 1.0)):
            now = time.monotonic()
            if now - last_time < self.every:
                continue
            status = self.progress.status()
            if status != last_status or now - last_time >= self.quiet:
                self.echo(f"      {self.progress.line()}")
                last_status, last_time = status, now


def _engine_name() -> str:
    """A papermill engine that tells a NotebookProgress (kwarg cell_progress) each cell."""
    from papermill.engines import NBClientEngine, papermill_engines

    class CourseEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, cell_progress=None, **kwargs):
            if cell_progress is not None:
                start = nb_man.cell_start

                def cell_start(cell, cell_index=None, **kw):
                    cell_progress.cell_start(cell_index, len(nb_man.nb.cells))
                    return start(cell, cell_index, **kw)

                nb_man.cell_start = cell_start
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("tinyml_lab", CourseEngine)
    return "tinyml_lab"


@contextlib.contextmanager
def _environment(**values: str):
    """Set environment variables for the duration (the kernel is started inside)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_notebook(notebook: Path, out_dir: Path, quick: bool, update_sketches: bool = False,
                 progress: bool = True, echo=None, progress_every: float = 10.0) -> NotebookRun:
    """Execute one notebook into out_dir/<name>.ipynb with its artifacts in out_dir/<stem>/.
    With `echo`, a progress line (cell, epoch, time) every `progress_every` seconds or so;
    `progress` is papermill's own bar (on stderr)."""
    import papermill

    require_full_mode_for_sketches(quick, update_sketches)
    out_dir.mkdir(parents=True, exist_ok=True)
    parameters = {"quick": quick, "artifacts_dir": str((out_dir / notebook.stem).resolve())}
    if update_sketches:
        parameters["sketches_dir"] = str(SKETCHES_DIR)
    output = out_dir / notebook.name
    log = out_dir / f"{notebook.stem}.kernel.log"
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tinyml_lab_")))
        tracker = NotebookProgress(scratch / "progress.json")
        if echo is not None:
            ticker = _Ticker(tracker, echo, progress_every)
            ticker.start()
            stack.callback(ticker.join)
            stack.callback(ticker.stop.set)
        # the kernel inherits these: the course's mode wins over the caller's environment,
        # and the kernel imports the same tinyml_lab as the course
        path = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
        stack.enter_context(_environment(**{QUICK_ENV: "1" if quick else "0",
                                            PROGRESS_ENV: str(tracker.progress_file),
                                            "PYTHONPATH": path}))
        stack.enter_context(_stderr_to(log))  # TensorFlow's C++ logs land in the file
        try:
            papermill.execute_notebook(
                str(notebook), str(output), parameters=parameters, cwd=str(notebook.parent),
                progress_bar=progress, kernel_name="python3", engine_name=_engine_name(),
                cell_progress=tracker, extra_arguments=[KERNEL_SETUP],
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
    require_full_mode_for_sketches(quick, update_sketches)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise TinyMLError(f"--out {out_dir} is a file: give a folder for the executed "
                          "notebooks and their artifacts (it is created if missing).")
    books = course_notebooks(only)
    mode = "quick" if quick else "full"
    echo(f"Running {len(books)} notebook(s) in {mode} mode into {out_dir}/")
    for i, book in enumerate(books, 1):
        echo(f"[{i}/{len(books)}] {book.name} ...")
        run = run_notebook(book, out_dir, quick, update_sketches, progress=False, echo=echo)
        echo(f"[{i}/{len(books)}] {book.name} done in {run.seconds:.1f} s -> {run.output}")
    summaries = collect_summaries(out_dir)
    echo("")
    echo(summary_table(summaries))
    return summaries
