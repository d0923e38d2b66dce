"""Template filters of the console: labels for SLA values and durations."""

from django import template

from paxcare.console.forms import RISKS
from paxcare.console.kpis import duration
from paxcare.sla.models import ClockKind, ClockState

register = template.Library()


@register.filter
def clock_kind(value: str) -> str:
    return _label(ClockKind, value)


@register.filter
def clock_state(value: str) -> str:
    return _label(ClockState, value)


@register.filter
def risk_label(value: str) -> str:
    return str(dict(RISKS).get(value, value))


@register.filter
def minutes(value) -> str:
    """Show a signed number of minutes as a duration; negative means overdue."""
    if value is None or value == "":
        return "—"
    return duration(abs(value))


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value
