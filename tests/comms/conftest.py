"""Real parts for the comms tests: an SMTP server on loopback, the task queue."""

import socket
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from huey.contrib.djhuey import HUEY


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """An aiosmtpd handler that keeps what it receives and refuses on request."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse_rcpt: dict[str, str] = {}
        self.refuse_data = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data
        self.received.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink(settings):
    """Start an SMTP server on 127.0.0.1 and point Django's mail at it."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def empty_task_schedule():
    """Start each test with no retries left over in the in-memory task schedule."""
    HUEY.storage.flush_schedule()
    yield
    HUEY.storage.flush_schedule()


def run_scheduled_tasks() -> int:
    """Run every task the queue holds for later (retries), as a consumer would."""
    # Huey keeps its schedule in naive UTC.
    far_future = datetime(2999, 1, 1, tzinfo=UTC).replace(tzinfo=None)
    tasks = HUEY.read_schedule(far_future)
    for task in tasks:
        HUEY.execute(task, timestamp=far_future)
    return len(tasks)
