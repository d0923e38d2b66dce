"""Triage services: thresholds, the default model's cache, unreadable versions."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from paxcare.triage import classifier
from paxcare.triage.models import ClassifierVersion
from paxcare.triage.services import (
    active_classifier,
    install_default_classifier,
    shipped_classifier,
    triage_texts,
    use_shipped_classifier,
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


# --- Going back to the shipped model ---------------------------------------------


def test_going_back_to_the_shipped_model_deactivates_and_records_who(django_user_model):
    # given an administrator and an active trained version
    admin = django_user_model.objects.create_user("root", password="pass-word-123")
    version = ClassifierVersion.objects.create(
        label="airline history", blob=b"", is_active=True
    )

    # when they go back to the shipped model
    deactivated = use_shipped_classifier(actor=admin)

    # then no version is active, the shipped model answers, and it is on record
    assert deactivated == [version.pk]
    assert ClassifierVersion.objects.filter(is_active=True).count() == 0
    assert active_classifier() is shipped_classifier()
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.action_flag) == (
        admin,
        str(version.pk),
        CHANGE,
    )
    assert entry.object_repr == "airline history"


def test_going_back_when_no_version_is_active_changes_and_records_nothing(
    django_user_model,
):
    admin = django_user_model.objects.create_user("root", password="pass-word-123")
    ClassifierVersion.objects.create(label="old", blob=b"", is_active=False)

    assert use_shipped_classifier(actor=admin) == []
    assert LogEntry.objects.count() == 0


def test_the_admin_action_goes_back_through_the_service(client, django_user_model):
    # given a signed-in superuser and an active version
    root = django_user_model.objects.create_superuser(
        "root", "root@example.com", "pass-word-123"
    )
    client.force_login(root)
    version = ClassifierVersion.objects.create(
        label="airline history", blob=b"", is_active=True
    )

    # when they run the admin action
    response = client.post(
        "/admin/triage/classifierversion/",
        {"action": "use_shipped_default", "_selected_action": [version.pk]},
    )

    # then the version is inactive and the change is in its history under their name
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.is_active is False
    assert list(LogEntry.objects.values_list("user__username", "object_id")) == [
        ("root", str(version.pk))
    ]
