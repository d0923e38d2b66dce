"""Labels for the codes the disruption pages show, and flight times at airports."""

from datetime import datetime

from django import template
from django.utils.translation import gettext_lazy as _

from paxcare.disruptions import wording

register = template.Library()

CARE_LABELS = {
    "meal": _("meal voucher"),
    "hotel": _("hotel and transport"),
    "calls": _("phone calls"),
    "rebooking": _("rebooking"),
    "refund": _("refund"),
}
MONEY_LABELS = {
    "compensation": _("compensation"),
    "refund": _("refund (if chosen)"),
    "voucher": _("travel voucher"),
    "miles": _("miles"),
    "cash": _("cash"),
}


@register.filter
def care_label(code: str) -> str:
    """Return the name of a care item (``meal``, ``hotel``, ...) to show."""
    return str(CARE_LABELS.get(code, code))


@register.filter
def money_label(code: str) -> str:
    """Return the name of a kind of money owed or given."""
    return str(MONEY_LABELS.get(code, code))


@register.filter
def local_time(moment: datetime | None, code: str) -> str:
    """Show a flight's time at airport ``code``: "16:01 local time (EWR)".

    Not ``expects_localtime``: the time must reach the filter as it is, not moved
    to the office's time zone first.
    """
    return wording.local_time(moment, code)
