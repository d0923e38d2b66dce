"""Text classifier for passenger messages: category, kind and a confidence.

Plain Python, NumPy and scikit-learn, no Django: the triage services call it, the
benchmark and the tests use it on their own.

One feature space (``features.py``: word and character n-grams, bilingual concept
cues), two linear heads. A multinomial logistic regression predicts the category; a
second one over the same features predicts the kind (complaint, claim, inquiry,
praise, suggestion). When the training data has no kind column, the kind head learns
from the shipped seed examples, and the feature space sees those texts too so that
both languages stay covered.

Training scores every example out of fold first (``calibration.py``) and learns from
those scores the softmax temperature that makes the confidence a probability of being
right, and the threshold above which the answers are right ``TARGET_PRECISION`` of the
time.

Prediction needs only the feature space and the coefficient arrays: scikit-learn
trains, NumPy predicts. A model serialises to a NumPy ``.npz`` archive read with
``allow_pickle=False``, so loading a model runs no code from it.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from paxcare.triage import calibration
from paxcare.triage.evaluation import (
    ClassScores,
    EvaluationReport,
    score_predictions,
    stratified_split,
)
from paxcare.triage.features import FeatureSpace, normalise, normalise_many

logger = logging.getLogger(__name__)

SEED_PATH = Path(__file__).with_name("seed") / "examples.csv"
KINDS = ("complaint", "claim", "inquiry", "praise", "suggestion")
DEFAULT_KIND = "complaint"

# A trained model sends to the triage queue what it is less sure of than the
# threshold at which its out-of-fold answers were right this often.
TARGET_PRECISION = 0.85
# The seed examples are tidier than real traffic, so their out-of-fold answers
# would set the default model's threshold far too low. This one was chosen on real
# tweets instead: the lowest at which the confident ones go to the right department
# at least 85% of the time (docs/classifier.md).
DEFAULT_THRESHOLD = 0.96

# Regularisation: a trained model picks the category head's C from C_GRID by its
# out-of-fold macro F1 on the training data (never on held-out text); the kind head,
# the default model and training data too small for folds use C.
C = 3.0
C_GRID = (1.0, 3.0, 10.0)
FOLDS = 5

_FORMAT = "paxcare-text-classifier/2"
_SOURCES = ("classifier.py", "features.py", "concepts.py", "calibration.py")

__all__ = [
    "ClassScores",
    "EvaluationReport",
    "Prediction",
    "TextClassifier",
    "default_classifier",
    "evaluate",
    "normalise",
    "score_predictions",
    "stratified_split",
    "train",
    "train_with_holdout",
]


@dataclass(frozen=True)
class Prediction:
    """One text's predicted category and kind; ``confidence`` is for the category."""

    category: str
    kind: str
    confidence: float


@dataclass
class Head:
    """One linear head: a score per class is features @ coef + intercept."""

    classes: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray

    @classmethod
    def from_model(cls, model: LogisticRegression) -> Head:
        """Copy a fitted scikit-learn model into plain arrays (two columns at least)."""
        coef = model.coef_.T.astype(np.float32)
        intercept = model.intercept_.astype(np.float64)
        if coef.shape[1] == 1:
            coef = np.hstack([np.zeros_like(coef), coef])
            intercept = np.array([0.0, intercept[0]])
        classes = tuple(str(c) for c in model.classes_)
        return cls(classes, np.ascontiguousarray(coef), intercept)

    def scores(self, features: sparse.csr_matrix | tuple) -> np.ndarray:
        """Return one row of class scores per text."""
        if isinstance(features, tuple):
            columns, values = features
            return (values @ self.coef[columns] + self.intercept)[np.newaxis, :]
        return np.asarray(features @ self.coef, dtype=np.float64) + self.intercept


@dataclass
class TextClassifier:
    """A trained category and kind model; build one with ``train()``."""

    features: FeatureSpace
    category: Head
    kind: Head | None
    default_kind: str = DEFAULT_KIND
    temperature: float = 1.0
    threshold: float = DEFAULT_THRESHOLD
    trained_at: str = ""
    n_examples: int = 0
    version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def categories(self) -> list[str]:
        """Return the category codes the model can predict, sorted."""
        return list(self.category.classes)

    def _featurise(self, texts: Sequence[str]):
        if len(texts) == 1:
            return self.features.transform_one(normalise(texts[0]))
        return self.features.transform(normalise_many(texts))

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Return calibrated category probabilities, columns as ``categories``."""
        scores = self.category.scores(self._featurise(texts))
        return calibration.softmax(scores / self.temperature)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return one prediction per text, in order, computed as one batch."""
        if isinstance(texts, str):
            raise TypeError("predict() takes a sequence of texts, not one string")
        if len(texts) == 0:
            return []
        features = self._featurise(texts)
        probabilities = calibration.softmax(
            self.category.scores(features) / self.temperature
        )
        best = probabilities.argmax(axis=1)
        confidence = probabilities[np.arange(len(best)), best].tolist()
        categories = [self.category.classes[i] for i in best.tolist()]
        if self.kind is None:
            kinds = [self.default_kind] * len(texts)
        else:
            picked = self.kind.scores(features).argmax(axis=1).tolist()
            kinds = [self.kind.classes[i] for i in picked]
        return [
            Prediction(category=c, kind=k, confidence=p)
            for c, k, p in zip(categories, kinds, confidence, strict=True)
        ]

    def to_bytes(self) -> bytes:
        """Serialise the model as a NumPy archive of plain arrays and JSON."""
        arrays = {f"features.{k}": v for k, v in self.features.to_arrays().items()}
        heads = {"category": self.category, "kind": self.kind}
        for name, head in heads.items():
            if head is not None:
                arrays[f"{name}.coef"] = head.coef
                arrays[f"{name}.intercept"] = head.intercept
        meta = {
            "format": _FORMAT,
            "classes": {n: list(h.classes) for n, h in heads.items() if h},
            "default_kind": self.default_kind,
            "temperature": self.temperature,
            "threshold": self.threshold,
            "trained_at": self.trained_at,
            "n_examples": self.n_examples,
            "version": self.version,
            "extra": self.extra,
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextClassifier:
        """Load a model written by ``to_bytes``; raise ValueError for anything else."""
        try:
            archive = np.load(io.BytesIO(data), allow_pickle=False)
            arrays = {name: archive[name] for name in archive.files}
            meta = json.loads(bytes(arrays.pop("meta")).decode("utf-8"))
        except (OSError, ValueError, KeyError, EOFError) as error:
            raise ValueError("not a PaxCare text classifier") from error
        if meta.get("format") != _FORMAT:
            raise ValueError("not a PaxCare text classifier of this version; retrain")
        space = {
            name.removeprefix("features."): value
            for name, value in arrays.items()
            if name.startswith("features.")
        }
        heads = {
            name: Head(
                tuple(classes), arrays[f"{name}.coef"], arrays[f"{name}.intercept"]
            )
            for name, classes in meta["classes"].items()
        }
        return cls(
            features=FeatureSpace.from_arrays(space),
            category=heads["category"],
            kind=heads.get("kind"),
            default_kind=meta["default_kind"],
            temperature=meta["temperature"],
            threshold=meta["threshold"],
            trained_at=meta["trained_at"],
            n_examples=meta["n_examples"],
            version=meta["version"],
            extra=meta["extra"],
        )


def _logistic(c: float, seed: int) -> LogisticRegression:
    # newton-cg: a tenth of lbfgs's time on these wide sparse matrices, same optimum.
    return LogisticRegression(
        C=c,
        class_weight="balanced",
        solver="newton-cg",
        max_iter=300,
        random_state=seed,
    )


def train(
    texts: Sequence[str],
    categories: Sequence[str],
    kinds: Sequence[str] | None = None,
    *,
    seed: int = 0,
    version: str | None = None,
    c: float | None = None,
    threshold: float | None = None,
) -> TextClassifier:
    """Train a classifier on labelled texts and return it.

    Without ``kinds`` (or with every kind blank), the kind head learns from the
    shipped seed examples. Rows with a blank kind are left out of the kind head only.
    Without ``c``, the category head's regularisation is the value of ``C_GRID``
    with the best out-of-fold macro F1. ``threshold`` fixes the confidence
    threshold instead of choosing it from the out-of-fold answers.
    """
    texts = list(texts)
    categories = [str(c).strip() for c in categories]
    if len(texts) != len(categories):
        raise ValueError("texts and categories differ in length")
    if len(set(categories)) < 2:
        raise ValueError("training needs at least two categories")

    kind_texts, kind_labels = _kind_training_rows(texts, kinds)
    cleaned = normalise_many(texts)
    kind_cleaned = cleaned if kind_texts is texts else normalise_many(kind_texts)
    # Fit the vocabulary on every text either head learns from.
    vocabulary = cleaned if kind_cleaned is cleaned else cleaned + kind_cleaned
    space = FeatureSpace.fit(vocabulary)
    features = space.transform(cleaned)

    classes = sorted(set(categories))
    labels = np.searchsorted(classes, categories)
    calibrated = _calibrate(features, labels, len(classes), c, seed)
    category = Head.from_model(
        _logistic(calibrated["c"], seed).fit(features, categories)
    )

    kind = None
    if len(set(kind_labels)) >= 2:
        kind_features = (
            features if kind_cleaned is cleaned else space.transform(kind_cleaned)
        )
        kind = Head.from_model(_logistic(C, seed).fit(kind_features, kind_labels))
    label = version or "v-" + _fingerprint(texts, categories)
    logger.info(
        "Trained text classifier %s on %d examples, %d categories",
        label,
        len(texts),
        len(classes),
    )
    return TextClassifier(
        features=space,
        category=category,
        kind=kind,
        default_kind=kind_labels[0] if kind_labels else DEFAULT_KIND,
        temperature=calibrated["temperature"],
        threshold=calibrated["threshold"] if threshold is None else threshold,
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        n_examples=len(texts),
        version=label,
        extra={"out_of_fold": calibrated["report"]},
    )


def _calibrate(
    features: sparse.csr_matrix,
    labels: np.ndarray,
    n_classes: int,
    c: float | None,
    seed: int,
) -> dict[str, Any]:
    """Return C, temperature, threshold and a summary from out-of-fold scores.

    With ``c`` None, every value of ``C_GRID`` is scored on the same folds and the
    one with the best out-of-fold macro F1 is kept (the smaller on a tie).
    """
    fold_of = calibration.assign_folds(labels, FOLDS, seed)
    scored = fold_of >= 0
    if scored.sum() < 30 or len(np.unique(labels[scored])) < 2:
        return {
            "c": C if c is None else c,
            "temperature": 1.0,
            "threshold": DEFAULT_THRESHOLD,
            "report": {},
        }

    truth = labels[scored]
    candidates: dict[float, tuple[float, np.ndarray]] = {}
    for value in C_GRID if c is None else (c,):

        def fit(x: sparse.csr_matrix, y: np.ndarray, value: float = value):
            return _logistic(value, seed).fit(x, y).decision_function

        scores = calibration.out_of_fold_scores(
            features, labels, n_classes, _two_columns(fit), fold_of
        )[scored]
        f1 = calibration.macro_f1(truth, scores.argmax(axis=1), n_classes)
        candidates[value] = (f1, scores)
    chosen = max(sorted(candidates), key=lambda value: candidates[value][0])
    macro_f1, scores = candidates[chosen]
    temperature = calibration.fit_temperature(scores, truth)
    probabilities = calibration.softmax(scores / temperature)
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == truth
    threshold = calibration.choose_threshold(confidence, correct, TARGET_PRECISION)
    share, accuracy = calibration.coverage(confidence, correct, threshold)
    report = {
        "n_texts": int(scored.sum()),
        "c": chosen,
        "macro_f1": round(macro_f1, 4),
        "accuracy": round(float(correct.mean()), 4),
        "threshold": threshold,
        "coverage": round(share, 4),
        "confident_accuracy": round(accuracy, 4),
    }
    if len(candidates) > 1:
        report["macro_f1_by_c"] = {
            str(value): round(f1, 4) for value, (f1, _) in sorted(candidates.items())
        }
    return {
        "c": chosen,
        "temperature": temperature,
        "threshold": threshold,
        "report": report,
    }


def _two_columns(fit):
    """Wrap ``fit`` so that a binary model scores two columns, as a softmax needs."""

    def wrapped(x, y):
        score = fit(x, y)

        def scores(rows):
            values = score(rows)
            if values.ndim == 1:
                return np.column_stack([np.zeros_like(values), values])
            return values

        return scores

    return wrapped


def _kind_training_rows(
    texts: list[str], kinds: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    if kinds is not None:
        if len(kinds) != len(texts):
            raise ValueError("texts and kinds differ in length")
        pairs = [(t, str(k).strip()) for t, k in zip(texts, kinds, strict=True)]
        known = [(t, k) for t, k in pairs if k]
        if known:
            if len(known) == len(texts):
                return texts, [k for _, k in known]
            return [t for t, _ in known], [k for _, k in known]
    seed_rows = load_seed_examples()
    return [r["text"] for r in seed_rows], [r["kind"] for r in seed_rows]


def _fingerprint(texts: Sequence[str], categories: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for text, category in zip(texts, categories, strict=True):
        digest.update(text.encode("utf-8"))
        digest.update(b"\x1f")
        digest.update(category.encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:12]


def evaluate(
    clf: TextClassifier, texts: Sequence[str], categories: Sequence[str]
) -> EvaluationReport:
    """Predict ``texts`` and score them, with the share and accuracy of the answers
    at or above the model's threshold."""
    predictions = clf.predict(list(texts))
    report = score_predictions(list(categories), [p.category for p in predictions])
    confidence = np.array([p.confidence for p in predictions])
    correct = np.array(
        [p.category == t for p, t in zip(predictions, categories, strict=True)]
    )
    share, accuracy = calibration.coverage(confidence, correct, clf.threshold)
    return EvaluationReport(
        per_class=report.per_class,
        macro_f1=report.macro_f1,
        accuracy=report.accuracy,
        n_texts=report.n_texts,
        threshold=clf.threshold,
        coverage=share,
        confident_accuracy=accuracy,
    )


def train_with_holdout(
    texts: Sequence[str],
    categories: Sequence[str],
    kinds: Sequence[str] | None = None,
    holdout: float = 0.2,
    seed: int = 0,
) -> tuple[TextClassifier, EvaluationReport]:
    """Score a model on a stratified held-out part, then retrain on everything.

    The report measures a model trained on the other ``1 - holdout``; the returned
    model learned from all rows, so it is at least as good as the report says.
    """
    texts = list(texts)
    categories = list(categories)
    train_rows, test_rows = stratified_split(categories, holdout, seed)
    if not test_rows:
        raise ValueError("too few examples to hold any out")

    def pick(values: Sequence[str] | None, rows: list[int]) -> list[str] | None:
        return None if values is None else [values[i] for i in rows]

    trial = train(
        pick(texts, train_rows),
        pick(categories, train_rows),
        pick(kinds, train_rows),
        seed=seed,
    )
    report = evaluate(trial, pick(texts, test_rows), pick(categories, test_rows))
    model = train(texts, categories, kinds, seed=seed)
    model.extra["holdout_report"] = report.to_dict()
    return model, report


def load_seed_examples(path: Path = SEED_PATH) -> list[dict[str, str]]:
    """Return the shipped seed examples as rows with text, category, kind, language."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["text"].strip()]


@functools.cache
def default_fingerprint() -> str:
    """Return what identifies the default model: seeds, code and library versions."""
    digest = hashlib.sha256(SEED_PATH.read_bytes())
    here = Path(__file__).parent
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    for version in (sklearn.__version__, np.__version__, scipy.__version__):
        digest.update(version.encode())
    return digest.hexdigest()[:16]


_DEFAULT: dict[str, TextClassifier] = {}


def default_classifier(cache_dir: Path | None = None) -> TextClassifier:
    """Return the model trained on the shipped seed examples, once per process.

    With ``cache_dir``, the model is read from ``default-<fingerprint>.npz`` there
    when present, and written there after training otherwise, so that only the first
    process after an upgrade pays for training.
    """
    fingerprint = default_fingerprint()
    if fingerprint in _DEFAULT:
        return _DEFAULT[fingerprint]
    path = cache_dir / f"default-{fingerprint}.npz" if cache_dir else None
    model = _read_cached(path) if path else None
    if model is None:
        model = _train_default(fingerprint)
        if path:
            _write_cached(path, model)
    _DEFAULT.clear()
    _DEFAULT[fingerprint] = model
    return model


def _train_default(fingerprint: str) -> TextClassifier:
    rows = load_seed_examples()
    return train(
        [r["text"] for r in rows],
        [r["category"] for r in rows],
        [r["kind"] for r in rows],
        seed=0,
        version="seed-" + fingerprint[:12],
        c=C,
        threshold=DEFAULT_THRESHOLD,
    )


def _read_cached(path: Path) -> TextClassifier | None:
    try:
        return TextClassifier.from_bytes(path.read_bytes())
    except FileNotFoundError:
        return None
    except ValueError:
        logger.warning("Unreadable default classifier file %s; retraining", path.name)
        return None


def _write_cached(path: Path, model: TextClassifier) -> None:
    """Write atomically: a concurrent reader sees the old file or the whole new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(model.to_bytes())
        # mkstemp makes the file private; every process of the install reads it.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        for stale in path.parent.glob("default-*.npz"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        logger.warning("Could not write the default classifier to %s", path.parent)


def read_training_csv(data: str) -> tuple[list[str], list[str], list[str] | None]:
    """Parse CSV text with ``text``, ``category`` and optional ``kind`` columns."""
    reader = csv.DictReader(io.StringIO(data))
    fields = set(reader.fieldnames or [])
    missing = {"text", "category"} - fields
    if missing:
        raise ValueError("missing columns: " + ", ".join(sorted(missing)))
    texts: list[str] = []
    categories: list[str] = []
    kinds: list[str] = []
    for row in reader:
        texts.append(row["text"] or "")
        categories.append((row["category"] or "").strip())
        kinds.append((row.get("kind") or "").strip())
    return texts, categories, (kinds if "kind" in fields else None)
