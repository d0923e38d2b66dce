"""Triage: what a case is about, what the passenger wants, and how urgent it is."""

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction

from paxcare.rowcache import RowCache, rows_changed
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

# Ten examples of each category at least: the held-out fifth then scores two texts
# of each and the model learns from eight. With fewer, a category's F1 is 0 or 1 by
# chance, and a file of two rows of one category reported a macro F1 of 1.000.
MIN_EXAMPLES_PER_CATEGORY = 10
MIN_CATEGORIES = 2


class TrainingSetError(ValueError):
    """The examples cannot train a model worth scoring: too few, or one category."""


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


def _load_active_version() -> ClassifierVersion | None:
    return (
        ClassifierVersion.objects.filter(is_active=True)
        .only("pk", "created_at")
        .first()
    )


# Which version is active, and the categories: read once per process until a row
# changes (paxcare.rowcache; activation calls rows_changed, its updates send no
# signal).
_active_version = RowCache(_load_active_version)
_categories = RowCache(
    lambda: {c.code: c for c in Category.objects.filter(is_active=True)}
)


def active_classifier() -> TextClassifier:
    """Return the active trained model, or the shipped default when none is active.

    A stored model that cannot be read (written by an older release) is reported in
    the log and the default answers instead, so that intake never stops.
    """
    version = _active_version.get()
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
    """Return the active categories by code (shared rows: read, never change)."""
    return dict(_categories.get())


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
    check_training_set(categories)
    model, report = train_with_holdout(texts, categories, kinds)
    metrics = report.to_dict() | {"missing_categories": missing_categories(categories)}
    with transaction.atomic():
        version = ClassifierVersion.objects.create(
            label=label,
            trained_on=label,
            n_examples=len(texts),
            metrics=metrics,
            blob=model.to_bytes(),
        )
        if activate:
            activate_classifier(version)
    logger.info("triage: trained classifier %s on %d examples", version.pk, len(texts))
    return version


def check_training_set(categories: Sequence[str]) -> None:
    """Raise TrainingSetError, saying what is short, unless the labels can train."""
    counts = Counter(categories)
    if len(counts) < MIN_CATEGORIES:
        found = ", ".join(sorted(counts)) or "none"
        raise TrainingSetError(
            f"a classifier needs examples of at least {MIN_CATEGORIES} categories; "
            f"these have {len(counts)} ({found})"
        )
    short = sorted(
        (code, n) for code, n in counts.items() if n < MIN_EXAMPLES_PER_CATEGORY
    )
    if short:
        listed = ", ".join(f"{code} {n}" for code, n in short)
        raise TrainingSetError(
            f"every category needs at least {MIN_EXAMPLES_PER_CATEGORY} examples "
            f"(a fifth is held out to score the model); too few for {listed}. "
            "Add examples of these categories or leave their rows out."
        )


def missing_categories(categories: Iterable[str]) -> list[str]:
    """Return the active taxonomy codes without an example: never predicted."""
    present = set(categories)
    return [code for code in categories_by_code() if code not in present]


def activate_classifier(version: ClassifierVersion, *, actor=None) -> None:
    """Make ``version`` the model of new cases; record who did it."""
    with transaction.atomic():
        ClassifierVersion.objects.filter(is_active=True).update(is_active=False)
        ClassifierVersion.objects.filter(pk=version.pk).update(is_active=True)
        _record_change(actor, [version])
        rows_changed()
    logger.info(
        "triage: classifier version %s activated by user %s",
        version.pk,
        actor.pk if actor is not None else None,
    )


def use_shipped_classifier(*, actor=None) -> list[int]:
    """Deactivate any trained version, so that the shipped default model classifies.

    Record who did it, in the admin's history of each version deactivated, and
    return their ids (none when the shipped model was in charge already).
    """
    with transaction.atomic():
        active = list(
            ClassifierVersion.objects.select_for_update()
            .filter(is_active=True)
            .only("pk", "label")
        )
        ClassifierVersion.objects.filter(pk__in=[v.pk for v in active]).update(
            is_active=False
        )
        _record_change(actor, active)
        rows_changed()
    logger.info(
        "triage: shipped classifier restored by user %s; versions %s deactivated",
        actor.pk if actor is not None else None,
        [v.pk for v in active],
    )
    return [v.pk for v in active]


def _record_change(actor, versions: list[ClassifierVersion]) -> None:
    if actor is None or not versions:
        return
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=versions,
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["is_active"]}}],
    )


__all__ = [
    "Prediction",
    "Triage",
    "triage_texts",
    "train_classifier",
    "use_shipped_classifier",
]
