"""A bad filter or period is named on the page; nothing is silently ignored."""

import pytest
from django.utils.timezone import localtime

from tests.factories import make_case

pytestmark = pytest.mark.django_db


def alert(response) -> str:
    text = response.text
    start = text.index('<div class="form-errors" role="alert">')
    return " ".join(text[start : text.index("</div>", start)].split())


def test_a_bad_filter_value_is_named_and_the_good_ones_still_apply(client_as, case):
    make_case(channel="phone", phone="+8613800138000", email="")

    response = client_as("agent_a").get(
        "/console/department/", {"category": "nonsense", "channel": "web"}
    )

    assert response.status_code == 400
    assert "These filters were not applied:" in alert(response)
    assert "<li>Category: Select a valid choice." in alert(response)
    assert [c.channel for c in response.context["page"].rows] == ["web"]


def test_a_nul_in_the_search_is_named(client_as, case):
    response = client_as("agent_a").get("/console/", {"q": "bag\x00"})

    assert response.status_code == 400
    assert "<li>Search: Null characters are not allowed.</li>" in alert(response)


def test_good_filters_show_no_alert(client_as, case):
    response = client_as("agent_a").get("/console/", {"channel": "web"})

    assert response.status_code == 200
    assert 'role="alert"' not in response.text


def test_a_period_that_ends_before_it_starts_is_named_and_shows_no_figures(
    client_as, case
):
    response = client_as("supervisor").get(
        "/console/dashboard/", {"start": "2026-12-05", "end": "2026-12-01"}
    )

    assert response.status_code == 400
    assert alert(response) == (
        '<div class="form-errors" role="alert"> <p>No figures are shown until the '
        "period is corrected:</p> <ul> <li>To (inclusive): The end of the period is "
        "before its start: swap them.</li> </ul>"
    )
    assert response.context["sections"] == []


def test_a_nul_in_the_phone_form_is_a_field_error(client_as):
    response = client_as("agent_a").post(
        "/console/phone/",
        {"kind": "complaint", "phone": "+8613800138000", "description": "Bag\x00"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["description"] == [
        "Null characters are not allowed."
    ]


def test_a_nul_in_a_reply_is_a_field_error(client_as, case):
    response = client_as("agent_a").post(
        f"/console/cases/{case.number}/reply/", {"body": "Found\x00 it."}
    )

    assert response.status_code == 400
    assert response.context["reply_form"].errors["body"] == [
        "Null characters are not allowed."
    ]


def test_dates_read_the_same_in_the_queue_and_the_case_page(client_as, case):
    shown = localtime(case.received_at).strftime("%Y-%m-%d %H:%M")

    queue = client_as("agent_a").get("/console/")
    page = client_as("agent_a").get(f"/console/cases/{case.number}/")

    assert f"<time>{shown}</time>" in queue.text
    assert f"<dd>{shown}</dd>" in page.text


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_a_case_number_typed_in_full_width_is_found(client_as, case):
    response = client_as("agent_a").get("/console/", {"q": full_width(case.number)})

    assert response.status_code == 200
    assert [c.number for c in response.context["page"].rows] == [case.number]
