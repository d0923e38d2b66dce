"""A live event's care is not stuck behind bulk notifications, nor hidden meanwhile.

The care task carries a priority that the queue's storages honour (SQLite, and
the Redis storage the settings choose when Redis is configured), so it is taken
before the notification batches queued ahead of it; and the disruption-care staff
see a disruption before its cases exist.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage
from huey.utils import load_class

from paxcare.comms.tasks import send_notifications
from paxcare.disruptions.models import Disruption
from paxcare.disruptions.tasks import care_for_disruption_task
from paxcare.routing.models import Role
from tests.api.conftest import ApiClient
from tests.disruptions.conftest import CA981_DELAY
from tests.factories import make_agent

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"
BATCHES = 280


def configured_huey_class(**env: str) -> str:
    """Return the Huey class the product's settings choose in this environment."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PAXCARE_REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(PAXCARE_TESTING="1", **env)
    code = "from paxcare import settings; print(settings.HUEY['huey_class'])"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def first_task_taken(storage) -> str:
    """Queue the notification batches, then the care task; return what comes out."""
    for n in range(BATCHES):
        task = send_notifications.s([n])
        storage.enqueue(HUEY.serialize_task(task), task.priority)
    care = care_for_disruption_task.s(1, [])
    storage.enqueue(HUEY.serialize_task(care), care.priority)
    return HUEY.deserialize_task(storage.dequeue()).name


def test_the_embedded_queue_takes_the_care_before_280_notification_batches(
    tmp_path,
):
    # Given the SQLite storage the settings choose without Redis
    assert configured_huey_class() == "huey.SqliteHuey"
    storage = SqliteStorage(name="paxcare", filename=str(tmp_path / "huey.sqlite3"))

    # When 280 notification batches and then a care task are queued
    taken = first_task_taken(storage)

    # Then the care task is the next one a consumer takes
    assert taken == care_for_disruption_task.s(1, []).name


def test_the_redis_queue_takes_the_care_before_280_notification_batches():
    # Given the Huey class the settings choose with Redis, on a queue of its own
    name = configured_huey_class(PAXCARE_REDIS_URL=REDIS_URL)
    assert name == "huey.PriorityRedisHuey"
    storage_class = load_class(name).storage_class
    storage = storage_class(name=f"paxcare_test_{uuid.uuid4().hex}", url=REDIS_URL)
    try:
        storage.conn.ping()
    except Exception as error:  # no server: nothing to prove it on
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379 ({error})")

    try:
        # When 280 notification batches and then a care task are queued
        taken = first_task_taken(storage)
    finally:
        storage.flush_queue()

    # Then the care task is the next one a consumer takes
    assert taken == care_for_disruption_task.s(1, []).name


@pytest.fixture
def staff(db) -> dict:
    care = ("disruption-care",)
    return {
        "operations": ApiClient(make_agent("ops", role=Role.ADMIN, departments=())),
        "care_supervisor": ApiClient(
            make_agent("care.super", role=Role.SUPERVISOR, departments=care)
        ),
        "care_agent": ApiClient(make_agent("care.agent", departments=care)),
        "baggage_agent": ApiClient(make_agent("bag.agent", departments=("baggage",))),
        "baggage_supervisor": ApiClient(
            make_agent("bag.super", role=Role.SUPERVISOR, departments=("baggage",))
        ),
    }


def test_disruption_care_sees_a_disruption_before_its_cases_are_opened(staff):
    # Given a delay posted by operations, its care not run yet (no case exists)
    posted = staff["operations"].post("/flights/events", CA981_DELAY)
    disruption_id = posted.json()["disruption"]["id"]
    assert Disruption.objects.get(pk=disruption_id).affected.count() == 0

    # When each member of staff asks for it
    answers = {
        who: client.get(f"/flights/disruptions/{disruption_id}").status_code
        for who, client in staff.items()
    }
    listed = {
        who: [d["id"] for d in client.get("/flights/disruptions").json()]
        for who, client in staff.items()
    }

    # Then disruption care sees it, other departments do not
    assert answers == {
        "operations": 200,
        "care_supervisor": 200,
        "care_agent": 200,
        "baggage_agent": 404,
        "baggage_supervisor": 404,
    }
    assert listed == {
        "operations": [disruption_id],
        "care_supervisor": [disruption_id],
        "care_agent": [disruption_id],
        "baggage_agent": [],
        "baggage_supervisor": [],
    }


def test_the_console_lists_a_disruption_without_cases_for_the_care_agent(staff, client):
    # Given a delay posted by operations, its care not run yet
    staff["operations"].post("/flights/events", CA981_DELAY)
    disruption = Disruption.objects.get()

    # When the care agent and a baggage agent open the console's pages
    client.force_login(staff["care_agent"].user)
    care_list = client.get("/console/disruptions/")
    care_page = client.get(f"/console/disruptions/{disruption.pk}/")
    client.force_login(staff["baggage_agent"].user)
    baggage_page = client.get(f"/console/disruptions/{disruption.pk}/")

    # Then only the care agent finds it
    assert care_list.status_code == 200
    assert [row.pk for row in care_list.context["rows"]] == [disruption.pk]
    assert (care_page.status_code, baggage_page.status_code) == (200, 404)
