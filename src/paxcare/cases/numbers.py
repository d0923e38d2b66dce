"""Case numbers: short, readable over the phone, and not guessable in sequence.

``PX-7K3M-9QD4``: eight characters from an alphabet without the look-alikes
(0/O, 1/I/L, U/V), about 6.6e11 combinations, drawn from the system's CSPRNG.
A million cases leave one chance in 660,000 that a random guess hits one.
"""

import re
import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
_BODY_LENGTH = 8
# Hyphen, non-breaking hyphen, figure dash, en and em dashes, horizontal bar, minus.
_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")
)
_PATTERN = re.compile(rf"^PX-?([{ALPHABET}]{{4}})-?([{ALPHABET}]{{4}})$")


# A number is one draw below 29**8, written in base 29 four characters at a time:
# one call to the CSPRNG instead of eight (a bulk intake draws one per case).
_SPACE = len(ALPHABET) ** _BODY_LENGTH
_QUAD = len(ALPHABET) ** 4
_PAIR = len(ALPHABET) ** 2
_PAIRS = tuple(a + b for a in ALPHABET for b in ALPHABET)


def new_case_number() -> str:
    """Return a fresh random case number (uniqueness is the database's job)."""
    high, low = divmod(secrets.randbelow(_SPACE), _QUAD)
    return f"PX-{_quad(high)}-{_quad(low)}"


def _quad(value: int) -> str:
    first, second = divmod(value, _PAIR)
    return _PAIRS[first] + _PAIRS[second]


def normalise_case_number(raw: str) -> str | None:
    """Return the canonical form of a typed case number, or None if it cannot be one.

    Full-width letters, digits and dashes, as a Chinese input method types them
    (``ＰＸ－５ＦＷＧ－ＨＰＷＧ``), count as their ASCII forms (NFKC); so do the
    other dashes a phone or a word processor puts in.
    """
    text = unicodedata.normalize("NFKC", raw or "").translate(_DASHES)
    compact = re.sub(r"[\s_]", "", text.upper())
    match = _PATTERN.match(compact)
    if not match:
        return None
    return f"PX-{match.group(1)}-{match.group(2)}"
