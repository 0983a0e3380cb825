"""Classification metrics and the confusion-matrix plot, for any chapter's classifier.

Overall accuracy hides what matters on a device: which class is mistaken for which. A
keyword spotter that calls "no" unknown misses commands; one that calls background "yes"
fires by itself. The confusion matrix shows both at a glance.
"""

from __future__ import annotations

import numpy as np

from tinyml_lab.errors import TinyMLError


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


def per_class_accuracy(counts: np.ndarray) -> np.ndarray:
    """Recall of each class (NaN for a class with no examples)."""
    totals = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(counts) / np.maximum(totals, 1), np.nan)


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
