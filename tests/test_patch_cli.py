"""`python -m tinyml_lab patch MODEL.tflite [--grid N] [--stage-ops K] [--verify] [--json]`
on the committed person detector: the JSON keys the course documents, the default plan
rule (lowest peak within 30 % extra MACs), verification in TFLM, the written models, and
errors that say what to do."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tinyml_lab.cli import main
from tinyml_lab.core.deployed import load_deployed
from tinyml_lab.core.tflite_file import read_model
from tinyml_lab.optimisation.patch import sweep

SKETCHES = Path(__file__).resolve().parents[1] / "arduino_sketches"
KEYS = {"layer_peak_bytes", "patch_peak_bytes", "layer_arena_bytes", "patch_arena_bytes",
        "macs_layer", "macs_patch", "grid", "stage_ops", "verified_inputs", "max_abs_diff"}


@pytest.fixture(scope="module")
def person_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("patch_cli") / "person.tflite"
    path.write_bytes(load_deployed(SKETCHES / "person_detection").model.data)
    return path


def run_json(capsys, *args):
    code = main(["patch", *map(str, args), "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_default_plan_is_the_lowest_peak_within_30_percent_more_macs(person_file, capsys):
    code, d = run_json(capsys, person_file)
    assert code == 0 and KEYS <= set(d)
    assert d["verified_inputs"] == 0 and d["max_abs_diff"] is None  # not asked to verify
    points = sweep(read_model(person_file))
    allowed = [p for p in points if p.macs_patch <= 1.3 * p.macs_layer]
    lowest = min(p.patch_peak_bytes for p in allowed)
    assert d["patch_peak_bytes"] == lowest
    assert d["macs_patch"] <= 1.3 * d["macs_layer"]
    chosen = [p for p in allowed if (p.grid, p.stage_ops) == (d["grid"], d["stage_ops"])]
    assert chosen and chosen[0].patch_peak_bytes == lowest
    assert len(allowed) < len(points)  # the budget rules some plans out


def test_verify_runs_both_schedules_on_ten_inputs(person_file, capsys):
    code, d = run_json(capsys, person_file, "--grid", 2, "--stage-ops", 6, "--verify")
    assert code == 0
    assert (d["grid"], d["stage_ops"]) == (2, 6)
    assert d["verified_inputs"] == 10 and d["max_abs_diff"] == 0
    assert d["layer_peak_bytes"] == 55296  # the detector's second block: 48x48x(8 + 16)


def test_one_of_grid_or_stage_ops_fixes_it_the_other_is_chosen(person_file, capsys):
    _, d = run_json(capsys, person_file, "--grid", 2)
    assert d["grid"] == 2
    _, e = run_json(capsys, person_file, "--stage-ops", 4)
    assert e["stage_ops"] == 4


def test_out_writes_the_models_and_the_schedule(person_file, tmp_path, capsys):
    code = main(["patch", str(person_file), "--grid", "3", "--stage-ops", "8", "--out",
                 str(tmp_path / "plan")])
    text = capsys.readouterr().out
    assert code == 0 and "activation peak" in text and "MACs" in text
    schedule = json.loads((tmp_path / "plan" / "schedule.json").read_text())
    assert len(schedule["patches"]) == 9
    for k in range(schedule["stage_models"]):
        assert read_model(tmp_path / "plan" / f"stage_{k}.tflite").is_full_int8
    rest = read_model(tmp_path / "plan" / "rest.tflite")
    assert rest.input_tensors[0].shape == (1, *schedule["stage_output_shape"])


def test_bad_plans_are_refused_with_the_fix(person_file):
    run = subprocess.run([sys.executable, "-m", "tinyml_lab", "patch", str(person_file),
                          "--stage-ops", "29", "--grid", "2"], capture_output=True, text=True)
    assert run.returncode == 2
    assert "MEAN" in run.stderr and "--stage-ops 27" in run.stderr
    assert "Traceback" not in run.stderr
