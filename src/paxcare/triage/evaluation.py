"""Scores of a classifier on labelled texts, and the held-out split they come from.

Plain Python and scikit-learn's metrics, no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_fscore_support


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall, F1 and support of one class."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EvaluationReport:
    """Scores of a classifier on labelled texts.

    ``macro_f1`` is the unweighted mean of the per-class F1 over the classes in
    ``per_class`` (those with support, unless the caller named the labels).
    ``coverage`` and ``confident_accuracy`` describe the answers at or above the
    model's confidence threshold, when the caller gave confidences.
    """

    per_class: dict[str, ClassScores]
    macro_f1: float
    accuracy: float
    n_texts: int
    threshold: float | None = None
    coverage: float | None = None
    confident_accuracy: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready values, figures rounded to 4 places."""
        report: dict[str, Any] = {
            "macro_f1": round(self.macro_f1, 4),
            "accuracy": round(self.accuracy, 4),
            "n_texts": self.n_texts,
            "per_class": {
                label: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for label, s in self.per_class.items()
            },
        }
        if self.threshold is not None:
            report["threshold"] = round(self.threshold, 4)
            report["coverage"] = round(self.coverage or 0.0, 4)
            report["confident_accuracy"] = round(self.confident_accuracy or 0.0, 4)
        return report


def score_predictions(
    true: Sequence[str],
    predicted: Sequence[str],
    labels: Sequence[str] | None = None,
) -> EvaluationReport:
    """Score predicted labels against true ones.

    ``labels`` chooses the classes reported and averaged (default: every class in
    ``true``); a prediction outside them still counts as a miss for its text.
    """
    if len(true) != len(predicted):
        raise ValueError("true and predicted differ in length")
    if len(true) == 0:
        raise ValueError("nothing to evaluate")
    chosen = sorted(set(true)) if labels is None else list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        list(true), list(predicted), labels=chosen, zero_division=0
    )
    per_class = {
        label: ClassScores(float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(
            chosen, precision, recall, f1, support, strict=True
        )
    }
    correct = sum(t == p for t, p in zip(true, predicted, strict=True))
    return EvaluationReport(
        per_class=per_class,
        macro_f1=float(np.mean(f1)) if len(chosen) else 0.0,
        accuracy=correct / len(true),
        n_texts=len(true),
    )


def stratified_split(
    categories: Sequence[str], holdout: float = 0.2, seed: int = 0
) -> tuple[list[int], list[int]]:
    """Return (train, test) row indices holding out ``holdout`` of each class.

    A class with a single example stays in training; every class with two or more
    keeps at least one example on each side.
    """
    if not 0 < holdout < 1:
        raise ValueError("holdout must be between 0 and 1")
    rng = np.random.default_rng(seed)
    by_class: dict[str, list[int]] = {}
    for index, category in enumerate(categories):
        by_class.setdefault(category, []).append(index)
    train_rows: list[int] = []
    test_rows: list[int] = []
    for category in sorted(by_class):
        rows = by_class[category]
        rng.shuffle(rows)
        n_test = (
            0
            if len(rows) < 2
            else min(len(rows) - 1, max(1, round(len(rows) * holdout)))
        )
        test_rows.extend(rows[:n_test])
        train_rows.extend(rows[n_test:])
    return sorted(train_rows), sorted(test_rows)
