"""A sketch's generated files are replaced as a set: a failure or a kill half-way leaves the
sketch as it was (after the next export looks at it), with its permissions, and nothing
left behind."""

import os
import re
import stat
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO, committed_model
from tinyml_lab.core import export, file_set
from tinyml_lab.core.deployed import load_deployed
from tinyml_lab.core.errors import TinyMLError

NAMES = ("a.h", "b.cc", "c.h", "d.h")


def _contents(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture()
def folder(tmp_path):
    folder = tmp_path / "sketch"
    file_set.replace_files(folder, {name: f"old {name}\n" for name in NAMES})
    (folder / "sketch.ino").write_text("// hand-written\n")
    return folder


def test_the_set_is_replaced_and_nothing_is_left_behind(folder):
    written = file_set.replace_files(folder, {name: f"new {name}\n" for name in NAMES})
    assert [p.name for p in written] == list(NAMES)
    assert _contents(folder) == {**{n: f"new {n}\n".encode() for n in NAMES},
                                 "sketch.ino": b"// hand-written\n"}


def test_a_failure_half_way_through_the_swap_restores_the_old_set(folder, monkeypatch):
    before = _contents(folder)
    real_replace, calls = os.replace, []

    def fail_third(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(file_set.os, "replace", fail_third)
    with pytest.raises(OSError, match="No space left"):
        file_set.replace_files(folder, {name: f"new {name}\n" for name in NAMES})
    monkeypatch.undo()
    assert len(calls) > 3  # two files were swapped in, then rolled back
    assert _contents(folder) == before


def test_a_failure_while_staging_touches_nothing(folder, monkeypatch):
    before = _contents(folder)
    monkeypatch.setattr(file_set.os, "fsync", lambda fd: (_ for _ in ()).throw(
        OSError(30, "Read-only file system")))
    with pytest.raises(OSError, match="Read-only"):
        file_set.replace_files(folder, {name: "new" for name in NAMES})
    monkeypatch.undo()
    assert _contents(folder) == before


def test_permissions_are_kept_and_new_files_take_the_folders(folder, tmp_path):
    os.chmod(folder / "a.h", 0o640)
    os.chmod(folder / "b.cc", 0o664)
    file_set.replace_files(folder, {name: "new" for name in NAMES})
    assert stat.S_IMODE((folder / "a.h").stat().st_mode) == 0o640
    assert stat.S_IMODE((folder / "b.cc").stat().st_mode) == 0o664
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "fresh.ino").write_text("")
    os.chmod(fresh / "fresh.ino", 0o664)
    file_set.replace_files(fresh, {"model_data.h": "x"})
    assert stat.S_IMODE((fresh / "model_data.h").stat().st_mode) == 0o664  # not mkstemp's 0600


KILLED_EXPORT = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    from tinyml_lab.core import file_set
    real_replace, calls = os.replace, []
    def replace_then_die(src, dst):
        real_replace(src, dst)
        calls.append(dst)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no finally
    file_set.os.replace = replace_then_die
    file_set.replace_files({folder!r}, {{name: "new " + name for name in {names!r}}})
""")


def test_a_kill_half_way_is_rolled_back_by_the_next_replacement(folder):
    before = _contents(folder)
    done = subprocess.run([sys.executable, "-c", KILLED_EXPORT.format(
        repo=str(REPO), folder=str(folder), names=NAMES)], check=False)
    assert done.returncode == -9
    assert file_set.interrupted(folder)  # two files are new, two old: a mixed set
    assert file_set.recover(folder) == list(NAMES[:2])
    assert _contents(folder) == before  # as before the killed run, staging folder gone


def test_stale_staging_folders_are_cleaned_by_the_next_export(folder):
    stale = folder / (file_set.STAGING_PREFIX + "killed-while-staging")
    stale.mkdir()
    (stale / "a.h").write_text("half written")
    file_set.replace_files(folder, {"a.h": "fresh"})
    assert sorted(p.name for p in folder.iterdir()) == sorted((*NAMES, "sketch.ino"))


def test_predict_refuses_a_sketch_an_interrupted_export_left_mixed(tmp_path):
    gesture = committed_model("gesture")
    sketch = export.sketch_copy("gesture", tmp_path)
    export.export_to_sketch(gesture, sketch, None, "first", ("punch", "flex", "wave", "circle"))
    before = _contents(sketch)
    done = subprocess.run([sys.executable, "-c", KILLED_EXPORT.format(
        repo=str(REPO), folder=str(sketch), names=export.GENERATED_FILES)], check=False)
    assert done.returncode == -9
    with pytest.raises(TinyMLError, match="interrupted"):
        load_deployed(sketch)
    export.export_to_sketch(gesture, sketch, None, "first", ("punch", "flex", "wave", "circle"))
    assert _contents(sketch) == before


def test_predict_refuses_files_from_two_models(tmp_path):
    """A settings header copied from another sketch (no staging folder to tell)."""
    sketch = export.sketch_copy("gesture", tmp_path)
    export.export_to_sketch(committed_model("gesture"), sketch, None, "t",
                            ("punch", "flex", "wave", "circle"))
    other = (REPO / "arduino_sketches" / "hello_sine" / "model_ops.h").read_text()
    (sketch / "model_ops.h").write_text(other)
    sine_sha = re.search(r"sha256 ([0-9a-f]{8})", other).group(1)  # whichever sine model is committed
    with pytest.raises(TinyMLError, match="model_ops.h was generated for the model with sha256 "
                                          f"{sine_sha}.*different exports"):
        load_deployed(sketch)
