"""A case's search document is the same whether its texts are shared or not.

Intake splits a text shared by a batch's cases (a flight's description, the start
of its subjects) once; the document must equal ``search_document`` of the case's
own number, contacts, subject and description.
"""

import pytest

from paxcare.cases.search import search_document
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_cases

pytestmark = pytest.mark.django_db


def draft(subject: str, description: str, **values) -> CaseDraft:
    return CaseDraft(
        subject=subject,
        description=description,
        channel="phone",
        kind="claim",
        category="flight.cancellation",
        priority="high",
        **values,
    )


def test_cases_sharing_a_subject_start_and_a_description_keep_their_own_terms():
    # given three drafts: two sharing the start of the subject and the text, one
    # in Chinese, one without a colon in its subject
    drafts = [
        draft(
            "UA1009 ORD-DEN is cancelled: Ann Smith",
            "Your flight was cancelled.",
            email="ann.smith@example.com",
        ),
        draft(
            "UA1009 ORD-DEN is cancelled: Li Wei",
            "Your flight was cancelled.",
            phone="+8613800138000",
        ),
        draft(
            "航班UA1009已取消: 李伟",
            "您的航班已取消。",
            email="li.wei@example.com",
            language="zh-hans",
        ),
        draft("No colon here", "Your flight was cancelled.", email="b@example.com"),
    ]

    # when intake opens them
    results = open_cases(drafts)
    assert [result.errors for result in results] == [[], [], [], []]
    cases = [result.case for result in results]

    # then each document is that of the case's own texts, in the same order
    for case in cases:
        email = case.passenger.email
        phone = case.passenger.phone
        expected = search_document(
            case.number, email, phone, case.subject, case.description
        )
        assert case.search_document == expected
    assert cases[1].search_document.split()[1:] == [
        "8613800138000",
        "ua1009",
        "ord-den",
        "is",
        "cancelled",
        "li",
        "wei",
        "your",
        "flight",
        "was",
    ]
    assert "ann" not in cases[1].search_document.split()
    assert {"航", "航班", "李伟"} <= set(cases[2].search_document.split())
