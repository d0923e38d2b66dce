"""What ``clean_draft`` refuses before a draft reaches the database, for every channel.

PostgreSQL cannot store U+0000 in text: a NUL that got past intake aborted a whole
batch there, and SQLite stored it. A received time in the future or far in the past
skews every backlog figure.
"""

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from paxcare.cases.models import Case, Channel
from paxcare.errors import FieldError, InvalidInput
from paxcare.intake.drafts import CaseDraft, clean_draft
from paxcare.intake.services import open_case, open_cases
from paxcare.portal.services import file_case

NUL_MESSAGE = "Text must not contain NUL characters."
FUTURE_MESSAGE = (
    "This time is in the future: a case can be received at most 5 minutes ahead "
    "of the server's clock."
)
PAST_MESSAGE = "Times before 2000-01-01 are not accepted; check the year."
KNOWN = {"baggage.delayed"}
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def good_draft(**values) -> CaseDraft:
    defaults = {
        "description": "My suitcase did not arrive in Beijing.",
        "channel": Channel.WEB,
        "subject": "Bag missing",
        "external_id": "ext-1",
        "kind": "complaint",
        "category": "baggage.delayed",
        "priority": "normal",
        "language": "en",
        "passenger_name": "Li Wei",
        "email": "li.wei@example.com",
        "phone": "+86 138 0013 8000",
        "social_handle": "@liwei",
        "booking_reference": "K7M3PX",
        "ticket_number": "999-1234567890",
        "airline": "CA",
        "flight_number": "CA981",
        "airport": "PEK",
    }
    return CaseDraft(**(defaults | values))


def found(errors: list[FieldError]) -> list[tuple[str, str, str]]:
    return [(e.field, e.code, str(e.message)) for e in errors]


TEXT_FIELDS = [
    f.name for f in fields(CaseDraft) if isinstance(getattr(good_draft(), f.name), str)
]


def test_every_text_field_of_a_draft_is_checked():
    assert TEXT_FIELDS == [
        "description",
        "channel",
        "subject",
        "external_id",
        "kind",
        "category",
        "priority",
        "language",
        "passenger_name",
        "email",
        "phone",
        "social_handle",
        "booking_reference",
        "ticket_number",
        "airline",
        "flight_number",
        "airport",
    ]


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_a_nul_in_a_text_field_is_that_fields_only_error(name):
    # given a good draft with a NUL inside one of its text fields
    draft = good_draft()
    setattr(draft, name, getattr(draft, name)[:2] + "\x00" + getattr(draft, name)[2:])

    # when it is checked
    errors = clean_draft(draft, KNOWN, now=NOW)

    # then that field is named once, with the NUL code, and nothing else is wrong
    assert found(errors) == [(name, "nul_character", NUL_MESSAGE)]


def test_a_nul_in_the_description_is_not_blamed_on_the_subject_made_from_it():
    draft = good_draft(subject="", description="Bag\x00 missing")

    errors = clean_draft(draft, KNOWN, now=NOW)

    assert found(errors) == [("description", "nul_character", NUL_MESSAGE)]


def test_a_nul_and_another_fields_error_are_both_named():
    draft = good_draft(subject="Bag\x00", airport="XXX")

    errors = clean_draft(draft, KNOWN, now=NOW)

    assert found(errors) == [
        ("subject", "nul_character", NUL_MESSAGE),
        ("airport", "invalid", "Unknown airport code."),
    ]


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        (NOW + timedelta(minutes=5), []),
        (
            NOW + timedelta(minutes=5, seconds=1),
            [("received_at", "in_future", FUTURE_MESSAGE)],
        ),
        (
            datetime(2030, 1, 1, tzinfo=UTC),
            [("received_at", "in_future", FUTURE_MESSAGE)],
        ),
        (datetime(2000, 1, 1, tzinfo=UTC), []),
        (
            datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
            [("received_at", "too_early", PAST_MESSAGE)],
        ),
        (
            datetime(1990, 1, 1, tzinfo=UTC),
            [("received_at", "too_early", PAST_MESSAGE)],
        ),
        (datetime(2015, 2, 16, 23, 52, tzinfo=UTC), []),
    ],
)
def test_a_received_time_must_lie_between_2000_and_five_minutes_from_now(
    received_at, expected
):
    # given a draft received at the time under test, checked at NOW
    draft = good_draft(received_at=received_at)

    # when it is checked
    errors = clean_draft(draft, KNOWN, now=NOW)

    # then only times from 2000 to five minutes of clock skew ahead pass
    assert found(errors) == expected


def test_a_naive_received_time_is_read_in_the_default_time_zone():
    draft = good_draft(received_at=datetime(2025, 3, 3, 9, 0))  # noqa: DTZ001

    errors = clean_draft(draft, KNOWN, now=NOW)

    assert errors == []
    zone = timezone.get_default_timezone()
    assert draft.received_at == datetime(2025, 3, 3, 9, 0, tzinfo=zone)


# --- Every channel goes through the check ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("channel", [c.value for c in Channel if c != Channel.SYSTEM])
def test_a_nul_from_any_channel_is_a_field_error_and_no_case(channel):
    # given a draft of the channel with a NUL in its description
    draft = CaseDraft(description="My bag\x00 is late.", channel=channel)

    # when intake opens it
    with pytest.raises(InvalidInput) as raised:
        open_case(draft)

    # then the field is named, no database error is raised and nothing is written
    assert found(raised.value.fields) == [("description", "nul_character", NUL_MESSAGE)]
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_a_batch_with_a_nul_draft_still_opens_the_good_ones():
    # given three drafts, the second with a NUL in its external id
    drafts = [
        CaseDraft(description=f"Bag {n} is late.", channel="social", external_id=i)
        for n, i in enumerate(["t1", "t\x002", "t3"])
    ]

    # when they are opened in one batch
    results = open_cases(drafts)

    # then the bad one is reported and the others become cases
    assert [found(r.errors) for r in results] == [
        [],
        [("external_id", "nul_character", NUL_MESSAGE)],
        [],
    ]
    assert sorted(Case.objects.values_list("external_id", flat=True)) == ["t1", "t3"]


@pytest.mark.django_db
def test_the_portal_refuses_a_nul_in_a_passengers_name():
    draft = CaseDraft(
        description="My bag is late.",
        channel=Channel.WEB,
        passenger_name="Li\x00 Wei",
        email="li.wei@example.com",
    )

    with pytest.raises(InvalidInput) as raised:
        file_case(draft, [])

    assert found(raised.value.fields) == [
        ("passenger_name", "nul_character", NUL_MESSAGE)
    ]
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_a_case_received_in_the_future_is_refused():
    draft = CaseDraft(
        description="My bag is late.",
        channel=Channel.API,
        received_at=datetime.now(UTC) + timedelta(days=1),
    )

    with pytest.raises(InvalidInput) as raised:
        open_case(draft)

    assert found(raised.value.fields) == [("received_at", "in_future", FUTURE_MESSAGE)]
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("subject", "description", "language"),
    [
        ("行李没到", "我的箱子没有到北京。", "zh-hans"),
        ("荷物が届きません", "成田で預けたスーツケースが届いていません。", "en"),
        ("Bag missing", "My suitcase did not arrive in Beijing.", "en"),
        ("", "ﾆﾓﾂｶﾞﾄﾄﾞｷﾏｾﾝ 北京", "en"),
    ],
)
def test_a_draft_without_a_language_gets_chinese_only_for_chinese(
    subject, description, language
):
    # given a draft that says no language
    draft = good_draft(subject=subject, description=description, language="")
    # when it is cleaned
    assert clean_draft(draft, KNOWN, now=NOW) == []
    # then Chinese text is Chinese, and Japanese (kana beside the characters) is
    # answered in English, the other language of the templates
    assert draft.language == language
