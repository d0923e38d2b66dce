"""Text classifier for passenger messages: category, kind and a confidence.

Plain Python and scikit-learn, no Django: the triage services call it, the benchmark
and the tests use it on their own.

One feature space, two linear heads. Texts pass through ``normalise()``, then two
TF-IDF vectorisers side by side: word unigrams and bigrams (English phrasing) and
character n-grams of one to four characters within word boundaries, which read Chinese
without a segmenter and survive typos and hashtags in English. A multinomial logistic
regression over those features predicts the category; its probability for the chosen
class is the confidence. A second logistic regression over the same features predicts
the kind (complaint, claim, inquiry, praise, suggestion). When the training data has no
kind column, the kind head is trained on the shipped seed examples instead, and the
vectorisers see those texts too so that both languages stay covered.

Models serialise with pickle. ``TextClassifier.from_bytes`` runs pickle on its input,
which can execute code: load only bytes this module wrote and the database holds, never
bytes from an upload.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import logging
import pickle
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from scipy import optimize, sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support

logger = logging.getLogger(__name__)

SEED_PATH = Path(__file__).with_name("seed") / "examples.csv"
KINDS = ("complaint", "claim", "inquiry", "praise", "suggestion")
DEFAULT_KIND = "complaint"

# Below this confidence a prediction is better left to a person. Chosen on the
# benchmark (docs/classifier.md): on the held-out tweets, predictions at or above
# 0.45 are right about four times in five and cover most of the traffic.
RECOMMENDED_THRESHOLD = 0.45

_FORMAT = "paxcare-text-classifier/1"
_FOLDS = 3

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
# The tweets data set replaced "late" and "cancel" with these phrases inside words
# ("Cancelled Flightled"); undo it so that the data set and real writing agree.
_LATE_FLIGHT = re.compile(r"late flight", re.IGNORECASE)
_CANCELLED_FLIGHT = re.compile(r"cancelled flight", re.IGNORECASE)


def normalise(text: str) -> str:
    """Return ``text`` in the form both the features and the rules read.

    NFKC folds full-width letters, digits and punctuation to half-width; text is
    lower-cased; links, e-mail addresses and @handles become placeholders; runs of
    digits become ``0`` (flight numbers and amounts vary, their presence matters);
    the data set phrases "Late Flight" and "Cancelled Flight" go back to "late" and
    "cancel".
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _LATE_FLIGHT.sub("late", text)
    text = _CANCELLED_FLIGHT.sub("cancel", text)
    text = text.lower()
    text = _URL.sub(" httpurl ", text)
    text = _EMAIL.sub(" emailaddr ", text)
    text = _HANDLE.sub(" @user ", text)
    text = _DIGITS.sub("0", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Prediction:
    """One text's predicted category and kind; ``confidence`` is for the category."""

    category: str
    kind: str
    confidence: float


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
    """

    per_class: dict[str, ClassScores]
    macro_f1: float
    accuracy: float
    n_texts: int

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready values, figures rounded to 4 places."""
        return {
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


def _vectorisers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    # Word 1-2 grams and char_wb 1-4 grams, sublinear TF: chosen on the tweets
    # benchmark; wider character windows cost speed and did not pay for it.
    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b\w+\b|[!?]",
        sublinear_tf=True,
        min_df=1,
        dtype=np.float32,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(1, 4),
        sublinear_tf=True,
        min_df=2,
        dtype=np.float32,
    )
    return words, chars


def _head(seed: int, c: float) -> LogisticRegression:
    # newton-cg: a tenth of lbfgs's time on these wide sparse matrices, same optimum.
    return LogisticRegression(
        C=c,
        class_weight="balanced",
        solver="newton-cg",
        max_iter=200,
        random_state=seed,
    )


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def _fit_temperature(
    features: sparse.csr_matrix, labels: list[str], seed: int, c: float
) -> float:
    """Return the softmax temperature that calibrates out-of-fold confidences.

    Three folds, stratified; classes with fewer than three examples stay in every
    training part. A temperature below 1 sharpens the probabilities of a model
    regularised for few examples, above 1 softens an overconfident one.
    """
    rng = np.random.default_rng(seed)
    fold_of = np.full(len(labels), -1)
    by_class: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    for rows in by_class.values():
        if len(rows) >= _FOLDS:
            order = rng.permutation(len(rows))
            fold_of[np.array(rows)[order]] = np.arange(len(rows)) % _FOLDS
    if (fold_of >= 0).sum() < 30:
        return 1.0
    y = np.array(labels)
    scores: list[np.ndarray] = []
    truth: list[np.ndarray] = []
    for fold in range(_FOLDS):
        test = fold_of == fold
        model = _head(seed, c).fit(features[~test], y[~test])
        scores.append(model.decision_function(features[test]))
        truth.append(np.searchsorted(model.classes_, y[test]))
    oof = np.vstack(scores).astype(np.float64)
    right = np.concatenate(truth)

    def loss(log_t: float) -> float:
        p = _softmax(oof / np.exp(log_t))
        return float(-np.log(p[np.arange(len(right)), right] + 1e-12).mean())

    best = optimize.minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(best.x))


@dataclass
class TextClassifier:
    """A trained category and kind model; build one with ``train()``."""

    word_vectoriser: TfidfVectorizer
    char_vectoriser: TfidfVectorizer
    category_model: LogisticRegression
    kind_model: LogisticRegression | None
    default_kind: str = DEFAULT_KIND
    temperature: float = 1.0
    trained_at: str = ""
    n_examples: int = 0
    version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def categories(self) -> list[str]:
        """Return the category codes the model can predict, sorted."""
        return [str(c) for c in self.category_model.classes_]

    def _features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        cleaned = [normalise(t) for t in texts]
        # Input checks cost more than the arithmetic for one short text.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return sparse.hstack(
                [
                    self.word_vectoriser.transform(cleaned),
                    self.char_vectoriser.transform(cleaned),
                ],
                format="csr",
            )

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Return calibrated category probabilities, columns as ``categories``."""
        return self._probabilities(self._features(texts))

    def _probabilities(self, features: sparse.csr_matrix) -> np.ndarray:
        model = self.category_model
        scores = np.asarray(features @ model.coef_.T, dtype=np.float64)
        scores += model.intercept_
        if scores.shape[1] == 1:
            scores = np.hstack([-scores, scores])
        return _softmax(scores / self.temperature)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return one prediction per text, in order, computed as one batch."""
        if isinstance(texts, str):
            raise TypeError("predict() takes a sequence of texts, not one string")
        if len(texts) == 0:
            return []
        features = self._features(texts)
        probabilities = self._probabilities(features)
        best = probabilities.argmax(axis=1)
        classes = self.category_model.classes_
        if self.kind_model is None:
            kinds = [self.default_kind] * len(texts)
        else:
            kind_scores = features @ self.kind_model.coef_.T
            kind_scores = np.asarray(kind_scores) + self.kind_model.intercept_
            if kind_scores.shape[1] == 1:
                picked = (kind_scores[:, 0] > 0).astype(int)
            else:
                picked = kind_scores.argmax(axis=1)
            kinds = [str(self.kind_model.classes_[i]) for i in picked]
        return [
            Prediction(
                category=str(classes[i]),
                kind=kind,
                confidence=float(probabilities[row, i]),
            )
            for row, (i, kind) in enumerate(zip(best, kinds, strict=True))
        ]

    def to_bytes(self) -> bytes:
        """Serialise the model with pickle; see the module docstring on trust."""
        payload = {
            "format": _FORMAT,
            "sklearn": sklearn.__version__,
            "model": self,
        }
        return pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, data: bytes) -> TextClassifier:
        """Load a model written by ``to_bytes``; only ever pass trusted bytes."""
        payload = pickle.loads(data)  # noqa: S301 - trusted bytes, see module docstring
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise ValueError("not a PaxCare text classifier")
        if payload["sklearn"] != sklearn.__version__:
            logger.warning(
                "Classifier trained with scikit-learn %s, running %s; retrain it",
                payload["sklearn"],
                sklearn.__version__,
            )
        model = payload["model"]
        if not isinstance(model, cls):
            raise ValueError("not a PaxCare text classifier")
        return model


def train(
    texts: Sequence[str],
    categories: Sequence[str],
    kinds: Sequence[str] | None = None,
    *,
    seed: int = 0,
    version: str | None = None,
    c: float = 3.0,
) -> TextClassifier:
    """Train a classifier on labelled texts and return it.

    Without ``kinds`` (or with every kind blank), the kind head learns from the
    shipped seed examples. Rows with a blank kind are left out of the kind head only.
    """
    texts = list(texts)
    categories = [str(c).strip() for c in categories]
    if len(texts) != len(categories):
        raise ValueError("texts and categories differ in length")
    if len(set(categories)) < 2:
        raise ValueError("training needs at least two categories")

    kind_texts, kind_labels = _kind_training_rows(texts, kinds)
    cleaned = [normalise(t) for t in texts]
    kind_cleaned = [normalise(t) for t in kind_texts]
    # Fit the vocabulary on every text either head learns from.
    vocabulary_texts = cleaned if kind_texts is texts else cleaned + kind_cleaned
    words, chars = _vectorisers()
    words.fit(vocabulary_texts)
    chars.fit(vocabulary_texts)

    def features(batch: list[str]) -> sparse.csr_matrix:
        return sparse.hstack(
            [words.transform(batch), chars.transform(batch)], format="csr"
        )

    category_features = features(cleaned)
    category_model = _head(seed, c).fit(category_features, categories)
    temperature = _fit_temperature(category_features, categories, seed, c)
    kind_model = None
    if len(set(kind_labels)) >= 2:
        kind_model = _head(seed, c).fit(features(kind_cleaned), kind_labels)
    default_kind = kind_labels[0] if kind_labels else DEFAULT_KIND

    label = version or "v-" + _fingerprint(texts, categories)
    logger.info(
        "Trained text classifier %s on %d examples, %d categories",
        label,
        len(texts),
        len(set(categories)),
    )
    return TextClassifier(
        word_vectoriser=words,
        char_vectoriser=chars,
        category_model=category_model,
        kind_model=kind_model,
        default_kind=default_kind,
        temperature=temperature,
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        n_examples=len(texts),
        version=label,
    )


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


def evaluate(
    clf: TextClassifier, texts: Sequence[str], categories: Sequence[str]
) -> EvaluationReport:
    """Predict ``texts`` and score the categories against ``categories``."""
    predicted = [p.category for p in clf.predict(list(texts))]
    return score_predictions(list(categories), predicted)


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
def default_classifier() -> TextClassifier:
    """Return the model trained on the shipped seed examples, once per process."""
    rows = load_seed_examples()
    digest = hashlib.sha256(SEED_PATH.read_bytes()).hexdigest()[:12]
    return train(
        [r["text"] for r in rows],
        [r["category"] for r in rows],
        [r["kind"] for r in rows],
        seed=0,
        version="seed-" + digest,
    )


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
