"""How staff read the contact details a new case gave and changed on its passenger."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def _in_order(details: dict) -> list[tuple[str, object]]:
    # PostgreSQL's jsonb keeps its own key order: read in the order of the fields.
    known = [name for name in _labels() if name in details]
    return [(name, details[name]) for name in known + sorted(set(details) - set(known))]


def _labels() -> dict[str, str]:
    return {
        "full_name": _("name"),
        "email": _("e-mail"),
        "phone": _("phone"),
        "social_handle": _("social handle"),
    }


def describe_contact_changed(changed: dict) -> str:
    """Return one line for ``{"phone": {"old": ..., "new": ...}, ...}``."""
    labels = _labels()
    parts = [
        _("%(field)s %(old)s → %(new)s")
        % {
            "field": labels.get(name, name),
            "old": change.get("old") or "—",
            "new": change.get("new") or "—",
        }
        for name, change in _in_order(changed)
        if isinstance(change, dict)
    ]
    return _("The passenger's contact details were updated: %(changes)s.") % {
        "changes": _separated(parts)
    }


def describe_contact_given(given: dict) -> str:
    """Return one line for ``{"phone": "+1…", ...}``: details not applied."""
    labels = _labels()
    parts = [
        _("%(field)s %(value)s") % {"field": labels.get(name, name), "value": value}
        for name, value in _in_order(given)
        if isinstance(value, str)
    ]
    return _(
        "Contact details given with this case, not applied to the passenger "
        "(this channel cannot confirm who sent them): %(details)s."
    ) % {"details": _separated(parts)}


def _separated(parts: list[str]) -> str:
    # "；" between the details in Chinese, "; " in English.
    return pgettext("list separator", "; ").join(parts)
