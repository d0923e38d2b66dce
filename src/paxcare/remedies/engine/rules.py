"""Versioned rule data: one JSON file per regime under ``remedies/rules/``.

A file holds ``versions``, each complete and in force from its ``effective_from``
date until the next version starts, and ``messages``: the explanation templates in
English and Chinese. A law that changes is a new version, never an edit.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


@dataclass(frozen=True, slots=True)
class RuleBook:
    regime: str
    title: dict[str, str]
    starts: tuple[date, ...]
    versions: tuple[dict[str, Any], ...]
    messages: dict[str, tuple[str, str]]
    # What the regimes derive from these versions (citations, fixed entitlements
    # and reasons), kept as long as this book is.
    memo: dict[tuple, Any] = field(default_factory=dict, compare=False, repr=False)

    def version_on(self, on: date) -> dict[str, Any] | None:
        """Return the version in force on ``on``, or None before the first one."""
        index = bisect.bisect_right(self.starts, on) - 1
        return self.versions[index] if index >= 0 else None

    def message(self, key: str) -> tuple[str, str]:
        """Return the (English, Chinese) template for ``key``."""
        return self.messages[key]


@cache
def rule_book(regime: str) -> RuleBook:
    """Load and index the rule file of ``regime`` (for example ``"eu261"``)."""
    with open(RULES_DIR / f"{regime}.json", encoding="utf-8") as handle:
        data = json.load(handle)
    messages: dict[str, tuple[str, str]] = {}
    if parent := data.get("inherit_messages"):
        messages.update(rule_book(parent).messages)
    for key, text in data.get("messages", {}).items():
        messages[key] = (text["en"], text["zh"])
    versions = sorted(data["versions"], key=lambda v: v["effective_from"])
    return RuleBook(
        regime=data["regime"],
        title=data["title"],
        starts=tuple(date.fromisoformat(v["effective_from"]) for v in versions),
        versions=tuple(versions),
        messages=messages,
    )


# Six regimes over three years of flight dates are 6,570 entries: a smaller cache
# keeps evicting what it is about to be asked. 65,536 entries: about 8 MB at most.
@lru_cache(maxsize=65536)
def version_on(regime: str, on: date) -> dict[str, Any] | None:
    """Return the version of ``regime`` in force on ``on`` (cached per day)."""
    return rule_book(regime).version_on(on)
