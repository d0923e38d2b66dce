"""The years PaxCare works with, and the one message for a date outside them.

Dates outside these years are slips (a two-digit year, 0001-01-01 from a client's
empty value), and the far ends cannot be moved across time zones at all: local
midnight of 0001-01-01 lies before year 1 in UTC.
"""

from datetime import date

from django.utils.translation import gettext

FIRST_YEAR, LAST_YEAR = 1900, 2999
CODE = "date_out_of_range"


def year_fault(value: date) -> str | None:
    """Return the message for a date outside FIRST_YEAR to LAST_YEAR, else None."""
    if FIRST_YEAR <= value.year <= LAST_YEAR:
        return None
    return gettext("Give a date between the years %(first)s and %(last)s.") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }
