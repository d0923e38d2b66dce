"""A mail provider through django-anymail: its message ids kept, its reports read.

Mail goes out through anymail's test backend, or through anymail's Postmark backend
to an HTTP server on loopback that answers as Postmark's API does; the provider's
reports come in as real webhook POSTs in Postmark's documented format, through
anymail's Postmark tracking view and its basic-auth check.
"""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from paxcare.cases.models import Event
from paxcare.cases.services import reply_to_passenger
from paxcare.comms.checks import check_provider_webhook
from paxcare.comms.models import ContactFlag, Notification
from paxcare.comms.timeline import describe
from paxcare.crm.models import Passenger
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

SECRET = "postmark:hook-s3cret"
TRACKING = "/anymail/postmark/tracking/"
ADDRESS = "li.wei@example.com"


def basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


@pytest.fixture
def provider(settings):
    """Send through anymail's test backend; open the webhook with a secret."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


@pytest.fixture
def acknowledged(provider, django_capture_on_commit_callbacks) -> Notification:
    """A new case whose acknowledgement went out through the provider."""
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email=ADDRESS, passenger_name="Li Wei")
    return Notification.objects.get(case=case, purpose="acknowledgement")


def post(client, payload: dict, credentials: str | None = SECRET):
    headers = {} if credentials is None else {"HTTP_AUTHORIZATION": basic(credentials)}
    return client.post(
        TRACKING, json.dumps(payload), content_type="application/json", **headers
    )


def bounce(message_id: str, **changes) -> dict:
    """Return a Postmark bounce webhook's body (its documented fields)."""
    payload = {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": message_id,
        "ServerID": 23,
        "MessageStream": "outbound",
        "Description": "The server was unable to deliver your message.",
        "Details": f"smtp;550 5.1.1 <{ADDRESS}>: Recipient address rejected",
        "Email": ADDRESS,
        "From": "care@paxcare.invalid",
        "BouncedAt": "2026-12-04T09:00:00Z",
        "DumpAvailable": False,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "We have received your request",
        "Metadata": {},
    }
    payload.update(changes)
    return payload


def delivery(message_id: str) -> dict:
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": message_id,
        "Recipient": ADDRESS,
        "Tag": "",
        "DeliveredAt": "2026-12-04T09:00:00Z",
        "Details": "smtp;250 2.0.0 OK",
        "Metadata": {},
    }


def complaint(message_id: str) -> dict:
    return bounce(
        message_id,
        RecordType="SpamComplaint",
        Type="SpamComplaint",
        TypeCode=512,
        Name="Spam complaint",
        Details="",
    )


def unsubscription(message_id: str) -> dict:
    return {
        "RecordType": "SubscriptionChange",
        "MessageID": message_id,
        "ServerID": 23,
        "MessageStream": "outbound",
        "ChangedAt": "2026-12-04T09:00:00Z",
        "Recipient": ADDRESS,
        "Origin": "Recipient",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "Tag": "",
        "Metadata": {},
    }


def comms_events(case) -> list[tuple[str, dict]]:
    types = (
        "notification.failed",
        "notification.delivered",
        "notification.reported",
        "contact.flagged",
    )
    return [
        (event.type, event.data)
        for event in Event.objects.filter(case=case, type__in=types).order_by("pk")
    ]


# --- Sending ------------------------------------------------------------------------


def test_a_mail_sent_through_the_provider_keeps_the_providers_message_id(
    acknowledged,
):
    [sent] = mail.outbox

    assert acknowledged.status == "sent"
    assert acknowledged.provider_id == str(sent.anymail_status.message_id)
    assert acknowledged.provider_id != acknowledged.mail_id
    assert sent.extra_headers["Message-ID"] == acknowledged.mail_id


class PostmarkApi(BaseHTTPRequestHandler):
    """Answers ``POST /email`` as Postmark's API does: the next queued answer."""

    answers: list[tuple[int, dict]] = []
    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        status, answer = type(self).answers.pop(0)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def postmark_api(settings):
    """Send through anymail's Postmark backend to a loopback server."""
    PostmarkApi.answers, PostmarkApi.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), PostmarkApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": "server-token",
        "POSTMARK_API_URL": f"http://127.0.0.1:{server.server_address[1]}/",
        "WEBHOOK_SECRET": SECRET,
    }
    yield PostmarkApi
    server.shutdown()
    server.server_close()


def accepted(message_id: str) -> tuple[int, dict]:
    return 200, {
        "To": ADDRESS,
        "SubmittedAt": "2026-12-04T09:00:00Z",
        "MessageID": message_id,
        "ErrorCode": 0,
        "Message": "OK",
    }


def test_postmarks_message_id_is_kept_and_its_bounce_is_matched_by_it(
    postmark_api, client, django_capture_on_commit_callbacks
):
    postmark_api.answers = [accepted("b7bc2f4a-e38e-4336-af7d-e6c392c2f817")]
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email=ADDRESS)
    notification = Notification.objects.get(case=case, purpose="acknowledgement")

    response = post(client, bounce("b7bc2f4a-e38e-4336-af7d-e6c392c2f817"))

    [sent] = postmark_api.received
    assert sent["To"] == ADDRESS
    assert {"Name": "Message-ID", "Value": notification.mail_id} in sent["Headers"]
    assert response.status_code == 200
    notification.refresh_from_db()
    assert notification.provider_id == "b7bc2f4a-e38e-4336-af7d-e6c392c2f817"
    assert notification.status == "failed"
    assert ContactFlag.objects.get().address == ADDRESS


def test_a_recipient_postmark_refuses_to_write_to_is_flagged_at_once(
    postmark_api, django_capture_on_commit_callbacks
):
    postmark_api.answers = [
        (
            422,
            {
                "ErrorCode": 406,
                "Message": "You tried to send to a recipient that has been marked "
                f"as inactive.\nFound inactive addresses: {ADDRESS}.\nInactive "
                "recipients are ones that have generated a hard bounce or a spam "
                "complaint.",
            },
        )
    ]

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email=ADDRESS)

    notification = Notification.objects.get(case=case, purpose="acknowledgement")
    assert (notification.status, notification.attempts) == ("failed", 1)
    assert notification.last_error.startswith("rejected by the mail provider:")
    flag = ContactFlag.objects.get()
    assert (flag.address, flag.reason) == (ADDRESS, "hard_bounce")


def test_an_error_of_postmarks_api_is_tried_again(
    postmark_api, django_capture_on_commit_callbacks
):
    postmark_api.answers = [(500, {"ErrorCode": 500, "Message": "Internal error"})]

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email=ADDRESS)

    notification = Notification.objects.get(case=case, purpose="acknowledgement")
    assert (notification.status, notification.attempts) == ("retrying", 1)
    assert notification.last_error.startswith("AnymailRequestsAPIError")
    assert ContactFlag.objects.count() == 0


# --- The webhook's lock ----------------------------------------------------------


def test_the_webhook_is_closed_while_no_secret_is_set(acknowledged, client, settings):
    settings.ANYMAIL = {}

    response = post(client, bounce(acknowledged.provider_id), credentials=SECRET)

    assert response.status_code == 404
    assert ContactFlag.objects.count() == 0
    assert comms_events(acknowledged.case) == []


@pytest.mark.parametrize("credentials", [None, "postmark:wrong", "other:hook-s3cret"])
def test_a_post_without_the_right_secret_is_refused(acknowledged, client, credentials):
    response = post(client, bounce(acknowledged.provider_id), credentials=credentials)

    assert response.status_code == 400
    acknowledged.refresh_from_db()
    assert acknowledged.status == "sent"
    assert ContactFlag.objects.count() == 0
    assert comms_events(acknowledged.case) == []


def test_only_the_tracking_webhooks_are_mounted(provider, client):
    inbound = client.post(
        "/anymail/postmark/inbound/",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=basic(SECRET),
    )

    assert inbound.status_code == 404


@override_settings(EMAIL_BACKEND="anymail.backends.postmark.EmailBackend", ANYMAIL={})
def test_a_provider_without_a_webhook_secret_is_warned_about():
    [warning] = check_provider_webhook(None)

    assert warning.id == "comms.W001"


@override_settings(
    EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
    ANYMAIL={"WEBHOOK_SECRET": SECRET},
)
def test_a_provider_with_its_webhook_secret_passes_the_check():
    assert check_provider_webhook(None) == []


# --- Reports --------------------------------------------------------------------------


def test_a_hard_bounce_flags_the_address_once_even_when_posted_twice(
    acknowledged, client
):
    first = post(client, bounce(acknowledged.provider_id))
    again = post(client, bounce(acknowledged.provider_id))

    assert (first.status_code, again.status_code) == (200, 200)
    acknowledged.refresh_from_db()
    error = "bounced, bounced (Postmark): smtp;550 5.1.1 <l***@example.com>: " + (
        "Recipient address rejected"
    )
    assert (acknowledged.status, acknowledged.last_error) == ("failed", error)
    flag = ContactFlag.objects.get()
    assert (flag.channel, flag.address, flag.reason) == (
        "email",
        ADDRESS,
        "hard_bounce",
    )
    assert Passenger.objects.get(email=ADDRESS).email_bouncing is True
    assert [kind for kind, _ in comms_events(acknowledged.case)] == [
        "notification.failed",
        "contact.flagged",
    ]
    failed = Event.objects.get(case=acknowledged.case, type="notification.failed")
    with translation.override("en"):
        assert describe(failed) == f"The acknowledgement by e-mail failed: {error}."


def test_the_next_mail_to_a_bounced_address_is_not_sent(
    acknowledged, client, django_capture_on_commit_callbacks
):
    post(client, bounce(acknowledged.provider_id))
    agent = make_agent("care.agent", first_name="Anna")

    with django_capture_on_commit_callbacks(execute=True):
        reply_to_passenger(acknowledged.case, "Your bag is found.", actor=agent)

    reply = Notification.objects.get(case=acknowledged.case, purpose="reply")
    assert reply.status == "suppressed"
    assert len(mail.outbox) == 1


def test_a_delivery_report_changes_nothing_but_the_timeline(acknowledged, client):
    first = post(client, delivery(acknowledged.provider_id))
    again = post(client, delivery(acknowledged.provider_id))

    assert (first.status_code, again.status_code) == (200, 200)
    acknowledged.refresh_from_db()
    assert (acknowledged.status, acknowledged.last_error) == ("delivered", "")
    assert ContactFlag.objects.count() == 0
    assert Passenger.objects.get(email=ADDRESS).email_bouncing is False
    assert comms_events(acknowledged.case) == [
        (
            "notification.delivered",
            {
                "notification": acknowledged.pk,
                "purpose": "acknowledgement",
                "channel": "email",
                "to": "l***@example.com",
                "provider": "Postmark",
            },
        )
    ]


@pytest.mark.parametrize(
    ("payload", "report", "reason", "line"),
    [
        (
            complaint,
            "complained",
            "complaint",
            "The recipient of the acknowledgement by e-mail (l***@example.com) "
            "marked it as spam.",
        ),
        (
            unsubscription,
            "unsubscribed",
            "unsubscribed",
            "The recipient of the acknowledgement by e-mail (l***@example.com) "
            "unsubscribed.",
        ),
    ],
)
def test_a_complaint_or_an_unsubscription_flags_the_address_once(
    acknowledged, client, payload, report, reason, line
):
    post(client, payload(acknowledged.provider_id))
    post(client, payload(acknowledged.provider_id))

    assert ContactFlag.objects.get().reason == reason
    assert Passenger.objects.get(email=ADDRESS).email_bouncing is True
    events = comms_events(acknowledged.case)
    assert [(kind, data.get("report")) for kind, data in events] == [
        ("notification.reported", report),
        ("contact.flagged", None),
    ]
    reported = Event.objects.get(case=acknowledged.case, type="notification.reported")
    with translation.override("en"):
        assert describe(reported) == line
    acknowledged.refresh_from_db()
    assert acknowledged.status == "sent"


def test_a_soft_bounce_fails_the_mail_without_blocking_the_address(
    acknowledged, client
):
    post(
        client,
        bounce(
            acknowledged.provider_id,
            Type="SoftBounce",
            TypeCode=4096,
            Details="smtp;452 4.2.2 Mailbox full",
        ),
    )

    acknowledged.refresh_from_db()
    assert acknowledged.status == "failed"
    assert ContactFlag.objects.count() == 0
    assert [kind for kind, _ in comms_events(acknowledged.case)] == [
        "notification.failed"
    ]


def test_a_report_about_mail_we_did_not_send_changes_nothing(acknowledged, client):
    response = post(client, bounce("6e8a1b0c-0000-4000-8000-000000000000"))
    other_recipient = post(
        client, bounce(acknowledged.provider_id, Email="someone@example.com")
    )

    assert (response.status_code, other_recipient.status_code) == (200, 200)
    acknowledged.refresh_from_db()
    assert acknowledged.status == "sent"
    assert ContactFlag.objects.count() == 0
    assert comms_events(acknowledged.case) == []
