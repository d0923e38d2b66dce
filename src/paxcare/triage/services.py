"""Triage: what a case is about, what the passenger wants, and how urgent it is."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from paxcare.triage.classifier import (
    Prediction,
    TextClassifier,
    default_classifier,
    train_with_holdout,
)
from paxcare.triage.defaults import FALLBACK_CATEGORY
from paxcare.triage.models import Category, ClassifierVersion, TrainingExample
from paxcare.triage.priority import score_priority

logger = logging.getLogger(__name__)

_loaded: dict[tuple, TextClassifier] = {}


@dataclass(frozen=True)
class Triage:
    category: Category
    kind: str
    confidence: float
    priority: str
    needs_triage: bool


def shipped_classifier() -> TextClassifier:
    """Return the default model, cached under ``CLASSIFIER_DIR`` between processes."""
    return default_classifier(settings.CLASSIFIER_DIR)


def install_default_classifier() -> None:
    """Train the default model into the cache unless it is there already.

    Runs after ``migrate``, so that a server's first request does not pay for the
    training (a few seconds).
    """
    shipped_classifier()


def active_classifier() -> TextClassifier:
    """Return the active trained model, or the shipped default when none is active.

    A stored model that cannot be read (written by an older release) is reported in
    the log and the default answers instead, so that intake never stops.
    """
    version = (
        ClassifierVersion.objects.filter(is_active=True)
        .only("pk", "created_at")
        .first()
    )
    if version is None:
        return shipped_classifier()
    # The creation time as well as the id: an id can come back after a rollback.
    key = (version.pk, version.created_at)
    if key not in _loaded:
        blob = ClassifierVersion.objects.values_list("blob", flat=True).get(
            pk=version.pk
        )
        try:
            model = TextClassifier.from_bytes(bytes(blob))
        except ValueError:
            logger.warning(
                "Classifier version %s cannot be read; using the default model",
                version.pk,
            )
            return shipped_classifier()
        _loaded.clear()
        _loaded[key] = model
    return _loaded[key]


def confidence_threshold(model: TextClassifier) -> float:
    """Return the threshold in force: the setting when given, else the model's own."""
    configured = settings.TRIAGE_CONFIDENCE_THRESHOLD
    return model.threshold if configured is None else configured


def categories_by_code() -> dict[str, Category]:
    return {c.code: c for c in Category.objects.filter(is_active=True)}


def triage_texts(
    texts: Sequence[str],
    *,
    categories: dict[str, Category] | None = None,
) -> list[Triage]:
    """Classify a batch of texts and score their priority."""
    categories = categories if categories is not None else categories_by_code()
    fallback = categories.get(FALLBACK_CATEGORY) or next(iter(categories.values()))
    model = active_classifier()
    threshold = confidence_threshold(model)
    predictions = model.predict(list(texts))
    results = []
    for text, prediction in zip(texts, predictions, strict=True):
        category = categories.get(prediction.category, fallback)
        results.append(
            Triage(
                category=category,
                kind=prediction.kind,
                confidence=prediction.confidence,
                priority=score_priority(text, category.code, prediction.kind),
                needs_triage=(
                    prediction.confidence < threshold
                    or category.code != prediction.category
                ),
            )
        )
    return results


def keep_correction(case, category_code: str, kind: str, user) -> TrainingExample:
    """Keep an agent's correction as a training example for the next model."""
    return TrainingExample.objects.create(
        text=f"{case.subject}\n{case.description}",
        category=category_code,
        kind=kind,
        source=TrainingExample.Source.CORRECTION,
        case=case,
        created_by=user,
    )


def train_classifier(
    texts: Sequence[str],
    categories: Sequence[str],
    kinds: Sequence[str] | None,
    *,
    label: str,
    include_corrections: bool = True,
    activate: bool = False,
) -> ClassifierVersion:
    """Train a model on the given examples (and agents' corrections); store it."""
    texts, categories = list(texts), list(categories)
    kinds = list(kinds) if kinds is not None else None
    if include_corrections:
        for example in TrainingExample.objects.all().iterator():
            texts.append(example.text)
            categories.append(example.category)
            if kinds is not None:
                kinds.append(example.kind or "complaint")
    model, report = train_with_holdout(texts, categories, kinds)
    with transaction.atomic():
        version = ClassifierVersion.objects.create(
            label=label,
            trained_on=label,
            n_examples=len(texts),
            metrics=report.to_dict(),
            blob=model.to_bytes(),
        )
        if activate:
            activate_classifier(version)
    logger.info("triage: trained classifier %s on %d examples", version.pk, len(texts))
    return version


def activate_classifier(version: ClassifierVersion) -> None:
    with transaction.atomic():
        ClassifierVersion.objects.filter(is_active=True).update(is_active=False)
        ClassifierVersion.objects.filter(pk=version.pk).update(is_active=True)


__all__ = ["Prediction", "Triage", "triage_texts", "train_classifier"]
