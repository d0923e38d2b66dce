"""Turn a notification template and a case into the words a recipient reads.

Templates use Django's template language without HTML escaping (the mail is plain
text). Every template gets:

- ``case_number``, ``case_subject``, ``passenger_name``
- ``answer_due``: when the first answer is due, in the office's time zone, or blank
- ``reply_text``, ``agent_name``: the agent's message, when the moment has one

and whatever the caller of ``notify()`` put in its ``context`` (for example
``survey_url``; ``offer_text``, ``amount``, ``currency``, ``accept_url``,
``expires``; ``requester``, ``console_url``; ``flight_number``,
``disruption_text``, ``care_text``; ``result_text``, ``compensation``).
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils import translation

from paxcare.comms.defaults import DEFAULT_TEMPLATES, ENGLISH
from paxcare.comms.models import Template as TemplateRow

logger = logging.getLogger(__name__)

# Beyond this a subject line is folded by clients anyway; the case tag stays in front.
MAX_SUBJECT_CHARS = 150
# One SMS segment of Chinese holds 70 characters, of plain Latin 160; gateways
# join segments, and a care message over five of them is no longer short.
MAX_SHORT_CHARS = 320

_ENGINE = Engine(autoescape=False, debug=False)

Sources = tuple[str, str, str]


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    short_text: str


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    return _ENGINE.from_string(source)


def check_template_source(source: str) -> str | None:
    """Return the syntax error of a template source, or None when it compiles."""
    try:
        _compiled(source)
    except TemplateSyntaxError as error:
        return str(error)
    return None


def default_sources(purpose: str, language: str) -> Sources:
    return (
        DEFAULT_TEMPLATES.get((purpose, language))
        or DEFAULT_TEMPLATES[(purpose, ENGLISH)]
    )


def active_sources(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Sources]:
    """Return the sources for each (purpose, language): the administrator's first."""
    found: dict[tuple[str, str], Sources] = {}
    if pairs:
        rows = TemplateRow.objects.filter(
            purpose__in={p for p, _ in pairs},
            language__in={lang for _, lang in pairs},
            is_active=True,
        ).values_list("purpose", "language", "subject", "body", "short_text")
        for purpose, language, subject, body, short in rows:
            found[(purpose, language)] = (subject, body, short)
    return {pair: found.get(pair) or default_sources(*pair) for pair in pairs}


def render_sources(
    sources: Sources, context: dict, language: str, *, purpose: str
) -> Rendered:
    """Render the three parts of a template with one context, in ``language``.

    A template that an administrator broke falls back to the shipped one, so the
    recipient still gets their notification.
    """
    try:
        return _render(sources, context, language)
    except TemplateSyntaxError:
        logger.warning("comms: template %s/%s does not compile", purpose, language)
        return _render(default_sources(purpose, language), context, language)


def _render(sources: Sources, context: dict, language: str) -> Rendered:
    subject_source, body_source, short_source = sources
    with translation.override(language):
        ctx = Context(context, autoescape=False)
        subject = " ".join(_compiled(subject_source).render(ctx).split())
        body = _compiled(body_source).render(ctx).strip() + "\n"
        short = " ".join(_compiled(short_source or subject_source).render(ctx).split())
    return Rendered(
        subject=_cut(subject, MAX_SUBJECT_CHARS),
        body=body,
        short_text=_cut(short, MAX_SHORT_CHARS),
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def format_due(due_at: datetime | None, zone_name: str, language: str) -> str:
    """Return a deadline as the passenger reads it, in the office's time zone."""
    if due_at is None:
        return ""
    try:
        zone = ZoneInfo(zone_name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    local = due_at.astimezone(zone)
    if language == ENGLISH:
        return f"{local:%d %b %Y %H:%M} ({zone.key})"
    return f"{local:%Y年%m月%d日 %H:%M}（{zone.key} 时间）"


def sample_context(language: str) -> dict:
    """Return the context an administrator's preview renders with."""
    english = language == ENGLISH
    return {
        "case_number": "PX-7K3M-9QD4",
        "case_subject": "Delayed baggage at PEK" if english else "北京首都机场行李延误",
        "passenger_name": "Li Wei" if english else "李伟",
        "answer_due": format_due(
            datetime.fromisoformat("2025-03-05T10:00:00+00:00"),
            "Asia/Shanghai",
            language,
        ),
        "reply_text": "Your bag is on its way and will be delivered tomorrow."
        if english
        else "您的行李已找到，明天送达。",
        "agent_name": "Wang Fang" if english else "王芳",
        "result_text": "We have refunded the excess baggage fee."
        if english
        else "我们已退还逾重行李费。",
        "compensation": "600.00 EUR",
        "survey_url": "https://care.example.com/s/abc123",
        "offer_text": "a voucher for your next flight" if english else "下次乘机代金券",
        "amount": "800.00",
        "currency": "CNY",
        "accept_url": "https://care.example.com/o/abc123",
        "expires": "31 Mar 2025" if english else "2025年3月31日",
        "requester": "Wang Fang" if english else "王芳",
        "console_url": "https://care.example.com/console/cases/PX-7K3M-9QD4/",
        "flight_number": "CA981",
        "disruption_text": "Flight CA981 on 5 March is cancelled."
        if english
        else "3月5日 CA981 航班取消。",
        "care_text": "Meal vouchers are waiting at the transfer desk."
        if english
        else "餐券可在中转柜台领取。",
    }
