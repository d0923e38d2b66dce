"""The case tag in a subject line: ``[PX-7K3M-9QD4] Our answer to your case``.

The tag is the case number in square brackets. Case numbers are drawn from an
alphabet without look-alikes and carry the ``PX-`` prefix, so a ticket number of
another helpdesk ("[#732]", "Ticket 732"), an e-ticket number or a booking reference
never reads as one. Brackets typed with a Chinese input method (full-width ［］ or
【】) and added spaces are forgiven: the subject is NFKC-normalised first.

A passenger who types the number without brackets ("Re: your PX-5BMS-348P") writes
it whole, with its dashes; ``numbers_in`` finds those too, for the caller to trust
only from the case's own passenger.
"""

import re
import unicodedata

from paxcare.cases.numbers import ALPHABET, normalise_case_number

_TAG = re.compile(
    rf"[\[【]\s*(PX-?[{ALPHABET}]{{4}}-?[{ALPHABET}]{{4}})\s*[\]】]", re.IGNORECASE
)
# A bare number: the whole form, not part of a longer code (Chinese may touch it).
_BARE = re.compile(
    rf"(?<![A-Za-z0-9-])(PX-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}})(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
# The dashes a phone or a word processor puts in for "-".
_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")
)


def tagged_subject(number: str, subject: str) -> str:
    """Return ``subject`` with the case tag in front, once."""
    tag = f"[{number}]"
    if tag in subject:
        return subject
    return f"{tag} {subject}".strip()


def tags_in(subject: str) -> list[str]:
    """Return the case numbers tagged in a subject, canonical, first first."""
    normal = unicodedata.normalize("NFKC", subject or "")
    found = []
    for match in _TAG.finditer(normal):
        compact = match.group(1).upper().replace("-", "")
        number = f"PX-{compact[2:6]}-{compact[6:]}"
        if number not in found:
            found.append(number)
    return found


def numbers_in(subject: str) -> list[str]:
    """Return the case numbers in a subject: the tagged ones, then the bare ones."""
    found = tags_in(subject)
    normal = unicodedata.normalize("NFKC", subject or "").translate(_DASHES)
    for match in _BARE.finditer(normal):
        number = normalise_case_number(match.group(1))
        if number and number not in found:
            found.append(number)
    return found
