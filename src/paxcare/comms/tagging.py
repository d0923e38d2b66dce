"""The case tag in a subject line: ``[PX-7K3M-9QD4] Our answer to your case``.

The tag is the case number in square brackets. Case numbers are drawn from an
alphabet without look-alikes and carry the ``PX-`` prefix, so a ticket number of
another helpdesk ("[#732]", "Ticket 732"), an e-ticket number or a booking reference
never reads as one. Brackets typed with a Chinese input method (full-width ［］ or
【】) and added spaces are forgiven: the subject is NFKC-normalised first.
"""

import re
import unicodedata

from paxcare.cases.numbers import ALPHABET

_TAG = re.compile(
    rf"[\[【]\s*(PX-?[{ALPHABET}]{{4}}-?[{ALPHABET}]{{4}})\s*[\]】]", re.IGNORECASE
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
