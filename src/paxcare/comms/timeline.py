"""One line for each comms event on a case's timeline, in the active language."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from paxcare.cases.models import Event
from paxcare.comms.events import CommsEvent
from paxcare.comms.models import FlagReason, NotificationChannel, Purpose

DROP_REASONS = {
    "message_too_large": gettext_lazy("the e-mail is larger than the limit"),
    "too_many_parts": gettext_lazy("too many parts"),
    "too_many_files": gettext_lazy("more files than a message may keep"),
    "too_large": gettext_lazy("file too large"),
    "type_or_size": gettext_lazy("file type not accepted"),
    "small_inline_image": gettext_lazy("small inline image (logo or signature)"),
    "empty": gettext_lazy("empty file"),
    "unreadable": gettext_lazy("could not be read"),
    "text_truncated": gettext_lazy("text shortened"),
    "staff_mail_file": gettext_lazy("a file of a staff member's e-mail"),
}
IGNORE_REASONS = {
    "automatic": gettext_lazy("an automatic reply"),
    "own_address": gettext_lazy("our own mail"),
    "mailing_list": gettext_lazy("mailing-list mail"),
    "sender_limit": gettext_lazy("over the sender's limit"),
    "no_sender": gettext_lazy("no sender address"),
    "staff_not_permitted": gettext_lazy(
        "from a staff member who may not work on this case"
    ),
    "staff_unthreaded": gettext_lazy(
        "from a staff member, but not a reply to our e-mail"
    ),
}
REPORTS = {
    "complained": gettext_lazy(
        "The recipient of the %(purpose)s by %(channel)s (%(to)s) marked it as spam."
    ),
    "unsubscribed": gettext_lazy(
        "The recipient of the %(purpose)s by %(channel)s (%(to)s) unsubscribed."
    ),
}
# A provider's report of a kind PaxCare does not name.
REPORTED = gettext_lazy(
    "The provider reported on the %(purpose)s by %(channel)s (%(to)s)."
)
NOT_SENT_REASONS = {
    "no_approver": gettext_lazy("the case's department has no supervisor"),
    "no_address": gettext_lazy("%(name)s has no e-mail address"),
    "inactive": gettext_lazy("the account of %(name)s is deactivated"),
}


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")


def describe(event: Event) -> str | None:
    """Return the line for a comms event, or None when it is not one of ours."""
    data = event.data
    what = {
        "purpose": _label(Purpose, data.get("purpose")),
        "channel": _label(NotificationChannel, data.get("channel")),
        "to": data.get("to", ""),
        "attempt": data.get("attempt", 1),
        "error": data.get("error", ""),
    }
    kind = event.type
    if kind == CommsEvent.NOTIFICATION_SENT:
        return (
            _("Sent the %(purpose)s by %(channel)s to %(to)s (attempt %(attempt)s).")
            % what
        )
    if kind == CommsEvent.NOTIFICATION_ATTEMPT_FAILED:
        return (
            _(
                "Could not send the %(purpose)s by %(channel)s (attempt %(attempt)s: "
                "%(error)s); trying again."
            )
            % what
        )
    if kind == CommsEvent.NOTIFICATION_FAILED:
        return _("The %(purpose)s by %(channel)s failed: %(error)s.") % what
    if kind == CommsEvent.NOTIFICATION_DELIVERED:
        return _("The %(purpose)s by %(channel)s was delivered.") % what
    if kind == CommsEvent.NOTIFICATION_SUPPRESSED:
        return (
            _("The %(purpose)s by %(channel)s was not sent: %(to)s is blocked.") % what
        )
    if kind == CommsEvent.CONTACT_FLAGGED:
        return _("Blocked %(to)s for notifications: %(reason)s.") % {
            "to": what["to"],
            "reason": _label(FlagReason, data.get("reason")),
        }
    if kind == CommsEvent.NOTIFICATION_REPORTED:
        line = REPORTS.get(data.get("report"), REPORTED)
        return str(line) % what
    if kind == CommsEvent.NOTIFICATION_NOT_SENT:
        return _describe_not_sent(data, what)
    return _describe_mail(event)


def _describe_not_sent(data: dict, what: dict) -> str:
    why = NOT_SENT_REASONS.get(data.get("reason"))
    why = str(why) % {"name": data.get("name", "")} if why else data.get("reason", "")
    return _(
        "Could not send the %(purpose)s: %(why)s. The offer still waits for "
        "approval in the console."
    ) % {"purpose": what["purpose"], "why": why}


def _describe_mail(event: Event) -> str | None:
    data = event.data
    kind = event.type
    if kind == CommsEvent.MAIL_PARTS_DROPPED:
        items = [_dropped(item) for item in data.get("dropped", [])]
        return _(
            "Not kept from the e-mail: %(items)s. The original e-mail is kept whole."
        ) % {"items": "; ".join(items)}
    if kind == CommsEvent.MAIL_IGNORED:
        reason = data.get("reason")
        return _("An e-mail on this case was not filed: %(reason)s.") % {
            "reason": IGNORE_REASONS.get(reason, reason)
        }
    if kind == CommsEvent.MAIL_FOLLOW_UP:
        return _("Opened from the passenger's reply to closed case %(number)s.") % {
            "number": data.get("follows", "")
        }
    if kind == CommsEvent.MAIL_STAFF_NOTE:
        return _(
            "%(name)s answered the %(purpose)s by e-mail: the answer is kept as an "
            "internal note. E-mail approves nothing; approve or decline the offer "
            "in the console."
        ) % {
            "name": data.get("name", ""),
            "purpose": _label(Purpose, data.get("purpose")),
        }
    if kind == CommsEvent.MAIL_FILED:
        return _("An e-mail was filed on this case.")
    if kind == CommsEvent.MAIL_FOLLOWED_UP:
        return _("The passenger replied after closure; follow-up case %(number)s.") % {
            "number": data.get("follow_up", "")
        }
    return None


def _dropped(item: dict) -> str:
    """Return "name (reason)", or the reason alone for what has no name."""
    reason = str(DROP_REASONS.get(item.get("reason"), item.get("reason") or "—"))
    name = item.get("name")
    return f"{name} ({reason})" if name else reason
