"""Priority of a new case from its text, category and kind, and a sentiment score.

Plain Python, no Django and no model: a points scheme over cue lists, so that an agent
can read why a case came out urgent. Points add up from four sources:

- the category: a disruption in progress (cancellation, missed connection, denied
  boarding, diversion, delay) starts higher than a question about fees;
- urgency cues: someone stranded, a medical problem, a wheelchair user or a child alone
  weigh most; "tonight", "now" or "at the gate" say it is happening right now;
- past-tense cues ("last week", "上周") take points away: a claim about an old trip can
  wait a working day;
- sentiment: an angry message gains a point.

Praise and suggestions are always low. English cues match whole words, Chinese cues
match as substrings (no segmenter needed for phrases this short).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

URGENT = "urgent"
HIGH = "high"
NORMAL = "normal"
LOW = "low"
PRIORITIES = (URGENT, HIGH, NORMAL, LOW)

# Points from which a case is urgent or high; chosen so that a disruption complaint
# alone is normal, with an urgency cue high, and with a cue happening now urgent.
URGENT_POINTS = 6
HIGH_POINTS = 3

_CATEGORY_POINTS = {
    "flight.cancellation": 2,
    "flight.missed_connection": 2,
    "flight.denied_boarding": 2,
    "flight.diversion": 2,
    "flight.delay": 1,
    "flight.schedule_change": 1,
    "baggage.delayed": 1,
    "baggage.lost": 1,
    "service.accessibility": 1,
    "airport.check_in": 1,
    "airport.security": 1,
    "service.queues": 1,
}
_KIND_POINTS = {"complaint": 1, "claim": 0, "inquiry": 0}

# Situations where a person is at risk or stuck: 3 points, counted once.
_SEVERE_EN = (
    "stranded",
    "stuck at",
    "stuck in",
    "sleeping at the airport",
    "sleep at the airport",
    "sleeping on the floor",
    "no hotel",
    "nowhere to sleep",
    "missed my connection",
    "missed connection",
    "missed the connection",
    "medical",
    "medicine",
    "medication",
    "emergency",
    "ambulance",
    "heart attack",
    "fainted",
    "unconscious",
    "seizure",
    "insulin",
    "oxygen",
    "wheelchair",
    "unaccompanied minor",
    "travelling alone",
    "traveling alone",
    "flying alone",
    "pregnant",
    "funeral",
    "passport stolen",
)
_SEVERE_ZH = (
    "滞留",
    "困在",
    "被困",
    "露宿",
    "没有酒店",
    "没地方住",
    "错过中转",
    "错过转机",
    "没赶上中转",
    "没赶上转机",
    "急救",
    "救护车",
    "晕倒",
    "昏迷",
    "发病",
    "生病",
    "心脏",
    "吃药",
    "药物",
    "胰岛素",
    "吸氧",
    "轮椅",
    "无人陪伴",
    "一个人坐飞机",
    "孕妇",
    "怀孕",
    "葬礼",
    "奔丧",
)
# Happening now, or here: 1 point each, at most 2.
_NOW_EN = (
    "now",
    "right now",
    "tonight",
    "today",
    "asap",
    "urgent",
    "urgently",
    "immediately",
    "help",
    "at the airport",
    "at the gate",
    "in the terminal",
    "on the plane",
    "on the tarmac",
)
_NOW_ZH = (
    "现在",
    "今晚",
    "今天",
    "马上",
    "立刻",
    "立即",
    "尽快",
    "紧急",
    "急",
    "救命",
    "在机场",
    "机场",
    "登机口",
    "候机",
    "飞机上",
)
# Looking back on an old trip: -2 points, once.
_PAST_EN = (
    "yesterday",
    "last week",
    "last month",
    "last year",
    "weeks ago",
    "months ago",
    "a week ago",
    "a month ago",
)
_PAST_ZH = (
    "昨天",
    "上周",
    "上个星期",
    "上个月",
    "去年",
    "前几天",
    "几个月前",
    "一个月前",
)

_POSITIVE_EN = (
    "thank",
    "thanks",
    "great",
    "excellent",
    "amazing",
    "awesome",
    "love",
    "lovely",
    "wonderful",
    "fantastic",
    "helpful",
    "friendly",
    "good",
    "happy",
    "impressed",
    "best",
    "appreciate",
    "smooth",
    "perfect",
)
_NEGATIVE_EN = (
    "worst",
    "terrible",
    "awful",
    "horrible",
    "rude",
    "angry",
    "furious",
    "disgusting",
    "disgraceful",
    "unacceptable",
    "ridiculous",
    "useless",
    "pathetic",
    "joke",
    "shame",
    "never again",
    "neveragain",
    "bad",
    "poor",
    "hate",
    "fail",
    "disappointed",
    "frustrated",
    "frustrating",
    "unhappy",
    "scam",
    "nightmare",
)
_POSITIVE_ZH = (
    "谢谢",
    "感谢",
    "满意",
    "点赞",
    "很好",
    "非常好",
    "很棒",
    "专业",
    "耐心",
    "热情",
    "贴心",
    "方便",
    "喜欢",
    "辛苦了",
    "给力",
)
_NEGATIVE_ZH = (
    "不满意",
    "太差",
    "很差",
    "极差",
    "差劲",
    "垃圾",
    "愤怒",
    "生气",
    "气愤",
    "失望",
    "离谱",
    "恶心",
    "无语",
    "不负责任",
    "不可理喻",
    "不能接受",
    "无法接受",
    "太过分",
    "骗子",
    "坑人",
)
_NEGATORS_EN = frozenset({"not", "no", "never", "isn't", "wasn't", "don't", "didn't"})
_NEGATORS_ZH = ("不", "没", "没有", "别")

_WORD = re.compile(r"[a-z']+|[\u3400-\u9fff]+")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return text.replace("’", "'")


def _has_any(text: str, english: Iterable[str], chinese: Iterable[str]) -> bool:
    return any(_has_phrase(text, p) for p in english) or any(c in text for c in chinese)


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(r"(?<![a-z])" + re.escape(phrase) + r"(?![a-z])", text) is not None


def _count_zh(text: str, words: tuple[str, ...]) -> tuple[int, str]:
    """Count Chinese lexicon hits, longest first, masking each hit from the rest."""
    count = 0
    for word in sorted(words, key=len, reverse=True):
        while (start := text.find(word)) >= 0:
            before = text[max(0, start - 2) : start]
            negated = any(before.endswith(n) for n in _NEGATORS_ZH)
            count += -1 if negated else 1
            text = text[:start] + "\0" * len(word) + text[start + len(word) :]
    return count, text


def sentiment(text: str) -> float:
    """Return the tone of ``text`` from -1 (angry) to 1 (delighted); 0 is neutral.

    The score is (positive - negative) / (positive + negative + 1) over lexicon hits,
    so one angry word gives -0.5 and two give -2/3. A negator up to two words before
    an English word, or right before a Chinese one, flips that word.
    """
    text = _clean(text)
    negative_zh, text = _count_zh(text, _NEGATIVE_ZH)
    positive_zh, text = _count_zh(text, _POSITIVE_ZH)
    positive, negative = max(positive_zh, 0), max(negative_zh, 0)
    negative += max(-positive_zh, 0)
    positive += max(-negative_zh, 0)

    for phrase in (p for p in _NEGATIVE_EN if " " in p):
        if _has_phrase(text, phrase):
            negative += 1
    tokens = _WORD.findall(text)
    for index, token in enumerate(tokens):
        polarity = _english_polarity(token)
        if polarity == 0:
            continue
        if _NEGATORS_EN.intersection(tokens[max(0, index - 2) : index]):
            polarity = -polarity
        if polarity > 0:
            positive += 1
        else:
            negative += 1
    return (positive - negative) / (positive + negative + 1)


def _english_polarity(token: str) -> int:
    if token in _POSITIVE_EN or (token.startswith("thank") and len(token) <= 6):
        return 1
    if token in _NEGATIVE_EN:
        return -1
    return 0


def priority_points(text: str, category: str, kind: str) -> int:
    """Return the points behind ``score_priority``; higher is more pressing."""
    cleaned = _clean(text)
    points = _CATEGORY_POINTS.get(category, 0) + _KIND_POINTS.get(kind, 0)
    if _has_any(cleaned, _SEVERE_EN, _SEVERE_ZH):
        points += 3
    now_hits = sum(_has_phrase(cleaned, p) for p in _NOW_EN)
    now_hits += sum(c in cleaned for c in _NOW_ZH)
    points += min(now_hits, 2)
    if _has_any(cleaned, _PAST_EN, _PAST_ZH):
        points -= 2
    if sentiment(text) <= -0.5:
        points += 1
    return points


def score_priority(text: str, category: str, kind: str) -> str:
    """Return "urgent", "high", "normal" or "low" for a new case."""
    if kind in ("praise", "suggestion"):
        return LOW
    points = priority_points(text, category, kind)
    if points >= URGENT_POINTS:
        return URGENT
    if points >= HIGH_POINTS:
        return HIGH
    if points <= 0 and kind == "inquiry":
        return LOW
    return NORMAL
