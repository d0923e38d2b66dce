"""SMS and messaging gateways behind one interface.

A transport takes a phone number (E.164), a short text and our reference for the
notification, and returns the gateway's id for the message. It raises
``TransportError`` when the gateway refuses; ``permanent`` says whether trying again
can help. ``COMMS_SMS_BACKEND`` names the class; the default prints to the console.
"""

import hashlib
import hmac
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class TransportError(Exception):
    """The gateway did not take the message."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    def send(self, *, to: str, text: str, reference: str) -> str:
        """Send ``text`` to ``to``; return the gateway's message id."""
        ...


def get_transport() -> Transport:
    """Return an instance of the configured SMS/messaging transport."""
    return import_string(settings.COMMS_SMS_BACKEND)()


class ConsoleTransport:
    """Write each message to standard output (development and demo)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, text: str, reference: str) -> str:
        self.stream.write(f"SMS to {to} [{reference}]\n{text}\n\n")
        self.stream.flush()
        return reference


class FileTransport:
    """Append each message as one JSON line to ``COMMS_SMS_FILE``."""

    def send(self, *, to: str, text: str, reference: str) -> str:
        if not settings.COMMS_SMS_FILE:
            raise TransportError("PAXCARE_SMS_FILE is not set")
        line = json.dumps(
            {
                "to": to,
                "text": text,
                "reference": reference,
                "at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        with Path(settings.COMMS_SMS_FILE).open("a", encoding="utf-8") as stream:
            stream.write(line + "\n")
        return reference


class WebhookTransport:
    """POST each message as JSON to a gateway's HTTP endpoint.

    The body is ``{"to", "text", "reference"}``; when a secret is set, the header
    ``X-PaxCare-Signature: sha256=<hex>`` carries the HMAC-SHA256 of the body, so
    the gateway can tell the request is ours. A 2xx answer is success, and its JSON
    ``id`` (if any) is kept; 408, 429 and 5xx are tried again; other 4xx are final.
    """

    def __init__(self, url: str | None = None, secret: str | None = None):
        self.url = url if url is not None else settings.COMMS_SMS_WEBHOOK_URL
        self.secret = (
            secret if secret is not None else settings.COMMS_SMS_WEBHOOK_SECRET
        )
        self.timeout = settings.COMMS_SMS_WEBHOOK_TIMEOUT

    def send(self, *, to: str, text: str, reference: str) -> str:
        if not self.url:
            raise TransportError("PAXCARE_SMS_WEBHOOK_URL is not set")
        body = json.dumps(
            {"to": to, "text": text, "reference": reference}, ensure_ascii=False
        ).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json; charset=utf-8")
        if self.secret:
            digest = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            request.add_header("X-PaxCare-Signature", f"sha256={digest}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read(64 * 1024)
        except urllib.error.HTTPError as error:
            retry = error.code in (408, 429) or error.code >= 500
            raise TransportError(f"HTTP {error.code}", permanent=not retry) from error
        except (urllib.error.URLError, OSError) as error:
            raise TransportError(type(error).__name__) from error
        return _gateway_id(answer) or reference


def _gateway_id(answer: bytes) -> str:
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return ""
    return str(data.get("id", ""))[:200] if isinstance(data, dict) else ""
