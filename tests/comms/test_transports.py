"""SMS and messaging transports: the webhook against an HTTP server on loopback."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from paxcare.comms.models import Notification
from paxcare.comms.transports import FileTransport, TransportError, WebhookTransport
from tests.factories import make_case


class Gateway(BaseHTTPRequestHandler):
    answers: list[tuple[int, bytes]] = []
    received: list[tuple[object, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers, body))
        status, answer = (
            type(self).answers.pop(0) if type(self).answers else (200, b"{}")
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    Gateway.answers, Gateway.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()
    server.server_close()


def test_the_webhook_posts_signed_json_and_keeps_the_gateways_id(gateway, settings):
    Gateway.answers = [(202, b'{"id": "gw-77"}')]
    transport = WebhookTransport(url=gateway, secret="k3y")

    gateway_id = transport.send(
        to="+8613800138000", text="航班 CA981 取消", reference="pxc-1"
    )

    headers, body = Gateway.received[0]
    assert json.loads(body) == {
        "to": "+8613800138000",
        "text": "航班 CA981 取消",
        "reference": "pxc-1",
    }
    expected = hmac.new(b"k3y", body, hashlib.sha256).hexdigest()
    assert headers["X-PaxCare-Signature"] == f"sha256={expected}"
    assert gateway_id == "gw-77"


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (429, False), (400, True)]
)
def test_gateway_errors_say_whether_to_try_again(gateway, status, permanent):
    Gateway.answers = [(status, b"{}")]

    with pytest.raises(TransportError) as error:
        WebhookTransport(url=gateway, secret="").send(to="+1", text="x", reference="r")

    assert error.value.permanent is permanent
    assert str(error.value) == f"HTTP {status}"


def test_the_file_transport_writes_one_json_line_per_message(tmp_path, settings):
    settings.COMMS_SMS_FILE = str(tmp_path / "sms.jsonl")

    FileTransport().send(to="+8613800138000", text="您好", reference="pxc-9")

    line = json.loads((tmp_path / "sms.jsonl").read_text(encoding="utf-8"))
    assert (line["to"], line["text"], line["reference"]) == (
        "+8613800138000",
        "您好",
        "pxc-9",
    )


@pytest.mark.django_db
def test_an_sms_notification_goes_through_the_configured_webhook(
    gateway, settings, django_capture_on_commit_callbacks
):
    settings.COMMS_SMS_BACKEND = "paxcare.comms.transports.WebhookTransport"
    settings.COMMS_SMS_WEBHOOK_URL = gateway
    Gateway.answers = [(200, b'{"id": "gw-1"}')]

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email="", phone="+8613800138000")

    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.provider_id) == ("sent", "gw-1")
    sent = json.loads(Gateway.received[0][1])
    assert sent["to"] == "+8613800138000"
    assert sent["text"].startswith(f"We received your request, case {case.number}. ")
    assert notification.body == sent["text"]
