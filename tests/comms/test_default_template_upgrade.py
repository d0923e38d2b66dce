"""Existing workspaces get the joined-case wording of the disruption templates."""

import importlib

import pytest
from django.apps import apps
from django.template import Context
from django.template import Template as DjangoTemplate

from paxcare.comms.defaults import DEFAULT_TEMPLATES
from paxcare.comms.models import Purpose, Template

db = pytest.mark.django_db

migration = importlib.import_module(
    "paxcare.comms.migrations.0003_disruption_templates_case_joined_wording"
)

PREVIOUS_EN = (
    "Dear {{ passenger_name|default:'passenger' }},\n\n"
    "{{ disruption_text|default:'Your flight is disrupted.' }}\n\n"
    "{% if care_text %}{{ care_text }}\n\n{% endif %}"
    "We have opened case {{ case_number }} for you. Reply to this e-mail with "
    "any question; keep the case number in the subject.\n\nCustomer care"
)
PREVIOUS_ZH = (
    "尊敬的{{ passenger_name|default:'旅客' }}：\n\n"
    "{{ disruption_text|default:'您的航班运行不正常。' }}\n\n"
    "{% if care_text %}{{ care_text }}\n\n{% endif %}"
    "我们已为您建立案件 {{ case_number }}。如有疑问请直接回复本邮件，"
    "并保留主题中的案件编号。\n\n客户服务中心"
)
JOINED = {
    "case_joined": True,
    "case_number": "PX-7K3M-9QD4",
    "passenger_name": "Li Na",
    "disruption_text": "Flight MU5101 is cancelled.",
}


def disruption_row(language: str) -> Template:
    return Template.objects.get(purpose=Purpose.DISRUPTION, language=language)


def installed_before_the_upgrade(language: str, body: str) -> None:
    Template.objects.update_or_create(
        purpose=Purpose.DISRUPTION,
        language=language,
        defaults={
            "subject": DEFAULT_TEMPLATES[(Purpose.DISRUPTION, language)][0],
            "body": body,
            "short_text": DEFAULT_TEMPLATES[(Purpose.DISRUPTION, language)][2],
        },
    )


@db
def test_unedited_disruption_templates_get_the_current_default_text():
    # Given a workspace installed with the previous disruption texts, unedited
    installed_before_the_upgrade("en", PREVIOUS_EN)
    installed_before_the_upgrade("zh-hans", PREVIOUS_ZH)

    # When the data migration runs
    migration.update_unedited(apps, None)

    # Then both rows carry today's default, and a joined passenger reads so
    english = disruption_row("en").body
    chinese = disruption_row("zh-hans").body
    assert english == DEFAULT_TEMPLATES[(Purpose.DISRUPTION, "en")][1]
    assert chinese == DEFAULT_TEMPLATES[(Purpose.DISRUPTION, "zh-hans")][1]
    assert DjangoTemplate(english).render(Context(JOINED)) == (
        "Dear Li Na,\n\nFlight MU5101 is cancelled.\n\n"
        "Your case PX-7K3M-9QD4 now covers this disruption. Reply to this e-mail "
        "with any question; keep the case number in the subject.\n\nCustomer care"
    )
    assert DjangoTemplate(chinese).render(Context(JOINED)) == (
        "尊敬的Li Na：\n\nFlight MU5101 is cancelled.\n\n"
        "您的案件 PX-7K3M-9QD4 现已涵盖此次航班变动。如有疑问请直接回复本邮件，"
        "并保留主题中的案件编号。\n\n客户服务中心"
    )


@db
def test_a_disruption_template_an_administrator_edited_is_left_alone():
    # Given an English text an administrator edited, and an unedited Chinese one
    edited = PREVIOUS_EN.replace("Customer care", "The Care Desk, Shanghai")
    installed_before_the_upgrade("en", edited)
    installed_before_the_upgrade("zh-hans", PREVIOUS_ZH)

    # When the data migration runs
    migration.update_unedited(apps, None)

    # Then the edited text stays word for word; the unedited one is updated
    assert disruption_row("en").body == edited
    assert (
        disruption_row("zh-hans").body
        == (DEFAULT_TEMPLATES[(Purpose.DISRUPTION, "zh-hans")][1])
    )


approval_migration = importlib.import_module(
    "paxcare.comms.migrations.0004_approval_request_reply_approves_nothing"
)


@db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_unedited_approval_request_learns_that_a_reply_approves_nothing(language):
    # given a workspace installed before the warning, its template unedited, and
    # one whose administrator added a line of their own
    previous, _ = approval_migration.BODIES[language]
    subject, current, short_text = DEFAULT_TEMPLATES[
        (Purpose.APPROVAL_REQUEST, language)
    ]
    Template.objects.update_or_create(
        purpose=Purpose.APPROVAL_REQUEST,
        language=language,
        defaults={"subject": subject, "body": previous, "short_text": short_text},
    )

    # when the migration runs
    approval_migration.update_unedited(apps, None)

    # then the row reads exactly as the current default
    row = Template.objects.get(purpose=Purpose.APPROVAL_REQUEST, language=language)
    assert row.body == current


@db
def test_an_approval_request_an_administrator_edited_is_left_alone():
    previous, _ = approval_migration.BODIES["en"]
    edited = previous + "\nCall the duty manager for amounts over 1,000 EUR.\n"
    Template.objects.update_or_create(
        purpose=Purpose.APPROVAL_REQUEST,
        language="en",
        defaults={"subject": "Approval needed", "body": edited, "short_text": ""},
    )

    approval_migration.update_unedited(apps, None)

    assert (
        Template.objects.get(purpose=Purpose.APPROVAL_REQUEST, language="en").body
        == edited
    )
