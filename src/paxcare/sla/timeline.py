"""How the SLA app's own events read on a case's timeline, in the active language."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from paxcare.cases.models import Event
from paxcare.rowcache import RowCache
from paxcare.sla.events import SlaEvent
from paxcare.sla.models import SlaPolicy


def _load_chinese_names() -> dict[int, str]:
    named = SlaPolicy.objects.exclude(name_zh="")
    return dict(named.values_list("pk", "name_zh"))


# The policies' Chinese names by id, read once per process until a policy changes.
_chinese_names = RowCache(_load_chinese_names)


def describe_sla_event(event: Event) -> str | None:
    """Return one line for an event of ``SlaEvent``; None for events of other apps."""
    if event.type == SlaEvent.CANCELLED:
        return _(
            "First-response target cancelled: the case was resolved without a reply "
            "to the passenger, so it counts neither as met nor as breached."
        )
    return None


def started_policy_name(data: dict) -> str:
    """Return the name of the policy that started a case's clocks, in the language.

    The event keeps the policy's name as it was when the clocks started; a Chinese
    page shows the policy's Chinese name instead, when it has one.
    """
    recorded = data.get("policy_name") or "—"
    if not (get_language() or "").startswith("zh"):
        return recorded
    return _chinese_names.get().get(data.get("policy"), recorded)
