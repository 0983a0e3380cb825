"""The gesture model builder, the confusion matrix, and the predict command on a tiny
trained model exported into a temporary sketch (seconds of training)."""

import json

import numpy as np
import pytest

from tinyml_lab.chapters.gesture.data import write_recordings
from tinyml_lab.chapters.gesture.features import normalize
from tinyml_lab.chapters.gesture.synthetic import GESTURES, make_person, record_gesture
from tinyml_lab.cli import main
from tinyml_lab.core import metrics
from tinyml_lab.core.errors import TinyMLError


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    counts = metrics.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    fig = metrics.plot_confusion(counts, ["a", "b", "c"])
    assert fig.axes[0].get_xlabel() == "model says"


@pytest.fixture(scope="module")
def tiny_gesture_sketch(tmp_path_factory):
    """A 4-class gesture model trained for a few seconds on simulated people, converted to
    int8 and exported into a copy of the gesture sketch."""
    import keras

    from tinyml_lab.chapters.gesture.model import gesture_cnn
    from tinyml_lab.core.convert import to_int8
    from tinyml_lab.core.export import export_to_sketch, sketch_copy
    from tinyml_lab.core.tflite_file import read_model
    from tinyml_lab.core.training import seed_everything

    seed_everything(0)
    x, y = [], []
    for k in range(6):
        person = make_person(21, k)
        for label, gesture in enumerate(GESTURES):
            for rep in range(4):
                window, _ = record_gesture(gesture, person, np.random.default_rng([k, label, rep]))
                x.append(window)
                y.append(label)
    x, y = normalize(np.array(x)), np.array(y)
    model = gesture_cnn(len(GESTURES))
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=4, batch_size=16, verbose=0)
    int8 = read_model(to_int8(model, x))
    out = tmp_path_factory.mktemp("sketches")
    sketch = sketch_copy("gesture", out)
    export_to_sketch(int8, sketch, 40 * 1024, source="test", labels=GESTURES)
    return sketch, model


def test_gesture_cnn_is_small_and_converts_to_tflm_ops(tiny_gesture_sketch):
    from tinyml_lab.core.deployed import load_deployed

    sketch, model = tiny_gesture_sketch
    assert model.input_shape == (None, 119, 6) and model.output_shape == (None, 4)
    deployed = load_deployed(sketch)
    assert deployed.model.is_full_int8 and deployed.model.size_bytes <= 20 * 1024
    assert deployed.labels == GESTURES and deployed.arena_bytes == 40 * 1024
    assert set(deployed.model.op_names) <= {"CONV_2D", "EXPAND_DIMS", "RESHAPE", "SQUEEZE",
                                             "MEAN", "FULLY_CONNECTED", "SOFTMAX"}


def test_predict_gives_one_answer_per_gesture_in_file_order(tiny_gesture_sketch, tmp_path,
                                                            capsys):
    from tinyml_lab.chapters.gesture.predict import predict_windows

    sketch, _ = tiny_gesture_sketch
    person = make_person(99, 0)
    windows = np.array([record_gesture(g, person, np.random.default_rng(i))[0]
                        for i, g in enumerate(("flex", "punch", "circle"))])
    path = write_recordings(tmp_path / "mixed.csv", windows)
    assert main(["predict", "gesture", str(path), "--json", "--sketch", str(sketch)]) == 0
    out = capsys.readouterr()
    answers = json.loads(out.out)
    assert out.err == "note: mixed.csv: 3 gestures of 119 rows between blank lines\n"
    assert len(answers) == 3
    expected = predict_windows(np.round(windows, 3), sketch)  # the file holds 3 decimals
    for answer, want in zip(answers, expected):
        assert list(answer["scores"]) == list(GESTURES)
        assert answer["label"] == max(answer["scores"], key=answer["scores"].get)
        assert answer == want.to_dict()
        assert sum(answer["scores"].values()) == pytest.approx(1.0, abs=0.02)
    assert main(["predict", "gesture", str(path), "--sketch", str(sketch)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith(f"1: {answers[0]['label']}  (punch ")


def test_predict_reads_a_tutorial_file_and_says_how(tiny_gesture_sketch, tmp_path, capsys):
    """No blank lines, a quoted header and a last gesture one row short, as some learners'
    files are: the answers cover the whole gestures and the note says what was dropped."""
    sketch, _ = tiny_gesture_sketch
    path = write_recordings(tmp_path / "punch.csv", np.zeros((3, 119, 6)))
    lines = [line for line in path.read_text().splitlines() if line][:-1]
    lines[0] = ",".join(f'"{name}"' for name in lines[0].split(","))
    path.write_text("\n".join(lines) + "\n")
    assert main(["predict", "gesture", str(path), "--json", "--sketch", str(sketch)]) == 0
    out = capsys.readouterr()
    assert len(json.loads(out.out)) == 2
    assert out.err == ("note: punch.csv: split 356 rows every 119 into 2 gestures (no blank "
                       "lines between gestures), dropped a last gesture of 118 rows\n")


def test_predict_errors_name_the_problem(tmp_path, capsys):
    from tinyml_lab.predict import predict

    bad = tmp_path / "punch.csv"
    bad.write_text("aX,aY,aZ,gX,gY,gZ\n1,2,3,4,5,6\n\n")
    assert main(["predict", "gesture", str(bad)]) == 2
    assert "no whole gesture" in capsys.readouterr().err
    write_recordings(bad, np.zeros((1, 119, 6)))
    assert main(["predict", "gesture", str(bad), "--sketch", str(tmp_path)]) == 2
    assert "no generated model files" in capsys.readouterr().err
    with pytest.raises(TinyMLError, match="No predictor for 'kws'"):
        predict("kws", bad)
