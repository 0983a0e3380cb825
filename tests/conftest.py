"""Shared fixtures. TensorFlow is imported at most once in this process (it is slow);
notebook kernels get quick mode and a temporary artifacts folder through the environment."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

# Set before any notebook kernel starts, so nbval and papermill runs inherit them.
os.environ["TINYML_LAB_QUICK"] = "1"
os.environ.setdefault("TINYML_LAB_ARTIFACTS", tempfile.mkdtemp(prefix="tinyml_lab_nb_"))

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def quick_course(request):
    """Every notebook executed once with papermill in quick mode by the README's own command,
    `python -m tinyml_lab course --quick`, started in the background when the session's tests
    were collected (see pytest_collection_finish) so it overlaps the rest of the suite.
    Returns (output folder, {model name: ChapterSummary}, printed lines)."""
    from tinyml_lab.course import collect_summaries

    started = request.config.stash.get(_COURSE, None)
    if started is None:  # a fixture asked for outside a collected run: start it now
        started = _start_course()
    proc, out, log = started
    code = proc.wait()
    printed = log.read_text(errors="replace")
    if code != 0:
        pytest.fail(f"`python -m tinyml_lab course --quick` exited {code}:\n{printed[-6000:]}")
    summaries = collect_summaries(out)
    return out, {s.model: s for s in summaries}, printed.splitlines()


def _start_course():
    out = Path(tempfile.mkdtemp(prefix="tinyml_lab_course_"))
    log = out / "course.log"
    with open(log, "wb") as handle:
        proc = subprocess.Popen([sys.executable, "-m", "tinyml_lab", "course", "--quick",
                                 "--out", str(out / "run")],
                                stdout=handle, stderr=subprocess.STDOUT, cwd=REPO)
    return proc, out / "run", log


@pytest.fixture(scope="session")
def keras_sine_model():
    """A small trained sine model (seconds of training): good enough to test the toolchain."""
    import keras

    from tinyml_lab.chapters.sine.data import make_sine_data
    from tinyml_lab.chapters.sine.model import sine_mlp
    from tinyml_lab.core.training import seed_everything

    seed_everything(0)
    data = make_sine_data(samples=600, seed=0)
    model = sine_mlp()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(data.train.x, data.train.y, epochs=25, batch_size=32, verbose=0)
    return model, data


@pytest.fixture(scope="session")
def sine_int8(keras_sine_model):
    from tinyml_lab.core.convert import to_int8

    model, data = keras_sine_model
    return to_int8(model, data.train.x)


@pytest.fixture(scope="session")
def sine_float(keras_sine_model):
    from tinyml_lab.core.convert import to_float

    return to_float(keras_sine_model[0])


@pytest.fixture()
def sine_file(tmp_path, sine_int8):
    path = tmp_path / "sine_int8.tflite"
    path.write_bytes(sine_int8)
    return path


def compile_program(tmp_path: Path, sources: dict, include_dirs=(), flags=()) -> Path:
    """Write C++ sources into tmp_path and build them with the host g++ (-Wall -Werror);
    returns the executable. For tests that run one program many times."""
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.fail("g++ is required for the C++ parity tests (apt-get install g++)")
    for name, text in sources.items():
        (tmp_path / name).write_text(text)
    cpp = [str(tmp_path / n) for n in sources if n.endswith((".cc", ".cpp"))]
    exe = tmp_path / "prog"
    cmd = [gxx, "-std=c++17", "-Wall", "-Werror", *flags, "-o", str(exe), *cpp]
    cmd += [f"-I{d}" for d in (tmp_path, *include_dirs)]
    build = subprocess.run(cmd, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    return exe


def compile_and_run(tmp_path: Path, sources: dict, include_dirs=(), args=()) -> str:
    """Write C++ sources, build them with the host g++ and return the program's stdout."""
    exe = compile_program(tmp_path, sources, include_dirs)
    run = subprocess.run([str(exe), *args], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.fixture()
def cxx(tmp_path):
    return lambda sources, include_dirs=(), args=(): compile_and_run(
        tmp_path, sources, include_dirs, args
    )


def sine_grid_points():
    return np.linspace(0, 2 * np.pi, 200, dtype=np.float32).reshape(-1, 1)


def check_committed_sketch(sketch_dir: Path, model) -> None:
    """What every committed sketch must satisfy: its generated resolver registers exactly the
    model's ops, and its kTensorArenaSize is the computed Cortex-M4 + CMSIS-NN arena."""
    import re

    from tinyml_lab.core.arena import sketch_arena_bytes
    from tinyml_lab.core.ops import RESOLVER_METHODS

    ops = (sketch_dir / "model_ops.h").read_text()
    registered = re.findall(r"resolver\.(Add\w+)\(\)", ops)
    assert sorted(registered) == sorted(RESOLVER_METHODS[op] for op in model.op_names)
    assert f"kModelOpCount = {len(model.op_names)};" in ops
    settings = (sketch_dir / "model_settings.h").read_text()
    arena = int(re.search(r"kTensorArenaSize = (\d+);", settings).group(1))
    assert arena % 16 == 0 and arena == sketch_arena_bytes(model)


RESOLVER_PROGRAM = r"""
#include <cstdio>
#include "model_ops.h"
int main() {
  ModelOpResolver resolver;
  if (RegisterModelOps(resolver) != kTfLiteOk) return 1;
  for (const auto& op : resolver.registered) std::printf("%s\n", op.c_str());
}
"""


def registered_ops(cxx, sketch_dir: Path) -> tuple[str, ...]:
    """The ops a sketch's generated model_ops.h registers, in order, compiled with g++
    against the resolver test double (a missing or duplicate op fails the build's run)."""
    fake_tflm = Path(__file__).parent / "fake_tflm"
    return tuple(cxx({"main.cc": RESOLVER_PROGRAM}, include_dirs=[sketch_dir, fake_tflm]).split())


def blob_pictures(count: int, seed: int = 0):
    """uint8 (count, 96, 96) gray pictures and labels (1 = person): a bright blob in the
    centre is a "person", a bright blob near an edge or none is "no person". Enough for a
    tiny model to learn in seconds; not a person detector."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:96, 0:96]
    pictures = rng.uniform(20, 90, (count, 96, 96))
    labels = np.arange(count) % 2
    for i, person in enumerate(labels):
        cy, cx = (48, 48) + rng.uniform(-8, 8, 2) if person else rng.choice([12, 84], 2)
        size = rng.uniform(9, 14)
        if person or rng.random() < 0.7:
            pictures[i] += 160 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * size ** 2))
    return np.clip(pictures, 0, 255).astype(np.uint8), labels.astype(np.int32)


@pytest.fixture(scope="session")
def person_sketch(tmp_path_factory):
    """A tiny trained person detector (96x96x1 int8 in, 2-class softmax out), exported into
    a temporary copy of the person_detection sketch as the notebook will: the committed
    sketch's own model is not needed to test the sketch and `predict`. Returns (sketch
    folder, TFLiteModel). Trained first: an untrained softmax can abort TFLM."""
    import keras

    from tinyml_lab.chapters.person_detection.camera import gray_to_input
    from tinyml_lab.core.convert import to_int8
    from tinyml_lab.core.export import export_to_sketch, sketch_copy
    from tinyml_lab.core.tflite_file import read_model
    from tinyml_lab.core.training import seed_everything

    seed_everything(0)
    pictures, labels = blob_pictures(256, seed=0)
    x = gray_to_input(pictures)[..., None]
    model = keras.Sequential([
        keras.Input(shape=(96, 96, 1)),
        keras.layers.Conv2D(8, 5, strides=4, activation="relu"),
        keras.layers.Conv2D(16, 3, strides=2, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, labels, epochs=8, batch_size=32, verbose=0)
    model_bytes = to_int8(model, x)
    sketch = sketch_copy("person_detection", tmp_path_factory.mktemp("sketches"))
    export_to_sketch(model_bytes, sketch, None, source="tests/conftest.py (tiny blob model)",
                     labels=("no_person", "person"))
    return sketch, read_model(model_bytes)


REQUIRE_BOARD_ENV = "TINYML_LAB_REQUIRE_BOARD"
_BUILD = pytest.StashKey[subprocess.Popen]()


def _board_inputs_or_skip(need_qemu: bool):
    """The pinned core and library, the Arm toolchain (and QEMU); where one is missing the
    board tests are skipped with one line saying what to install, never passed."""
    from tinyml_lab.core.board.inputs import find_inputs

    found = find_inputs(need_qemu)
    if isinstance(found, str):
        if os.environ.get(REQUIRE_BOARD_ENV):  # CI: a board test that cannot run fails
            pytest.fail(f"{REQUIRE_BOARD_ENV} is set but the board tests cannot run: {found}")
        pytest.skip(found)
    return found


@pytest.fixture(scope="session")
def arduino_inputs():
    """What compiling a sketch for the Nano 33 BLE needs (no emulator)."""
    return _board_inputs_or_skip(need_qemu=False)


@pytest.fixture(scope="session")
def board_inputs():
    """What running a model on the emulated Cortex-M4 needs."""
    return _board_inputs_or_skip(need_qemu=True)


BOARD_FIXTURES = {"arduino_inputs", "board_inputs", "board_runner"}


_COURSE = pytest.StashKey[tuple]()


def pytest_collection_finish(session):
    """Start the session's two long jobs in the background as soon as it is known they are
    needed, so they overlap the rest of the suite: the board library build (minutes, once;
    every notebook's cost cell waits for it) and the quick course run that the notebook
    tests read."""
    if session.config.option.collectonly:
        return
    wanted = set()
    for item in session.items:
        wanted |= set(getattr(item, "fixturenames", ()))
    if "quick_course" in wanted:
        session.config.stash[_COURSE] = _start_course()
    if BOARD_FIXTURES & wanted:
        from tinyml_lab.core.board.inputs import find_inputs

        if not isinstance(find_inputs(), str):
            log = tempfile.TemporaryFile()
            session.config.stash[_BUILD] = subprocess.Popen(
                [sys.executable, "-m", "tinyml_lab.core.board.build"],
                stdout=log, stderr=subprocess.STDOUT)


def pytest_sessionfinish(session):
    """Leave no background job behind (a run stopped early by -x or Ctrl-C)."""
    course = session.config.stash.get(_COURSE, None)
    for proc in (course[0] if course else None, session.config.stash.get(_BUILD, None)):
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait()
    if course:
        shutil.rmtree(course[1].parent, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """The board tests run after the rest (the notebooks' cost cells have waited for the
    board library by then) and the tests that read the background course run last: the
    course is the longest job, and the rest of the suite runs while it does."""
    def uses(item, names):
        return bool(names & set(getattr(item, "fixturenames", ())))

    course = [i for i in items if uses(i, {"quick_course"})]
    board = [i for i in items if uses(i, BOARD_FIXTURES) and i not in course]
    items[:] = [i for i in items if i not in board and i not in course] + board + course


@pytest.fixture(scope="session")
def board_runner(request, board_inputs):
    """The library and runner, built once per session (minutes the first time, then
    taken from build/board/); the build's progress is shown even under pytest's capture."""
    from tinyml_lab.core.board.build import build_runner

    background = request.config.stash.get(_BUILD, None)
    if background is not None:
        background.wait()  # whatever it did, build_runner below reuses it or says why not
    capture = request.config.pluginmanager.getplugin("capturemanager")

    def echo(line):
        with capture.global_and_fixture_disabled():
            print(line, flush=True)

    return build_runner(board_inputs, echo=echo)


def rewrite_model(data: bytes, edit) -> bytes:
    """The model with `edit(model_t)` applied to its flatbuffer object tree (the schema's
    ModelT), packed again: how the tests make precisely damaged models."""
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    from tinyml_lab.core.tflite_file import FILE_IDENTIFIER

    model = schema.ModelT.InitFromPackedBuf(data, 0)
    edit(model)
    builder = flatbuffers.Builder(len(data))
    builder.Finish(model.Pack(builder), file_identifier=FILE_IDENTIFIER)
    return bytes(builder.Output())


def committed_model(sketch: str):
    """The TFLiteModel a committed sketch deploys (read back from its model_data.cc)."""
    from tinyml_lab.core.deployed import load_deployed

    return load_deployed(REPO / "arduino_sketches" / sketch).model
