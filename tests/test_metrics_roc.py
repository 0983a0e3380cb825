"""ROC curve, AUC and balanced accuracy: checked against counting by hand."""

import numpy as np
import pytest

from tinyml_lab.core.errors import TinyMLError
from tinyml_lab.core.metrics import auc, plot_roc, roc_curve


def test_roc_matches_counting_at_each_threshold():
    rng = np.random.default_rng(0)
    true = rng.random(200) < 0.4
    score = np.round(rng.random(200) * 0.6 + 0.4 * true, 2)  # rounded: many ties
    fpr, tpr, thresholds = roc_curve(true, score)
    assert (fpr[0], tpr[0]) == (0.0, 0.0) and (fpr[-1], tpr[-1]) == (1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    for f, t, th in zip(fpr[1:], tpr[1:], thresholds[1:]):
        said = score >= th
        assert f == pytest.approx(np.sum(said & ~true) / np.sum(~true))
        assert t == pytest.approx(np.sum(said & true) / np.sum(true))


def test_auc_is_the_chance_a_positive_outranks_a_negative():
    rng = np.random.default_rng(1)
    true = rng.random(300) < 0.5
    score = rng.normal(size=300) + true
    pos, neg = score[true], score[~true]
    pairs = (pos[:, None] > neg[None, :]).mean()  # no ties with continuous scores
    assert auc(*roc_curve(true, score)[:2]) == pytest.approx(pairs)


def test_perfect_useless_and_bad_input():
    assert auc(*roc_curve([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])[:2]) == 1.0
    assert auc(*roc_curve([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])[:2]) == 0.5
    with pytest.raises(TinyMLError, match="both classes"):
        roc_curve([1, 1], [0.2, 0.3])
    with pytest.raises(TinyMLError, match="one score per example"):
        roc_curve([0, 1], [0.2])


def test_plot_roc_draws_one_curve_per_model():
    import matplotlib

    matplotlib.use("Agg")
    fig = plot_roc({"float": ([0, 1, 0, 1], [0.1, 0.9, 0.4, 0.6]),
                    "int8": ([0, 1, 0, 1], [0.2, 0.8, 0.6, 0.4])})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["float (AUC 1.000)", "int8 (AUC 0.750)"]


def test_balanced_accuracy_is_the_mean_of_the_class_accuracies():
    from tinyml_lab.core.metrics import balanced_accuracy, confusion_matrix

    true = [0] * 90 + [1] * 10
    always_no = confusion_matrix(true, [0] * 100, 2)
    assert balanced_accuracy(always_no) == 0.5  # 0.90 accuracy, but it never finds one
    counts = confusion_matrix(true, [0] * 81 + [1] * 9 + [1] * 7 + [0] * 3, 2)
    assert balanced_accuracy(counts) == pytest.approx((81 / 90 + 7 / 10) / 2)
    with pytest.raises(TinyMLError, match="every class"):
        balanced_accuracy(confusion_matrix([0, 0], [0, 1], 2))
