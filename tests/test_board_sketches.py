"""Every sketch compiles for the Nano 33 BLE Sense: each translation unit, with the core's
own compile recipe and flags, both BOARD_REVISIONs where the sketch has them. The model
sketches' own code is sized by a partial link (mbed OS is not available to link)."""

import pytest

from tests.board_support import MODEL_SKETCHES, SKETCHES, sketch_model


def _builds():
    for folder in sorted(p for p in SKETCHES.iterdir() if (p / f"{p.name}.ino").is_file()):
        ino = (folder / f"{folder.name}.ino").read_text()
        revisions = (1, 2) if "BOARD_REVISION" in ino else (None,)
        for revision in revisions:
            yield folder.name, revision


@pytest.fixture(scope="module")
def compiled(tmp_path_factory, arduino_inputs):
    """compiled(name, revision): the sketch's build, compiled once per module (the size
    test reads the objects the compile test made)."""
    from tinyml_lab.core.board.sketch import compile_sketch

    builds = {}

    def build(name, revision):
        if (name, revision) not in builds:
            out = tmp_path_factory.mktemp(f"{name}-{revision}")
            builds[name, revision] = compile_sketch(SKETCHES / name, revision, out,
                                                    arduino_inputs)
        return builds[name, revision]

    return build


@pytest.mark.parametrize("name,revision", list(_builds()))
def test_sketch_compiles_for_the_nano_33_ble(name, revision, compiled):
    build = compiled(name, revision)
    assert all(o.stat().st_size > 0 for o in build.objects)
    if revision is not None:  # only the selected IMU's library needs to be there, both are
        assert {"Arduino_LSM9DS1", "Arduino_BMI270_BMM150"} <= set(build.libraries)


@pytest.mark.parametrize("name", MODEL_SKETCHES)
def test_model_sketch_size_holds_its_model_and_arena(name, board_runner, compiled):
    from tinyml_lab.core.board.sketch import sketch_size

    model, arena = sketch_model(name)
    build = compiled(name, None)
    size = sketch_size(build, board_runner.library)
    assert size.text > model.size_bytes  # the model array and the TFLM code it reaches
    assert size.ram_bytes >= arena       # the tensor arena is one of the sketch's variables
