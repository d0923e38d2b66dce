"""Case search that finds Chinese words as well as English ones, at a million cases.

The one search behind the console and the API. Every case keeps a
``search_document``: its number, the passenger's e-mail and phone, the words of
subject and description lower-cased (for a case PaxCare opened itself, the
disruption's reason in place of its standard description, see
``CaseDraft.search_words``), and for Chinese text every single character and
every pair of neighbouring characters (Chinese has no spaces, so a word of two
characters is found through its pair). A case is
searched in its *search text*: that document followed by its travel references
(flight number, booking reference, e-ticket number with and without its dash,
lower-cased), so that an agent on a call finds a case by the PNR or the flight the
passenger reads out.

The travel references are columns of the case, joined to the document in SQL
(``SearchText``) rather than copied into it: every writer of a case (intake, the
Zendesk import, proactive disruption cases) gets them without knowing, a changed
reference is found at once, and adding them cost an index build instead of a
rewrite of every row. On PostgreSQL a GIN index over ``to_tsvector('simple', <the
search text>)`` (migration 0007, ``SEARCH_TEXT_SQL``) answers a search without
reading the table; on SQLite the same text is matched with LIKE, which is fast
enough at the embedded default's scale.
"""

import re

from django.db import connection
from django.db.models import F, Func, Lookup, Q, TextField
from django.db.models.functions import Lower
from django.db.models.lookups import Contains

from paxcare.cases.numbers import normalise_case_number

# CJK unified ideographs (with extension A and compatibility ideographs).
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# A word starts and ends with a letter or digit and may hold @ . + - inside, so
# that e-mail addresses, hosts and numbers stay whole.
_WORD = re.compile(r"\w(?:[\w@.+-]*\w)?")
_PARTS = re.compile(r"[@.]")
MAX_QUERY_TERMS = 12
# A whole query that is a flight number or an e-ticket number typed with spaces or
# a dash ("MU 5101", "999 1234567890") is searched as the one reference it is.
_FLIGHT = re.compile(r"(?=[a-z0-9]{2}\d)(?![0-9]{2})[a-z0-9]{2}\d{1,4}[a-z]?")
_TICKET = re.compile(r"\d{13}")
_GAPS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
# Full-width letters, digits and signs, as a Chinese input method types them
# ("ＭＵ５１０１"), are searched as their ASCII forms; ideographs are left alone.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}

# The search text of a case, as the GIN index of migration 0007 is built over it;
# ``SearchText`` renders the same expression, which PostgreSQL must see unchanged to
# use the index. The columns are NOT NULL (blank is ''), so no COALESCE is needed.
SEARCH_TEXT_SQL = (
    "search_document || ' ' || lower(flight_number || ' ' || booking_reference"
    " || ' ' || ticket_number || ' ' || replace(ticket_number, '-', ''))"
)


def _terms(text: str) -> list[str]:
    """Return the search terms of ``text``: words, CJK characters and pairs."""
    terms: list[str] = []
    lowered = (text or "").lower()
    runs = _CJK_RUN.findall(lowered)
    if runs:
        for run in runs:
            terms.extend(run)
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        lowered = _CJK_RUN.sub(" ", lowered)
    for word in _WORD.findall(lowered):
        terms.append(word)
        if "@" in word or "." in word:
            terms.extend(part for part in _PARTS.split(word) if part)
    return terms


def search_document(*parts: str) -> str:
    """Return the document stored with a case, from its searchable texts."""
    # One pass over all parts: a line break keeps them apart, as a CJK run or a
    # word never spans one.
    return " ".join(dict.fromkeys(_terms("\n".join(filter(None, parts)))))


def _query_terms(text: str) -> list[str]:
    """Terms a search must all match: for CJK the pairs (or the lone character)."""
    lowered = (text or "").translate(_FULL_WIDTH).lower()
    reference = _travel_reference(lowered)
    if reference:
        return [reference]
    terms: list[str] = []
    for run in _CJK_RUN.findall(lowered):
        if len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    terms.extend(_WORD.findall(_CJK_RUN.sub(" ", lowered)))
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


def _travel_reference(lowered: str) -> str | None:
    """Return a flight or e-ticket number typed with gaps as one term, else None."""
    compact = _GAPS.sub("", lowered)
    if compact == lowered.strip():
        return None
    if _FLIGHT.fullmatch(compact) or _TICKET.fullmatch(compact):
        return compact
    return None


def _tsquery(terms: list[str]) -> str:
    """Quote each term for to_tsquery; latin words match as prefixes."""
    quoted = []
    for term in terms:
        safe = term.replace("'", "''").replace("\\", "\\\\")
        prefix = ":*" if not _CJK_RUN.match(term) else ""
        quoted.append(f"'{safe}'{prefix}")
    return " & ".join(quoted)


class TsMatch(Lookup):
    """``search_document__tsmatch=query``: PostgreSQL full-text match ('simple')."""

    lookup_name = "tsmatch"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = f"to_tsvector('simple', {lhs}) @@ to_tsquery('simple', {rhs})"
        return sql, lhs_params + rhs_params


TextField.register_lookup(TsMatch)


class _Spaced(Func):
    """Its arguments joined with a space between them (``||``, as the index has it)."""

    arg_joiner = " || ' ' || "
    template = "(%(expressions)s)"
    output_field = TextField()


class _Undashed(Func):
    """A text without its dashes; the literal is in the SQL, as in the index."""

    template = "replace(%(expressions)s, '-', '')"
    output_field = TextField()


class SearchText(_Spaced):
    """The search text of a case, as SQL: the same expression as ``SEARCH_TEXT_SQL``."""

    def __init__(self) -> None:
        references = _Spaced(
            F("flight_number"),
            F("booking_reference"),
            F("ticket_number"),
            _Undashed(F("ticket_number")),
        )
        super().__init__(F("search_document"), Lower(references))


def search_filter(text: str) -> Q:
    """Return a filter for the cases ``text`` finds; an empty text finds none.

    A case number finds its case alone, however it is typed. Otherwise every term
    must be in the case's search text (LIKE). On PostgreSQL the full-text match
    comes first, for the GIN index; the LIKE conditions it implies stay beside it
    because they are what a row costs to check when the planner walks the newest
    cases instead: recomputing a document's tsvector costs some 50 µs, a LIKE 2 µs.
    """
    number = normalise_case_number(text)
    if number:
        return Q(number=number)
    terms = _query_terms(text)
    if not terms:
        return Q(pk__in=[])
    condition = Q()
    if connection.vendor == "postgresql":
        condition &= Q(TsMatch(SearchText(), _tsquery(terms)))
    for term in terms:
        condition &= Q(Contains(SearchText(), term))
    return condition
