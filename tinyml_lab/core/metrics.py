"""Classification metrics and the confusion-matrix plot, for any chapter's classifier.

Overall accuracy hides what matters on a device: which class is mistaken for which. A
keyword spotter that calls "no" unknown misses commands; one that calls background "yes"
fires by itself. The confusion matrix shows both at a glance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinyml_lab.core.errors import TinyMLError


def confusion_matrix(true, predicted, classes: int) -> np.ndarray:
    """counts[i, j]: examples of class i predicted as class j."""
    true, predicted = np.asarray(true, dtype=int), np.asarray(predicted, dtype=int)
    if true.shape != predicted.shape:
        raise TinyMLError(f"{len(true)} true labels but {len(predicted)} predictions.")
    if true.size and (min(true.min(), predicted.min()) < 0
                      or max(true.max(), predicted.max()) >= classes):
        raise TinyMLError(f"Labels must be class indices 0..{classes - 1}.")
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (true, predicted), 1)
    return counts


def accuracy(true, predicted) -> float:
    true, predicted = np.asarray(true), np.asarray(predicted)
    if true.size == 0:
        raise TinyMLError("No examples to score.")
    return float(np.mean(true == predicted))


def accuracy_by_group(true, predicted, groups) -> dict[str, float]:
    """Accuracy within each group (a person, a speaker), in sorted group order. The mean of
    these is what the next person can expect; the pooled accuracy favours whoever recorded
    the most."""
    true, predicted, groups = np.asarray(true), np.asarray(predicted), np.asarray(groups)
    if not true.shape == predicted.shape == groups.shape:
        raise TinyMLError(f"{len(true)} true labels, {len(predicted)} predictions and "
                          f"{len(groups)} group names: give one of each per example.")
    return {str(g): accuracy(true[groups == g], predicted[groups == g])
            for g in sorted(set(groups.tolist()))}


@dataclass(frozen=True)
class PairedDifference:
    """How two models differ on the same examples: how many only a gets right, how many
    only b, and the exact McNemar p of so lopsided a split if both were equally accurate."""

    only_a: int
    only_b: int
    p: float


def paired_difference(correct_a, correct_b) -> PairedDifference:
    """Exact McNemar test (two-sided). Only the examples exactly one model gets right
    count. A gap of 14 clips in 1,200 can be chance; a p below 0.05 says it is probably
    not."""
    a, b = np.asarray(correct_a, dtype=bool), np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise TinyMLError(f"Give both models' right/wrong on the same examples: got shapes "
                          f"{a.shape} and {b.shape}.")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    n, k = only_a + only_b, min(only_a, only_b)
    if n == 0:
        return PairedDifference(only_a, only_b, 1.0)
    tail = sum(math.comb(n, i) for i in range(k + 1))
    return PairedDifference(only_a, only_b, min(1.0, 2 * tail / 2 ** n))


def per_class_accuracy(counts: np.ndarray) -> np.ndarray:
    """Recall of each class (NaN for a class with no examples)."""
    totals = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(counts) / np.maximum(totals, 1), np.nan)


def balanced_accuracy(counts: np.ndarray, skip_absent: bool = False) -> float:
    """The mean of the per-class accuracies: on a set with 900 negatives and 100 positives a
    model that always says "no" scores 0.90 accuracy but 0.50 balanced. skip_absent: average
    over the classes that have examples (a folder of recordings may lack one) instead of
    refusing."""
    recalls = per_class_accuracy(counts)
    if np.isnan(recalls).all() or (np.isnan(recalls).any() and not skip_absent):
        raise TinyMLError("Balanced accuracy needs examples of every class "
                          "(skip_absent=True averages over the classes that have some).")
    return float(np.nanmean(recalls))


def plot_confusion(counts: np.ndarray, labels, title: str = "Confusion matrix", ax=None):
    """Rows: the true class; columns: what the model answered; each row in percent.
    Draws into `ax` when given (e.g. float and int8 side by side)."""
    import matplotlib.pyplot as plt

    counts = np.asarray(counts)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 * len(labels) + 2, 1.0 * len(labels) + 1.5))
    fig = ax.figure
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, f"{share[i, j]:.0%}\n({counts[i, j]})", ha="center", va="center",
                    color="white" if share[i, j] > 0.6 else "black", fontsize=9)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("model says")
    ax.set_ylabel("true label")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def roc_curve(true, score):
    """False- and true-positive rates as the decision threshold sweeps down over `score`
    (the model's probability of the positive class). Ties move together, as they must:
    one threshold cannot split examples with the same score.

    Returns (fpr, tpr, thresholds), starting at (0, 0) for a threshold above every score."""
    true, score = np.asarray(true).astype(bool), np.asarray(score, dtype=np.float64)
    if true.shape != score.shape or true.size == 0:
        raise TinyMLError("roc_curve needs one score per example, and at least one example.")
    positives, negatives = int(true.sum()), int((~true).sum())
    if positives == 0 or negatives == 0:
        raise TinyMLError("roc_curve needs examples of both classes.")
    order = np.argsort(-score, kind="stable")
    score, true = score[order], true[order]
    last_of_tie = np.r_[np.nonzero(np.diff(score))[0], score.size - 1]
    tp = np.cumsum(true)[last_of_tie]
    fp = (last_of_tie + 1) - tp
    fpr = np.r_[0.0, fp / negatives]
    tpr = np.r_[0.0, tp / positives]
    thresholds = np.r_[np.inf, score[last_of_tie]]
    return fpr, tpr, thresholds


def auc(fpr, tpr) -> float:
    """Area under a curve by the trapezoid rule: 1.0 ranks perfectly, 0.5 is a coin."""
    fpr, tpr = np.asarray(fpr, float), np.asarray(tpr, float)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def plot_roc(curves: dict, title: str = "ROC curve", ax=None, mark: float | None = 0.5):
    """One ROC curve per entry {name: (true, score)}; `mark` dots each curve's operating
    point at that threshold (the sketch's 0.5 by default)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.2))
    for name, (true, score) in curves.items():
        fpr, tpr, thresholds = roc_curve(true, score)
        line, = ax.plot(fpr, tpr, label=f"{name} (AUC {auc(fpr, tpr):.3f})")
        if mark is not None:
            k = int(np.searchsorted(-thresholds, -mark, side="right")) - 1
            ax.plot(fpr[k], tpr[k], "o", color=line.get_color())
    ax.plot([0, 1], [0, 1], ls=":", color="gray", lw=1)
    ax.set_xlabel("false positive rate (no person, said person)")
    ax.set_ylabel("true positive rate (person found)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    ax.figure.tight_layout()
    return ax.figure
