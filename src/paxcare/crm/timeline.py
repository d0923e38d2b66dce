"""How staff read the contact details a new case changed on its passenger."""

from django.utils.translation import gettext as _


def describe_contact_changed(changed: dict) -> str:
    """Return one line for ``{"phone": {"old": ..., "new": ...}, ...}``."""
    labels = {
        "full_name": _("name"),
        "email": _("e-mail"),
        "phone": _("phone"),
        "social_handle": _("social handle"),
    }
    parts = [
        _("%(field)s %(old)s → %(new)s")
        % {
            "field": labels.get(name, name),
            "old": change.get("old") or "—",
            "new": change.get("new") or "—",
        }
        for name, change in changed.items()
        if isinstance(change, dict)
    ]
    return _("The passenger's contact details were updated: %(changes)s.") % {
        "changes": "; ".join(parts)
    }
