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


@pytest.mark.parametrize("name,revision", list(_builds()))
def test_sketch_compiles_for_the_nano_33_ble(name, revision, tmp_path, arduino_inputs):
    from tinyml_lab.core.board.sketch import compile_sketch

    build = compile_sketch(SKETCHES / name, revision, tmp_path, arduino_inputs)
    assert all(o.stat().st_size > 0 for o in build.objects)
    if revision is not None:  # only the selected IMU's library needs to be there, both are
        assert {"Arduino_LSM9DS1", "Arduino_BMI270_BMM150"} <= set(build.libraries)


@pytest.mark.parametrize("name", MODEL_SKETCHES)
def test_model_sketch_size_holds_its_model_and_arena(name, tmp_path, board_runner,
                                                     arduino_inputs):
    from tinyml_lab.core.board.sketch import compile_sketch, sketch_size

    model, arena = sketch_model(name)
    build = compile_sketch(SKETCHES / name, None, tmp_path, arduino_inputs)
    size = sketch_size(build, board_runner.library)
    assert size.text > model.size_bytes  # the model array and the TFLM code it reaches
    assert size.ram_bytes >= arena       # the tensor arena is one of the sketch's variables
