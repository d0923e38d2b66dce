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
_WORD = re.compile(r"[\w@.+-]+")
_TRIM = ".-+"
MAX_QUERY_TERMS = 12


def _terms(text: str) -> list[str]:
    """Return the search terms of ``text``: words, CJK characters and pairs."""
    terms: list[str] = []
    lowered = (text or "").lower()
    for run in _CJK_RUN.findall(lowered):
        terms.extend(run)
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    for word in _WORD.findall(_CJK_RUN.sub(" ", lowered)):
        word = word.strip(_TRIM)
        if word:
            terms.append(word)
            if "@" in word or "." in word:
                terms.extend(part for part in re.split(r"[@.]", word) if part)
    return terms


def search_document(*parts: str) -> str:
    """Return the document stored with a case, from its searchable texts."""
    seen: dict[str, None] = {}
    for part in parts:
        for term in _terms(part):
            seen.setdefault(term, None)
    return " ".join(seen)


def _query_terms(text: str) -> list[str]:
    """Terms a search must all match: for CJK the pairs (or the lone character)."""
    terms: list[str] = []
    lowered = (text or "").lower()
    for run in _CJK_RUN.findall(lowered):
        if len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    for word in _WORD.findall(_CJK_RUN.sub(" ", lowered)):
        word = word.strip(_TRIM)
        if word:
            terms.append(word)
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
    """Return a filter for cases matching every term of ``text``; empty matches none."""
    terms = _query_terms(text)
    if not terms:
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        return Q(search_document__tsmatch=_tsquery(terms))
    condition = Q()
    for term in terms:
        condition &= Q(search_document__contains=term)
    return condition
