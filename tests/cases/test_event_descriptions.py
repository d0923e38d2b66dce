"""Every event type the product writes reads as a sentence on the timeline.

The event types are found, not listed: each app declares its own in ``events.py``,
``timeline.py`` or ``services.py``, as a class whose name ends in ``Event`` or is
``EventType``. A new type without a description fails here in both languages.
"""

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django.utils import translation

import paxcare
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Event
from paxcare.cases.services import change_status
from paxcare.console.timeline import Names, describe, staff_timeline
from tests.factories import complete_playbook, make_agent, make_case

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
DECLARING_MODULES = ("events", "timeline", "services")


def declared_event_types() -> dict[str, str]:
    """Return ``{type: "module.Class"}`` of every event type constant in PaxCare."""
    found = {}
    root = Path(paxcare.__file__).parent
    for app in sorted(p.parent.name for p in root.glob("*/apps.py")):
        for name in DECLARING_MODULES:
            if not (root / app / f"{name}.py").exists():
                continue
            module = importlib.import_module(f"paxcare.{app}.{name}")
            for cls_name, cls in inspect.getmembers(module, inspect.isclass):
                declares = cls_name.endswith("Event") or cls_name == "EventType"
                if cls.__module__ != module.__name__ or not declares:
                    continue
                for attr, value in vars(cls).items():
                    if attr.isupper() and isinstance(value, str):
                        found[str(value)] = f"{module.__name__}.{cls_name}"
    return found


def test_the_walk_finds_the_event_types_of_every_app_that_writes_any():
    # Given the apps of PaxCare
    # When their event type constants are collected
    declared = declared_event_types()

    # Then the declaring classes of all six apps that write events are among them
    assert set(declared.values()) == {
        "paxcare.cases.events.EventType",
        "paxcare.comms.events.CommsEvent",
        "paxcare.disruptions.timeline.DisruptionEvent",
        "paxcare.remedies.services.RemedyEvent",
        "paxcare.sla.events.SlaEvent",
        "paxcare.surveys.events.SurveyEvent",
    }
    assert declared["sla.cancelled"] == "paxcare.sla.events.SlaEvent"
    assert len(declared) == 58


@pytest.mark.parametrize("event_type", sorted(declared_event_types()))
def test_every_event_type_has_a_description_in_english_and_chinese(event_type):
    # Given an event of this type with no data beyond its type
    event = Event(type=event_type, data={}, channel="system")

    # When it is described in English and in Chinese
    with translation.override("en"):
        english = describe(event, Names())
    with translation.override("zh-hans"):
        chinese = describe(event, Names())

    # Then both are sentences, not the raw code, each in its own language
    assert english != event_type
    assert chinese != event_type
    assert not CJK.search(english)
    assert CJK.search(chinese)


def test_a_case_resolved_without_a_reply_shows_its_cancelled_first_response():
    # Given a new case that waits for the passenger, its playbook done
    agent = make_agent("bag.agent")
    case = make_case()
    change_status(case, Status.PENDING)
    complete_playbook(case, agent)

    # When it is resolved without any reply to the passenger
    change_status(case, Status.RESOLVED)

    # Then the timeline explains the cancelled first-response target in both
    # languages, and no line is a raw event code
    with translation.override("en"):
        english = {entry.event_type: entry.text for entry in staff_timeline(case)}
    with translation.override("zh-hans"):
        chinese = {entry.event_type: entry.text for entry in staff_timeline(case)}
    assert english["sla.cancelled"] == (
        "First-response target cancelled: the case was resolved without a reply "
        "to the passenger, so it counts neither as met nor as breached."
    )
    assert chinese["sla.cancelled"] == (
        "首次响应时限已取消：案件在未回复旅客的情况下已解决，因此既不计为达成，也不计为超时。"
    )
