"""Case search that finds Chinese words as well as English ones, at a million cases.

Every case keeps a ``search_document``: its number, the passenger's e-mail and phone,
the words of subject and description lower-cased, and for Chinese text every single
character and every pair of neighbouring characters (Chinese has no spaces, so a
word of two characters is found through its pair). On PostgreSQL a GIN index over
``to_tsvector('simple', search_document)`` answers a search without reading the
table; on SQLite the same document is matched with LIKE, which is fast enough at the
embedded default's scale.
"""

import re

from django.db import connection
from django.db.models import Lookup, Q, TextField

# CJK unified ideographs (with extension A and compatibility ideographs).
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# A word starts and ends with a letter or digit and may hold @ . + - inside, so
# that e-mail addresses, hosts and numbers stay whole.
_WORD = re.compile(r"\w(?:[\w@.+-]*\w)?")
_PARTS = re.compile(r"[@.]")
MAX_QUERY_TERMS = 12


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
    terms: list[str] = []
    lowered = (text or "").lower()
    for run in _CJK_RUN.findall(lowered):
        if len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    terms.extend(_WORD.findall(_CJK_RUN.sub(" ", lowered)))
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


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


def search_filter(text: str) -> Q:
    """Return a filter for cases matching every term of ``text``; empty matches none.

    Every term must be in the document (LIKE). On PostgreSQL the full-text match
    comes first, for the GIN index; the LIKE conditions it implies stay beside it
    because they are what a row costs to check when the planner walks the newest
    cases instead: recomputing a document's tsvector costs some 50 µs, a LIKE 2 µs.
    """
    terms = _query_terms(text)
    if not terms:
        return Q(pk__in=[])
    condition = Q()
    if connection.vendor == "postgresql":
        condition &= Q(search_document__tsmatch=_tsquery(terms))
    for term in terms:
        condition &= Q(search_document__contains=term)
    return condition
