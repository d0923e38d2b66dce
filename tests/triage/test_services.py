"""Triage services: thresholds, the default model's cache, unreadable versions."""

import pytest

from paxcare.triage import classifier
from paxcare.triage.models import ClassifierVersion
from paxcare.triage.services import (
    active_classifier,
    install_default_classifier,
    shipped_classifier,
    triage_texts,
)

pytestmark = pytest.mark.django_db

TEXTS = [
    "My flight was cancelled and we are stranded at the airport tonight",
    "请问充电宝可以带上飞机吗？",
]


def test_without_a_setting_the_models_own_threshold_decides(settings):
    settings.TRIAGE_CONFIDENCE_THRESHOLD = None
    model = shipped_classifier()
    predictions = model.predict(TEXTS)

    results = triage_texts(TEXTS)

    assert [r.needs_triage for r in results] == [
        p.confidence < model.threshold for p in predictions
    ]
    assert [r.category.code for r in results] == [p.category for p in predictions]


def test_the_setting_overrides_the_models_threshold(settings):
    settings.TRIAGE_CONFIDENCE_THRESHOLD = 0.0
    assert [r.needs_triage for r in triage_texts(TEXTS)] == [False, False]

    settings.TRIAGE_CONFIDENCE_THRESHOLD = 1.01
    assert [r.needs_triage for r in triage_texts(TEXTS)] == [True, True]


def test_a_stranded_passenger_comes_out_urgent_and_a_question_low(settings):
    settings.TRIAGE_CONFIDENCE_THRESHOLD = None

    results = triage_texts(TEXTS)

    assert [(r.category.code, r.kind, r.priority) for r in results] == [
        ("flight.cancellation", "complaint", "urgent"),
        ("airport.security", "inquiry", "low"),
    ]


def test_an_unreadable_active_version_leaves_the_default_model_in_charge():
    ClassifierVersion.objects.create(
        label="written by an older release", blob=b"\x80\x04N.", is_active=True
    )

    assert active_classifier() is shipped_classifier()


def test_migrate_leaves_the_default_model_in_the_classifier_folder(
    settings, tmp_path, monkeypatch
):
    settings.CLASSIFIER_DIR = tmp_path
    monkeypatch.setattr(classifier, "_DEFAULT", {})

    install_default_classifier()

    assert [p.name for p in tmp_path.iterdir()] == [
        f"default-{classifier.default_fingerprint()}.npz"
    ]
