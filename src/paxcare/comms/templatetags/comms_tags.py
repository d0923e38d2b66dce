"""Template tags of comms: the delivery state of an agent's message."""

from dataclasses import dataclass

from django import template

from paxcare.comms.models import Notification, NotificationChannel, NotificationStatus

register = template.Library()


@dataclass(frozen=True)
class Delivery:
    channel: str
    status: str

    @property
    def channel_label(self) -> str:
        return str(NotificationChannel(self.channel).label)

    @property
    def status_label(self) -> str:
        return str(NotificationStatus(self.status).label)


@register.simple_tag(takes_context=True)
def deliveries_of(context, message) -> list[Delivery]:
    """Return how the notifications carrying ``message`` fared.

    The first call on a case page loads them for the whole case in one query and
    keeps them on the page's case object.
    """
    if message is None or message.pk is None:
        return []
    case = context.get("case")
    found = getattr(case, "_comms_deliveries", None)
    if found is None or getattr(case, "pk", None) != message.case_id:
        found = _deliveries_by_message(message.case_id)
        if getattr(case, "pk", None) == message.case_id:
            case._comms_deliveries = found
    return found.get(message.pk, [])


def _deliveries_by_message(case_id: int) -> dict[int, list[Delivery]]:
    rows = Notification.objects.filter(
        case_id=case_id, message__isnull=False
    ).values_list("message_id", "channel", "status")
    found: dict[int, list[Delivery]] = {}
    for message_id, channel, status in rows.order_by("pk"):
        found.setdefault(message_id, []).append(Delivery(channel, status))
    return found
