"""Who may change a known passenger's name and contacts: only vouched channels."""

import pytest
from django.contrib.auth import get_user_model

from paxcare.cases.models import Case
from paxcare.comms.models import Notification
from paxcare.crm.models import Passenger
from paxcare.disruptions.models import AffectedPassenger
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_case
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger

pytestmark = pytest.mark.django_db

ALICE = passenger(
    1, passenger_name="Alice Liddell", email="alice@example.com", phone="+33612345678"
)
ATTACKER_FORM = {
    "kind": "complaint",
    "subject": "",
    "description": "Please call me about my refund.",
    "email": "alice@example.com",
    "phone": "+1 212 555 0199",
    "passenger_name": "Eve Attacker",
}


@pytest.fixture
def alice(db) -> Passenger:
    disrupt(AF_JFK_CDG, [ALICE], type="cancellation")
    return AffectedPassenger.objects.get().case.passenger


def test_the_anonymous_form_does_not_take_over_a_known_passenger(client, alice):
    # given Alice, known with her disruption case
    # when anyone files the public form with her e-mail, another name and phone
    response = client.post("/complaint/", ATTACKER_FORM)

    # then a case is filed for her, and her name and phone are still hers
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.full_name, alice.email, alice.phone) == (
        "Alice Liddell",
        "alice@example.com",
        "+33612345678",
    )
    # and the new case keeps what the form said, without applying it
    case = Case.objects.get(channel="web")
    assert case.passenger_id == alice.pk
    created = case.events.get(type="case.created")
    assert "contact_changed" not in created.data
    assert created.data["contact_given"] == {
        "full_name": "Eve Attacker",
        "phone": "+12125550199",
    }
    # and no notification of any of her cases goes to the typed phone
    assert not Notification.objects.filter(recipient="+12125550199").exists()


def test_the_console_timeline_shows_the_details_not_applied(client, alice):
    # given the anonymous form filed with Alice's e-mail
    client.post("/complaint/", ATTACKER_FORM)
    case = Case.objects.get(channel="web")
    staff = get_user_model().objects.create_superuser(
        "root", "root@example.com", "pass-word-123"
    )
    client.force_login(staff)

    # when staff open the case

    response = client.get(f"/console/cases/{case.number}/")

    # then its timeline says what was given and not applied
    assert (
        "Contact details given with this case, not applied to the passenger "
        "(this channel cannot confirm who sent them): name Eve Attacker; "
        "phone +12125550199."
    ) in response.content.decode()


@pytest.mark.parametrize("channel", ["email", "social", "web"])
def test_an_unvouched_channel_fills_an_empty_name_but_adds_no_contact(channel):
    # given a passenger known by e-mail only, without a name
    Passenger.objects.create(email="bob@example.com")

    # when an unvouched channel names them and gives a phone and a handle
    open_case(
        CaseDraft(
            description="Where is my bag?",
            channel=channel,
            email="bob@example.com",
            passenger_name="Bob Jones",
            phone="+12125550100",
            social_handle="@bobj",
        )
    )

    # then only the empty name is filled
    bob = Passenger.objects.get()
    assert (bob.full_name, bob.phone, bob.social_handle) == ("Bob Jones", "", "")
    created = Case.objects.get().events.get(type="case.created")
    assert created.data["contact_changed"] == {
        "full_name": {"old": "", "new": "Bob Jones"}
    }
    assert created.data["contact_given"] == {
        "phone": "+12125550100",
        "social_handle": "@bobj",
    }


@pytest.mark.parametrize("channel", ["phone", "api"])
def test_a_vouched_channel_updates_the_passenger(channel, alice):
    # when an agent's phone form or an API integration gives new details
    open_case(
        CaseDraft(
            description="New number, please call me there.",
            channel=channel,
            email="alice@example.com",
            passenger_name="Alice Kingsleigh",
            phone="+1 212 555 0142",
        )
    )

    # then the passenger is called back on that number, by that name
    alice.refresh_from_db()
    assert (alice.full_name, alice.phone) == ("Alice Kingsleigh", "+12125550142")
    created = Case.objects.get(channel=channel).events.get(type="case.created")
    assert created.data["contact_changed"] == {
        "full_name": {"old": "Alice Liddell", "new": "Alice Kingsleigh"},
        "phone": {"old": "+33612345678", "new": "+12125550142"},
    }
    assert "contact_given" not in created.data


def test_a_form_typing_someone_elses_phone_does_not_catch_their_disruption_notice(
    client,
):
    # given someone who files the public form with their own e-mail and a
    # stranger's phone number, before the stranger is known
    response = client.post(
        "/complaint/",
        {**ATTACKER_FORM, "email": "eve@example.net", "phone": "+33612345678"},
    )
    assert response.status_code == 302

    # when the stranger's flight is cancelled and the manifest names them with
    # that phone and their own e-mail
    disrupt(AF_JFK_CDG, [ALICE], type="cancellation")

    # then the disruption case is the stranger's, with their e-mail, and the
    # notice goes to them, not to the form's e-mail
    case = AffectedPassenger.objects.get().case
    assert (case.passenger.email, case.passenger.full_name) == (
        "alice@example.com",
        "Alice Liddell",
    )
    notified = set(
        Notification.objects.filter(case=case).values_list("recipient", flat=True)
    )
    assert "eve@example.net" not in notified
    assert "alice@example.com" in notified


def test_the_filer_sees_the_confirmation_even_when_the_phone_is_someone_elses(
    client, alice
):
    # given Alice, known with her phone, and someone filing the form with their own
    # e-mail and her phone number (a shared family phone, or a mistake)
    response = client.post(
        "/complaint/",
        {**ATTACKER_FORM, "email": "bob@example.net", "phone": "+33 6 12 34 56 78"},
    )

    # then the filer gets their confirmation page, and the case is theirs, not Alice's
    assert response.status_code == 302
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    case = Case.objects.get(channel="web")
    assert case.passenger.email == "bob@example.net"
    assert case.passenger_id != alice.pk
    assert case.number in confirmation.content.decode()


def test_a_phone_typed_on_the_form_does_not_catch_the_sms_of_a_later_manifest(
    client,
):
    # given someone who files the public form with a stranger's e-mail and their
    # own phone, before the stranger is known
    response = client.post("/complaint/", {**ATTACKER_FORM, "phone": "+1 212 555 0199"})
    assert response.status_code == 302
    filed = Case.objects.get(channel="web")
    # the new passenger has the e-mail the portal's tracking needs, not the phone;
    # the case keeps the phone as given
    assert (filed.passenger.email, filed.passenger.phone) == ("alice@example.com", "")
    created = filed.events.get(type="case.created")
    assert created.data["contact_given"] == {"phone": "+12125550199"}

    # when the stranger's flight is cancelled and the manifest gives only her e-mail
    disrupt(
        AF_JFK_CDG,
        [passenger(1, passenger_name="Alice Liddell", email="alice@example.com")],
        type="cancellation",
    )

    # then no notice of hers goes to the typed phone
    assert not Notification.objects.filter(recipient="+12125550199").exists()
