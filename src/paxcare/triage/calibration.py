"""Out-of-fold scores and what they calibrate: the temperature and the threshold.

Plain NumPy and SciPy, no Django. A model is trained several times on all but one
fold of its examples and scores the fold it did not see; those out-of-fold scores
behave like scores on new text, so they are what the calibration learns from:

- a softmax temperature that makes the top probability mean what it says;
- the confidence threshold above which the model's answers are right at least
  ``target`` of the time, the rest going to a person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import optimize, sparse

Fit = Callable[
    [sparse.csr_matrix, np.ndarray], Callable[[sparse.csr_matrix], np.ndarray]
]

_THRESHOLDS = np.round(np.arange(0.0, 1.0, 0.01), 2)
# Fewer confident answers than this say nothing about their accuracy.
_MIN_KEPT = 10


def softmax(scores: np.ndarray) -> np.ndarray:
    """Return row-wise softmax probabilities of ``scores`` (a new array)."""
    scores = np.array(scores, dtype=np.float64)
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def assign_folds(labels: Sequence[int], folds: int, seed: int) -> np.ndarray:
    """Return a fold number per example, stratified by label.

    A class with fewer examples than folds gets -1: it stays in every training part
    and is never scored out of fold.
    """
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    fold_of = np.full(len(labels), -1)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        if len(rows) >= folds:
            fold_of[rng.permutation(rows)] = np.arange(len(rows)) % folds
    return fold_of


def out_of_fold_scores(
    features: sparse.csr_matrix,
    labels: np.ndarray,
    n_classes: int,
    fit: Fit,
    fold_of: np.ndarray,
) -> np.ndarray:
    """Return the decision scores of every scored row by a model that did not see it.

    ``fit(features, labels)`` returns a scoring function with one column per class
    (0 to ``n_classes - 1``); a fold whose training part lacks a class gets a very
    low score for it. Rows with fold -1 are left at zero.
    """
    scores = np.zeros((len(labels), n_classes))
    for fold in range(fold_of.max() + 1):
        test = fold_of == fold
        train_labels = labels[~test]
        present = np.unique(train_labels)
        score = fit(features[~test], train_labels)
        fold_scores = np.full((test.sum(), n_classes), -1e3)
        fold_scores[:, present] = score(features[test])
        scores[test] = fold_scores
    return scores


def macro_f1(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> float:
    """Return the unweighted mean F1 over classes 0 to ``n_classes - 1``."""
    matches = np.bincount(labels[labels == predicted], minlength=n_classes)
    truth = np.bincount(labels, minlength=n_classes)
    guesses = np.bincount(predicted, minlength=n_classes)
    denominator = truth + guesses
    f1 = np.divide(
        2 * matches, denominator, out=np.zeros(n_classes), where=denominator > 0
    )
    return float(f1.mean())


def fit_temperature(scores: np.ndarray, labels: np.ndarray) -> float:
    """Return the softmax temperature minimising the log loss of the scores.

    Below 1 it sharpens the probabilities of a model regularised for few examples,
    above 1 it softens an overconfident one.
    """
    rows = np.arange(len(labels))

    def loss(log_t: float) -> float:
        p = softmax(scores / np.exp(log_t))
        return float(-np.log(p[rows, labels] + 1e-12).mean())

    best = optimize.minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(best.x))


def choose_threshold(
    confidences: np.ndarray, correct: np.ndarray, target: float
) -> float:
    """Return the lowest threshold whose confident answers are right ``target`` of
    the time, or 1.0 (every answer to a person) when none is."""
    for threshold in _THRESHOLDS:
        kept = confidences >= threshold
        if kept.sum() < _MIN_KEPT:
            break
        if correct[kept].mean() >= target:
            return float(threshold)
    return 1.0


def coverage(
    confidences: np.ndarray, correct: np.ndarray, threshold: float
) -> tuple[float, float]:
    """Return (share of answers at or above ``threshold``, their accuracy)."""
    kept = confidences >= threshold
    if not kept.any():
        return 0.0, 0.0
    return float(kept.mean()), float(correct[kept].mean())
