"""What a passenger sends is stored without words of the language it was sent in."""

import pytest
from django.utils import translation

from paxcare.cases.events import EventType
from paxcare.cases.services import add_passenger_message
from paxcare.console.timeline import event_actor
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_a_passenger_message_event_keeps_who_as_data_not_as_a_word():
    case = make_case()

    with translation.override("zh-hans"):
        message = add_passenger_message(case, "行李还没到。", channel="web")

    event = case.events.get(type=EventType.MESSAGE_RECEIVED)
    assert event.actor_label == ""
    assert event.data == {"message": message.pk, "from": "passenger"}


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "passenger"), ("zh-hans", "旅客")]
)
def test_the_word_is_chosen_in_the_language_of_the_reader(language, shown):
    case = make_case()
    with translation.override("zh-hans"):
        add_passenger_message(case, "行李还没到。", channel="web")
    event = case.events.get(type=EventType.MESSAGE_RECEIVED)

    with translation.override(language):
        assert event_actor(event) == shown
