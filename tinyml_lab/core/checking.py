"""Feedback for exercises and targets, shared by every chapter's checks.

The course's convention: a task's solution sits between nbgrader's `### BEGIN SOLUTION` and
`### END SOLUTION` markers, and the cell (or the next one) calls a `check_*` function. A check
runs the learner's code on cases with known answers, or looks at a number against a target,
and prints one line: `[PASS] ...`, or `[FAIL] ...` with what is wrong and a hint. It returns a
CheckResult (truthy when passed) and never raises on a wrong answer: a wrong answer is
feedback, not a crash.

Chapter-specific checks live in their chapter's package (`chapters/<name>/checks.py`); the
optimisation chapters' checks in `tinyml_lab.checks`. Both build on what is here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

QUICK_NOTE = ("quick mode trains on little data for a few epochs: a full run "
              "(quick = False) is what the target is judged on")


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"[{'PASS' if self.passed else 'FAIL'}] {self.name}: {self.message}"


def result(name: str, passed: bool, message: str, echo: bool = True) -> CheckResult:
    """Build a CheckResult and print it (the line a learner reads)."""
    outcome = CheckResult(name, bool(passed), message)
    if echo:
        print(outcome)
    return outcome


def call(fn: Callable, *args):
    """(value, None) or (None, what the learner's function raised): a bug is feedback."""
    try:
        return fn(*args), None
    except NotImplementedError:
        return None, "not written yet: replace the `raise NotImplementedError` with your code"
    except Exception as exc:  # noqa: BLE001 - a student's bug is feedback, not a crash
        return None, f"your function raised {type(exc).__name__}: {exc}"


def _number(value: float) -> str:
    value = float(value)
    if value.is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    return f"{value:.4g}"


@dataclass(frozen=True)
class Target:
    """A stated target: `value` must be at most `at_most` and/or at least `at_least`."""

    name: str
    value: float
    at_most: float | None = None
    at_least: float | None = None
    unit: str = ""
    hint: str = ""

    def __post_init__(self):
        if self.at_most is None and self.at_least is None:
            raise ValueError(f"target {self.name!r} needs at_most or at_least")

    @property
    def met(self) -> bool:
        value = float(self.value)
        if math.isnan(value):
            return False
        return ((self.at_most is None or value <= self.at_most)
                and (self.at_least is None or value >= self.at_least))

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        bounds = []
        if self.at_least is not None:
            bounds.append(f">= {_number(self.at_least)}{unit}")
        if self.at_most is not None:
            bounds.append(f"<= {_number(self.at_most)}{unit}")
        return f"{_number(self.value)}{unit} (target {' and '.join(bounds)})"


def check_target(target: Target, quick: bool = False, echo: bool = True) -> CheckResult:
    """PASS or FAIL for one stated target; a failure says the hint, and in quick mode that
    the target is judged on a full run."""
    message = target.describe()
    if not target.met:
        notes = [n for n in (target.hint, QUICK_NOTE if quick else "") if n]
        if notes:
            message += ": " + "; ".join(notes)
    return result(target.name, target.met, message, echo)


def check_targets(targets: Sequence[Target], quick: bool = False, echo: bool = True
                  ) -> list[CheckResult]:
    """Every stated target of a chapter, one line each."""
    return [check_target(t, quick, echo) for t in targets]


@dataclass(frozen=True)
class Chance:
    """What guessing scores: `accuracy` of always answering `answer`, and how far above it a
    model must be (`margin`, three standard errors on `count` examples) to have learnt."""

    accuracy: float
    answer: str
    count: int

    @property
    def margin(self) -> float:
        p = self.accuracy
        return max(3 * math.sqrt(p * (1 - p) / max(self.count, 1)), 0.01)


def chance_level(true_labels, labels: Sequence[str] | None = None) -> Chance:
    """Accuracy of always answering the most common class of `true_labels`."""
    true_labels = np.asarray(true_labels, dtype=int).ravel()
    if true_labels.size == 0:
        raise ValueError("chance_level needs at least one label")
    counts = np.bincount(true_labels)
    top = int(np.argmax(counts))
    name = labels[top] if labels is not None and top < len(labels) else f"class {top}"
    return Chance(float(counts[top] / true_labels.size), name, int(true_labels.size))


def warn_if_at_chance(name: str, accuracy: float, true_labels, labels=None,
                      quick: bool = False, echo: bool = True) -> bool:
    """Print a visible warning when `accuracy` is no better than always answering the most
    common class (within three standard errors). Returns True when at chance."""
    chance = chance_level(true_labels, labels)
    at_chance = float(accuracy) <= chance.accuracy + chance.margin
    if at_chance and echo:
        why = (" Quick mode trains on little data for a few epochs; run the notebook in full "
               "mode (quick = False) for a real model." if quick else
               " Train longer, on more data, or check the labels.")
        print(f"WARNING: {name} is {float(accuracy):.3f}, at chance: always answering "
              f"{chance.answer!r} scores {chance.accuracy:.3f} on these {chance.count} "
              f"examples. This model has learnt nothing useful yet, whatever the other "
              f"checks say.{why}")
    return at_chance


def warn_if_auc_at_chance(name: str, area: float, true_labels, quick: bool = False,
                          echo: bool = True) -> bool:
    """The same for an ROC curve: an AUC within three standard errors of 0.5 (the diagonal;
    Hanley and McNeil's variance of a coin's AUC) ranks no better than a coin."""
    true_labels = np.asarray(true_labels).astype(bool).ravel()
    positives, negatives = int(true_labels.sum()), int((~true_labels).sum())
    if not positives or not negatives:
        raise ValueError("an AUC needs examples of both classes")
    margin = 3 * math.sqrt((positives + negatives + 1) / (12 * positives * negatives))
    at_chance = abs(float(area) - 0.5) <= margin
    if at_chance and echo:
        why = (" Quick mode trains briefly; a full run (quick = False) gives the real curve."
               if quick else "")
        print(f"WARNING: {name} AUC is {float(area):.3f}, at chance (a coin scores 0.5 and "
              f"its curve is the diagonal): the scores do not separate the classes.{why}")
    return at_chance
