"""Dates on the portal's forms are refused outside the years the API takes (1900-2999).

The portal's case form is the console's phone form too, so both refuse them.
"""

import pytest

from paxcare.cases.models import Case
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

COMPLAINT = {
    "kind": "complaint",
    "subject": "",
    "description": "My suitcase did not arrive in Beijing after CA982.",
    "booking_reference": "",
    "ticket_number": "",
    "flight_number": "CA982",
    "airport": "",
    "passenger_name": "Li Wei",
    "email": "li.wei@example.com",
    "phone": "",
}
ENGLISH = "Give a date between the years 1900 and 2999."
CHINESE = "请填写 1900 年至 2999 年之间的日期。"


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "3000-01-01"])
def test_a_flight_date_outside_the_years_is_refused_by_the_portal(client, day):
    # when a complaint gives a flight date outside the years
    response = client.post("/complaint/", {**COMPLAINT, "flight_date": day})

    # then no case is opened and the date field says why
    assert response.status_code == 400
    assert Case.objects.count() == 0
    form = response.context["form"]
    assert form.errors == {"flight_date": [ENGLISH]}
    assert form.errors.as_data()["flight_date"][0].code == "date_out_of_range"


@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
def test_the_first_and_last_days_of_the_years_are_taken(client, day):
    response = client.post("/complaint/", {**COMPLAINT, "flight_date": day})

    assert response.status_code == 302
    assert str(Case.objects.get().flight_date) == day


def test_the_refusal_is_in_chinese_for_a_chinese_passenger(client):
    response = client.post(
        "/complaint/",
        {**COMPLAINT, "flight_date": "0001-01-01"},
        HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9",
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"flight_date": [CHINESE]}
    assert CHINESE in response.text


def test_the_date_picker_offers_only_the_years(client):
    response = client.get("/complaint/")

    assert 'min="1900-01-01"' in response.text
    assert 'max="2999-12-31"' in response.text


def test_the_console_phone_form_refuses_them_too(client):
    client.force_login(make_agent("phone.agent", departments=("baggage",)))

    response = client.post(
        "/console/phone/", {**COMPLAINT, "flight_date": "1899-12-31"}
    )

    assert Case.objects.count() == 0
    assert response.context["form"].errors["flight_date"] == [ENGLISH]
