"""The case state machine, as data: which status may follow which."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("new")
    OPEN = "open", _("open")
    PENDING = "pending", _("pending on passenger")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED}),
    # Resolved and closed cases go back to open: that is a reopen.
    Status.RESOLVED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.CLOSED: frozenset({Status.OPEN}),
}

ACTIVE_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.PENDING})


class TransitionError(ValueError):
    """A status change the state machine does not allow."""

    def __init__(self, old: str, new: str):
        super().__init__(f"A case cannot go from {old} to {new}.")
        self.old = old
        self.new = new


def check_transition(old: str, new: str) -> None:
    """Raise TransitionError unless ``old`` may become ``new``."""
    if new not in TRANSITIONS.get(old, frozenset()):
        raise TransitionError(old, new)


def is_reopen(old: str, new: str) -> bool:
    return old in (Status.RESOLVED, Status.CLOSED) and new == Status.OPEN
