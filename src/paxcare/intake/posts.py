"""What a public post says about its trip: a flight number, a booking reference.

A post gives no form fields, only text, and a passenger writes "UA1545 cancelled
again, booking XYZ789". Both are taken from the text conservatively, because a
wrong one would file the post on someone else's case or mislabel a new one:

- a flight number only when that very flight (carrier and number) is on record
  within a few days of the post, and only one such flight is named (a post about
  two flights names no single trip); its date is taken when only one flight of
  that number is on record in those days;
- a booking reference only right after a cue word (booking, PNR, confirmation,
  reservation, record locator, 订单, 预订, 订座), as six letters and digits with
  at least one letter: with a digit too, or written in capitals in a post that
  is not itself written in capitals ("BOOKING FAILED" is shouting, not a code).
  Two different references in one post give none.
"""

import re
from datetime import date, datetime, timedelta

from paxcare.disruptions.complaints import flight_dates_on_record

# A flight is written about before it leaves and for days after it.
DAYS_BEFORE_POST = 3
DAYS_AFTER_POST = 1

# A designator (two characters, at least one a letter) and 1-4 digits, not part of
# a longer word, a handle (@ab1234), a reference (XYZ789 holds no "YZ789") or a
# link's path (status.example/CA981).
FLIGHT_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9@_/])([A-Za-z][A-Za-z0-9]|[0-9][A-Za-z])( ?)(\d{1,4})"
    r"(?![A-Za-z0-9/])"
)
_LATIN_CUES = r"booking|pnr|confirmation|reservation|record\s+locator"
_CJK_CUES = r"订单|预订|订座"
_FILLER = r"(?:[\s:：#]*(?:ref(?:erence)?|code|number|no\.?|is|号|编号|码|记录|代码))*"
BOOKING_IN_TEXT = re.compile(
    rf"(?:(?<![A-Za-z])(?:{_LATIN_CUES})|{_CJK_CUES}){_FILLER}[\s:：#]*"
    r"([A-Za-z0-9]{6})(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def flight_numbers_in(text: str) -> list[str]:
    """Return the flight numbers written in the text, in order, each once.

    A designator in small letters counts only when the digits follow it at once
    ("ua1545"): "at 10" or "on 3" are words and numbers, not flights.
    """
    found: list[str] = []
    for match in FLIGHT_IN_TEXT.finditer(text):
        designator, space, digits = match.groups()
        if space and designator != designator.upper():
            continue
        # Leading zeros are padding: CA0981 is flight CA981.
        number = f"{designator.upper()}{int(digits)}"
        if number not in found:
            found.append(number)
    return found


def booking_reference_in(text: str) -> str:
    """Return the one booking reference the text gives after a cue word, or ""."""
    letters = [c for c in text if c.isascii() and c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) > len(letters) / 2
    found = set()
    for match in BOOKING_IN_TEXT.finditer(text):
        token = match.group(1)
        if not any(c.isalpha() for c in token):
            continue
        has_digit = any(c.isdigit() for c in token)
        if has_digit or (token.isupper() and not shouting):
            found.add(token.upper())
    return found.pop() if len(found) == 1 else ""


def trip_in_post(
    text: str, posted_at: datetime, *, airline: str = ""
) -> tuple[str, date | None, str]:
    """Return (flight number, flight date, booking reference) a post gives, or blanks.

    ``airline``, the airline the post is addressed to when the platform says so,
    keeps only that carrier's flights.
    """
    numbers = [
        number
        for number in flight_numbers_in(text)
        if not airline or number.startswith(airline)
    ]
    day = posted_at.date()
    dates = flight_dates_on_record(
        numbers,
        day - timedelta(days=DAYS_BEFORE_POST),
        day + timedelta(days=DAYS_AFTER_POST),
    )
    flight_number, flight_date = "", None
    if len(dates) == 1:
        flight_number, on = next(iter(dates.items()))
        flight_date = next(iter(on)) if len(on) == 1 else None
    reference = booking_reference_in(text)
    # "booking CA981" names the flight; "booking AB0001" is an ordinary record
    # locator shaped like a flight number that no flight on record has.
    if reference in dates:
        reference = ""
    return flight_number, flight_date, reference
