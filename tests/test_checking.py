"""The exercise feedback every chapter's checks share: targets say PASS/FAIL with a reason,
a metric at chance is flagged, and a learner's bug is reported, not raised."""

import numpy as np
import pytest

from tinyml_lab.core import checking


def test_a_target_passes_or_fails_with_its_bounds_and_hint(capsys):
    ok = checking.check_target(checking.Target("int8 bytes", 2000, at_most=2048, unit="B"))
    assert ok and "[PASS] int8 bytes: 2,000 B (target <= 2,048 B)" in capsys.readouterr().out
    bad = checking.check_target(checking.Target("MAE", 0.061, at_most=0.05, hint="train longer"),
                                quick=True)
    printed = capsys.readouterr().out
    assert not bad and printed.startswith("[FAIL] MAE: 0.061 (target <= 0.05): train longer")
    assert "quick mode" in printed  # a quick-mode failure says where the target is judged
    both = checking.Target("accuracy", 0.95, at_least=0.9, at_most=1.0)
    assert both.met and ">= 0.9 and <= 1" in both.describe()
    assert not checking.Target("nan", float("nan"), at_most=1).met
    with pytest.raises(ValueError, match="needs at_most or at_least"):
        checking.Target("nothing", 1.0)


def test_check_targets_prints_one_line_each(capsys):
    results = checking.check_targets([checking.Target("a", 1, at_most=2),
                                      checking.Target("b", 3, at_most=2)])
    assert [bool(r) for r in results] == [True, False]
    assert capsys.readouterr().out.count("\n") == 2


def test_chance_is_the_majority_class_and_a_model_near_it_is_flagged(capsys):
    labels = np.array([0] * 208 + [1] * 192)
    chance = checking.chance_level(labels, ("no_person", "person"))
    assert (chance.accuracy, chance.answer, chance.count) == (0.52, "no_person", 400)
    assert checking.warn_if_at_chance("held-out accuracy", 0.53, labels, ("no_person", "person"),
                                      quick=True)
    printed = capsys.readouterr().out
    assert printed.startswith("WARNING: held-out accuracy is 0.530, at chance")
    assert "'no_person' scores 0.520" in printed and "full mode" in printed
    assert not checking.warn_if_at_chance("accuracy", 0.9, labels)
    assert capsys.readouterr().out == ""


def test_an_auc_near_one_half_is_flagged_and_a_real_one_is_not(capsys):
    labels = np.arange(400) % 2
    assert checking.warn_if_auc_at_chance("ROC", 0.52, labels)
    assert "AUC is 0.520, at chance" in capsys.readouterr().out
    assert not checking.warn_if_auc_at_chance("ROC", 0.8, labels)
    with pytest.raises(ValueError, match="both classes"):
        checking.warn_if_auc_at_chance("ROC", 0.5, np.ones(10))


def test_call_turns_a_learners_exception_into_feedback():
    def unfinished():
        raise NotImplementedError("your code here")

    def broken():
        return 1 / 0

    assert checking.call(lambda x: x + 1, 1) == (2, None)
    assert "not written yet" in checking.call(unfinished)[1]
    assert "ZeroDivisionError" in checking.call(broken)[1]
