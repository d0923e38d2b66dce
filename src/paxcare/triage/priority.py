"""Priority of a new case from its text, category and kind, and a sentiment score.

Plain Python, no Django and no model: a points scheme over cue lists, so that an agent
can read why a case came out urgent. Points add up from four sources:

- the category: a disruption in progress (cancellation, missed connection, denied
  boarding, diversion, delay) starts higher than a question about fees; for a
  question, only a disruption in progress counts;
- urgency cues: someone stranded, a medical problem, a wheelchair user or a child alone
  weigh most; "tonight", "right now" or "at the gate" say it is happening now;
- cues of another time ("last week", "上周", "next month") take points away: a claim
  about an old trip, or a question about a distant one, can wait a working day;
- sentiment: an angry message gains a point.

Praise and suggestions are always low.

Speed: the text is cleaned once into " word word word " (lower case, one space
between words, a space at each end). An English cue is then a substring test for
" cue " (whole words, no regular expression to backtrack); a Chinese cue is a substring
test on the text, made only when the text has Chinese characters at all. Phrases that
contain a cue but mean something else ("emergency exit", "紧急出口") are removed first.
"""

from __future__ import annotations

import re
import unicodedata

URGENT = "urgent"
HIGH = "high"
NORMAL = "normal"
LOW = "low"
PRIORITIES = (URGENT, HIGH, NORMAL, LOW)

# Points from which a case is urgent or high; chosen so that a disruption complaint
# alone is normal, with an urgency cue high, and with a cue happening now urgent.
URGENT_POINTS = 6
HIGH_POINTS = 3
SEVERE_POINTS = 3
MAX_NOW_POINTS = 2
NOT_NOW_POINTS = -2
ANGRY_POINTS = 1
ANGRY_SENTIMENT = -0.5

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
_IN_PROGRESS = frozenset(
    (
        "flight.cancellation",
        "flight.missed_connection",
        "flight.denied_boarding",
        "flight.diversion",
        "flight.delay",
        "baggage.delayed",
    )
)
_KIND_POINTS = {"complaint": 1, "claim": 0, "inquiry": 0}

# fmt: off
# Situations where a person is at risk or stuck.
_SEVERE_EN = (
    "stranded", "stuck at", "stuck in", "stuck overnight", "sleeping at the airport",
    "sleep at the airport", "sleeping in the airport", "sleeping on the floor",
    "overnight at the airport", "no hotel", "nowhere to sleep", "can't get home",
    "cannot get home", "no way home", "missed my connection", "missed connection",
    "missed the connection", "missed my connecting", "medical", "medicine",
    "medication", "emergency", "ambulance", "heart attack", "fainted", "unconscious",
    "seizure", "insulin", "oxygen", "wheelchair", "unaccompanied minor",
    "travelling alone", "traveling alone", "flying alone", "pregnant", "funeral",
    "passport stolen", "left behind at",
)
_SEVERE_ZH = (
    "滞留", "困在", "被困", "露宿", "过夜", "没有酒店", "没地方住", "回不了家",
    "错过中转", "错过转机", "没赶上中转", "没赶上转机", "急救", "救护车", "晕倒",
    "昏迷", "发病", "生病", "心脏", "吃药", "药物", "胰岛素", "吸氧", "轮椅",
    "无人陪伴", "一个人坐飞机", "孕妇", "怀孕", "葬礼", "奔丧",
)
# Happening now, or here.
_NOW_EN = (
    "now", "right now", "tonight", "today", "asap", "urgent", "urgently",
    "immediately", "help", "at the airport", "at the gate", "in the terminal",
    "on the plane", "on the tarmac",
)
_NOW_ZH = (
    "现在", "今晚", "今天", "马上", "立刻", "立即", "尽快", "紧急", "着急", "救命",
    "在机场", "登机口", "候机", "飞机上",
)
# Looking back on an old trip, or ahead to a distant one.
_NOT_NOW_EN = (
    "yesterday", "last week", "last month", "last year", "weeks ago", "months ago",
    "a week ago", "a month ago", "next week", "next month", "next year",
)
_NOT_NOW_ZH = (
    "昨天", "上周", "上个星期", "上个月", "去年", "前几天", "几个月前", "一个月前",
    "下周", "下个星期", "下个月", "明年",
)
# Phrases that contain a cue above without its meaning.
_NOT_CUES_EN = (
    "emergency exit", "emergency row", "exit row", "help desk", "medical certificate",
    "now boarding",
)
_NOT_CUES_ZH = ("紧急出口", "安全出口")

_POSITIVE_EN = frozenset(
    (
        "thank", "thanks", "thankyou", "thx", "great", "excellent", "amazing",
        "awesome", "love", "loved", "lovely", "wonderful", "fantastic", "helpful",
        "friendly", "good", "happy", "impressed", "best", "appreciate", "appreciated",
        "smooth", "perfect", "kudos", "glad", "enjoyed", "nice", "pleasant",
        "brilliant", "superb", "outstanding", "comfortable", "yay", "beautiful",
    )
)
_NEGATIVE_EN = frozenset(
    (
        "worst", "terrible", "awful", "horrible", "rude", "angry", "furious",
        "disgusting", "disgraceful", "unacceptable", "ridiculous", "useless",
        "pathetic", "joke", "shame", "neveragain", "bad", "poor", "hate", "fail",
        "disappointed", "disappointing", "frustrated", "frustrating", "unhappy", "scam",
        "nightmare", "sucks", "incompetent", "annoyed", "outrageous", "ugh", "wtf",
        "smh", "ruined", "wasted", "unbelievable", "lousy", "crap", "upset", "pissed",
        "livid", "appalling", "horrendous", "awful", "unprofessional", "unhelpful",
        "lied", "liar", "ripoff", "miserable", "embarrassing", "insane", "absurd",
    )
)
_NEGATIVE_PHRASES_EN = (" never again ", " fed up ", " sick of ", " rip off ")
_POSITIVE_ZH = (
    "谢谢", "感谢", "满意", "点赞", "很好", "非常好", "很棒", "专业", "耐心", "热情",
    "贴心", "方便", "喜欢", "辛苦了", "给力",
)
_NEGATIVE_ZH = (
    "不满意", "太差", "很差", "极差", "差劲", "垃圾", "愤怒", "生气", "气愤", "失望",
    "离谱", "恶心", "无语", "不负责任", "不可理喻", "不能接受", "无法接受", "太过分",
    "骗子", "坑人",
)
# fmt: on
_NEGATORS_EN = frozenset(("not", "no", "never", "isn't", "wasn't", "don't", "didn't"))
_NEGATORS_ZH = ("不", "没", "没有", "别")

_TOKEN = re.compile(r"[a-z0-9']+|[\u3400-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _padded(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f" {p} " for p in phrases)


_SEVERE_EN_P = _padded(_SEVERE_EN)
_NOW_EN_P = _padded(_NOW_EN)
_NOT_NOW_EN_P = _padded(_NOT_NOW_EN)
_NOT_CUES_EN_P = _padded(_NOT_CUES_EN)
# Longest first, so that a longer cue is counted before a shorter one inside it.
_NEGATIVE_ZH_SORTED = tuple(sorted(_NEGATIVE_ZH, key=len, reverse=True))
_POSITIVE_ZH_SORTED = tuple(sorted(_POSITIVE_ZH, key=len, reverse=True))


class _Text:
    """A text cleaned once for every cue test."""

    __slots__ = ("words", "padded", "chinese")

    def __init__(self, text: str) -> None:
        text = text or ""
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text).replace("’", "'")
        text = text.lower()
        self.words = _TOKEN.findall(text)
        padded = " " + " ".join(self.words) + " "
        for phrase in _NOT_CUES_EN_P:
            if phrase in padded:
                padded = padded.replace(phrase, " ")
        self.padded = padded
        chinese = text if _CJK.search(text) else ""
        for phrase in _NOT_CUES_ZH:
            if phrase in chinese:
                chinese = chinese.replace(phrase, " ")
        self.chinese = chinese

    def has_any(self, english: tuple[str, ...], chinese: tuple[str, ...]) -> bool:
        padded = self.padded
        if any(p in padded for p in english):
            return True
        return bool(self.chinese) and any(c in self.chinese for c in chinese)

    def count(self, english: tuple[str, ...], chinese: tuple[str, ...]) -> int:
        padded = self.padded
        hits = sum(p in padded for p in english)
        if self.chinese:
            hits += sum(c in self.chinese for c in chinese)
        return hits


def sentiment(text: str) -> float:
    """Return the tone of ``text`` from -1 (angry) to 1 (delighted); 0 is neutral.

    The score is (positive - negative) / (positive + negative + 1) over lexicon hits,
    so one angry word gives -0.5 and two give -2/3. A negator up to two words before
    an English word, or right before a Chinese one, flips that word.
    """
    return _sentiment(_Text(text))


def _sentiment(text: _Text) -> float:
    positive = negative = 0
    if text.chinese:
        negative_zh, rest = _count_zh(text.chinese, _NEGATIVE_ZH_SORTED)
        positive_zh, _ = _count_zh(rest, _POSITIVE_ZH_SORTED)
        positive += max(positive_zh, 0) + max(-negative_zh, 0)
        negative += max(negative_zh, 0) + max(-positive_zh, 0)
    negative += sum(p in text.padded for p in _NEGATIVE_PHRASES_EN)
    words = text.words
    for index, word in enumerate(words):
        polarity = _english_polarity(word)
        if polarity == 0:
            continue
        if _NEGATORS_EN.intersection(words[max(0, index - 2) : index]):
            polarity = -polarity
        if polarity > 0:
            positive += 1
        else:
            negative += 1
    return (positive - negative) / (positive + negative + 1)


def _english_polarity(word: str) -> int:
    if word in _POSITIVE_EN:
        return 1
    if word in _NEGATIVE_EN:
        return -1
    return 0


def _count_zh(text: str, words: tuple[str, ...]) -> tuple[int, str]:
    """Count Chinese lexicon hits, longest first, masking each hit from the rest.

    A hit right after a negator counts against its polarity ("不满意" is itself in
    the lexicon, so it is found before "满意").
    """
    count = 0
    for word in words:
        if word not in text:
            continue
        start = text.find(word)
        while start >= 0:
            before = text[max(0, start - 2) : start]
            negated = before.endswith(_NEGATORS_ZH)
            count += -1 if negated else 1
            text = text[:start] + "\0" * len(word) + text[start + len(word) :]
            start = text.find(word, start + len(word))
    return count, text


def priority_points(text: str, category: str, kind: str) -> int:
    """Return the points behind ``score_priority``; higher is more pressing."""
    return _points(_Text(text), category, kind)


def _points(text: _Text, category: str, kind: str) -> int:
    points = _KIND_POINTS.get(kind, 0)
    # A question about check-in or security rules is not a disruption in progress;
    # a question about a cancelled flight may well be.
    if kind != "inquiry" or category in _IN_PROGRESS:
        points += _CATEGORY_POINTS.get(category, 0)
    if text.has_any(_SEVERE_EN_P, _SEVERE_ZH):
        points += SEVERE_POINTS
    points += min(text.count(_NOW_EN_P, _NOW_ZH), MAX_NOW_POINTS)
    if text.has_any(_NOT_NOW_EN_P, _NOT_NOW_ZH):
        points += NOT_NOW_POINTS
    if _sentiment(text) <= ANGRY_SENTIMENT:
        points += ANGRY_POINTS
    return points


def score_priority(text: str, category: str, kind: str) -> str:
    """Return "urgent", "high", "normal" or "low" for a new case."""
    if kind in ("praise", "suggestion"):
        return LOW
    points = _points(_Text(text), category, kind)
    if points >= URGENT_POINTS:
        return URGENT
    if points >= HIGH_POINTS:
        return HIGH
    if points <= 0 and kind == "inquiry":
        return LOW
    return NORMAL
