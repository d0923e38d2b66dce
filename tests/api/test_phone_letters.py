"""Phone text with letters is refused, not cut: intake never drops a part of it."""

import pytest

from paxcare.cases.models import Case, Channel
from paxcare.intake.drafts import CaseDraft, clean_draft, normalise_phone

PHONE_MESSAGE = "Enter the phone number with its country code, e.g. +86 138 0013 8000."


def draft_with_phone(phone: str) -> CaseDraft:
    return CaseDraft(
        description="My suitcase did not arrive in Beijing.",
        channel=Channel.API,
        category="baggage.delayed",
        phone=phone,
    )


@pytest.mark.parametrize(
    "phone",
    [
        "+1 212 555 0100x",
        "+1 212 555 0100 x12",
        "+1 212 555 0100 ext. 12",
        "+1 800 FLOWERS",
    ],
)
def test_phone_text_with_letters_is_refused(phone):
    # Given a draft whose phone has letters, which phonenumbers would drop or read
    draft = draft_with_phone(phone)

    # When it is checked
    errors = clean_draft(draft, {"baggage.delayed"})

    # Then the phone is refused with the usual message
    assert [(e.field, e.code, str(e.message)) for e in errors] == [
        ("phone", "invalid", PHONE_MESSAGE)
    ]


def test_a_phone_of_digits_spaces_and_signs_is_normalised():
    assert normalise_phone("+1 (212) 555-0100") == "+12125550100"


def test_the_api_refuses_a_phone_with_a_trailing_letter(api_as):
    # Given an integration of the baggage department
    api = api_as("bag.agent", departments=("baggage",))

    # When it opens a case with a phone ending in a stray "x"
    response = api.post(
        "/cases",
        {"description": "My suitcase did not arrive.", "phone": "+1 212 555 0100x"},
    )

    # Then the case is refused on the phone field and none is opened
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {"field": "phone", "code": "invalid", "message": PHONE_MESSAGE}
    ]
    assert Case.objects.count() == 0
