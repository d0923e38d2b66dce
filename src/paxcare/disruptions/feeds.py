"""The public disruption feeds: Atom and JSON Feed 1.1, one per language.

Feed readers send no cookies, so the language is part of the address
(``/disruptions/feed/zh-hans.atom``). Entries are built by ``public.public_view``
and carry no passenger data. A flight's times are given at its airports' clocks
(ISO 8601 with the airport's offset in the JSON Feed), like on the page.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from paxcare.crm.models import Language
from paxcare.disruptions.public import PublicDisruption, public_view, recent_disruptions
from paxcare.disruptions.wording import local_time
from paxcare.public import public_url

FEED_ENTRIES = 100


class TextSummaryAtomFeed(Atom1Feed):
    """Atom whose entry summaries are plain text (``type="text"``), as written."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def _check_language(language: str) -> str:
    if language not in Language.values:
        raise Http404
    return language


def _entries(language: str) -> list[PublicDisruption]:
    with translation.override(language):
        return [public_view(d) for d in recent_disruptions()[:FEED_ENTRIES]]


def _summary(entry: PublicDisruption) -> str:
    lines = [
        _("%(headline)s.") % {"headline": entry.headline},
        _("Status: %(status)s.") % {"status": entry.status_label},
        _("Reason: %(reason)s.") % {"reason": entry.reason},
        _("Scheduled: %(departure)s – %(arrival)s.")
        % {
            "departure": local_time(entry.scheduled_departure, entry.origin),
            "arrival": local_time(entry.scheduled_arrival, entry.destination),
        },
    ]
    if entry.expected_departure or entry.expected_arrival:
        lines.append(
            _("Expected or actual: %(departure)s – %(arrival)s.")
            % {
                "departure": local_time(entry.expected_departure, entry.origin) or "—",
                "arrival": local_time(entry.expected_arrival, entry.destination) or "—",
            }
        )
    lines += [e.text for e in entry.entitlements]
    lines += entry.how_to_claim
    return "\n".join(lines)


class DisruptionAtomFeed(Feed):
    feed_type = TextSummaryAtomFeed

    def __call__(self, request, *args, **kwargs):
        language = _check_language(kwargs.get("language", ""))
        with translation.override(language):
            response = super().__call__(request, *args, **kwargs)
            response.headers["Content-Language"] = language
            return response

    def get_object(self, request, language: str) -> str:
        return language

    def title(self, language: str) -> str:
        return _("Flight disruptions")

    def subtitle(self, language: str) -> str:
        return _("Delays, cancellations and diversions, and what passengers are owed.")

    def link(self, language: str) -> str:
        return reverse("disruptions:public_list")

    def feed_url(self, language: str) -> str:
        return reverse("disruptions:atom_feed", args=[language])

    def items(self, language: str) -> list[PublicDisruption]:
        return _entries(language)

    def item_title(self, item: PublicDisruption) -> str:
        return item.headline

    def item_description(self, item: PublicDisruption) -> str:
        return _summary(item)

    def item_link(self, item: PublicDisruption) -> str:
        return reverse("disruptions:public_detail", args=[item.key])

    def item_guid(self, item: PublicDisruption) -> str:
        # Atom's id is an IRI: the entry's address at the installation's public
        # URL (not the asking host's, so it never changes), one per version.
        path = reverse("disruptions:public_detail", args=[item.key])
        return f"{public_url(path)}#v{item.version}"

    def item_updateddate(self, item: PublicDisruption):
        return item.updated_at

    def item_pubdate(self, item: PublicDisruption):
        return item.updated_at


def json_feed(request: HttpRequest, language: str) -> JsonResponse:
    """Answer the JSON Feed 1.1 of recent disruptions in ``language``."""
    _check_language(language)
    entries = _entries(language)
    with translation.override(language):
        body = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": _("Flight disruptions"),
            "home_page_url": request.build_absolute_uri(
                reverse("disruptions:public_list")
            ),
            "feed_url": request.build_absolute_uri(
                reverse("disruptions:json_feed", args=[language])
            ),
            "language": language,
            "items": [_json_item(request, entry) for entry in entries],
        }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response.headers["Content-Type"] = "application/feed+json; charset=utf-8"
    response.headers["Content-Language"] = language
    return response


def _json_item(request: HttpRequest, entry: PublicDisruption) -> dict:
    return {
        "id": f"{entry.key}/v{entry.version}",
        "url": request.build_absolute_uri(
            reverse("disruptions:public_detail", args=[entry.key])
        ),
        "title": entry.headline,
        "content_text": _summary(entry),
        "date_published": entry.updated_at.isoformat(),
        "date_modified": entry.updated_at.isoformat(),
        "_flight": {
            "flight_number": entry.flight_number,
            "carrier": entry.carrier,
            "flight_date": entry.flight_date.isoformat(),
            "origin": entry.origin,
            "destination": entry.destination,
            "status": entry.status,
            "disruption": entry.kind,
            "arrival_delay_minutes": entry.delay_minutes,
            "scheduled_departure": entry.scheduled_departure.isoformat(),
            "scheduled_arrival": entry.scheduled_arrival.isoformat(),
            "expected_departure": _iso(entry.expected_departure),
            "expected_arrival": _iso(entry.expected_arrival),
            "diverted_to": entry.diverted_to or None,
            "reason": entry.reason,
            "entitlements": [
                {
                    "regime": e.regime,
                    "kind": e.kind,
                    "amount": e.amount,
                    "currency": e.currency,
                    "text": e.text,
                }
                for e in entry.entitlements
            ],
            "how_to_claim": entry.how_to_claim,
        },
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None
