"""The summary lines of ``import-flights`` and ``import-manifest``, in the active
language: counts with their plural in English and their measure word in Chinese."""

import functools
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from paxcare.disruptions.importers import FlightImportReport
from paxcare.money import format_amount
from paxcare.remedies.names import entitlement_name, regime_name


def in_site_language(handle: Callable) -> Callable:
    """Run a command's ``handle`` in ``settings.LANGUAGE_CODE``, whatever is active.

    A command called from code (a task, a test) would otherwise speak the caller's
    language of the moment.
    """

    @functools.wraps(handle)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return handle(*args, **kwargs)

    return wrapper


def _listed(parts: list[str]) -> str:
    return pgettext("list separator", ", ").join(parts)


def _count(text: str, count: int) -> str:
    # ngettext stays at the call: makemessages finds only literal arguments. Some
    # counts read the same in the singular ("1 joined") and take plain gettext.
    return text % {"count": count}


def flights_read_line(report: FlightImportReport) -> str:
    """Return "read 6 flights: 1 cancellation, …; rejected 1; 0.4 s"."""
    counts = [
        _count(
            ngettext(
                "%(count)d cancellation",
                "%(count)d cancellations",
                report.cancellations,
            ),
            report.cancellations,
        ),
        _count(
            ngettext(
                "%(count)d arrival delay of 3 h or more",
                "%(count)d arrival delays of 3 h or more",
                report.long_delays,
            ),
            report.long_delays,
        ),
        _count(
            ngettext("%(count)d diversion", "%(count)d diversions", report.diversions),
            report.diversions,
        ),
        _count(
            ngettext(
                "%(count)d schedule change",
                "%(count)d schedule changes",
                report.schedule_changes,
            ),
            report.schedule_changes,
        ),
    ]
    return pgettext(
        "flight import summary",
        "%(read)s: %(counts)s; rejected %(rejected)d; %(seconds)s s",
    ) % {
        "read": _count(
            ngettext("read %(count)d flight", "read %(count)d flights", report.read),
            report.read,
        ),
        "counts": _listed(counts),
        "rejected": report.rejected,
        "seconds": f"{report.seconds:.1f}",
    }


def outcomes_line(outcomes: dict[str, int]) -> str:
    """Return "flights: created 3, recorded 2", or "" when there is none."""
    if not outcomes:
        return ""
    names = {
        "created": pgettext("flight import outcome", "created"),
        "recorded": pgettext("flight import outcome", "recorded"),
        "updated": pgettext("flight import outcome", "updated"),
        "unchanged": pgettext("flight import outcome", "unchanged"),
        "stale": pgettext("flight import outcome", "stale"),
    }
    parts = [f"{names.get(k, k)} {v}" for k, v in sorted(outcomes.items())]
    return pgettext("flight import summary", "flights: %(outcomes)s") % {
        "outcomes": _listed(parts)
    }


def manifests_line(passengers: int, flights: int, seconds: float) -> str:
    """Return "manifests: 120 passengers invented on 1 flight; 0.2 s"."""
    return pgettext(
        "flight import summary",
        "manifests: %(passengers)s on %(flights)s; %(seconds)s s",
    ) % {
        "passengers": _count(
            ngettext(
                "%(count)d passenger invented",
                "%(count)d passengers invented",
                passengers,
            ),
            passengers,
        ),
        "flights": _count(
            ngettext("%(count)d flight", "%(count)d flights", flights), flights
        ),
        "seconds": f"{seconds:.1f}",
    }


def care_line(
    total, seconds: float | None, rate: float = 0.0, updated: int | None = None
) -> str:
    """Return "care: 1 case opened, 0 joined, …"; timed unless ``seconds`` is None."""
    counts = _listed(
        [
            _count(
                ngettext(
                    "%(count)d case opened", "%(count)d cases opened", total.opened
                ),
                total.opened,
            ),
            _count(_("%(count)d joined"), total.linked),
            _count(
                _("%(count)d updated"),
                total.updated if updated is None else updated,
            ),
            _count(
                ngettext(
                    "%(count)d notification queued",
                    "%(count)d notifications queued",
                    total.notified,
                ),
                total.notified,
            ),
        ]
    )
    if seconds is None:
        return pgettext("flight import summary", "care: %(counts)s") % {
            "counts": counts
        }
    return pgettext(
        "flight import summary",
        "care: %(counts)s, %(rejected)d rejected; %(seconds)s s, %(rate)s passengers/s",
    ) % {
        "counts": counts,
        "rejected": total.rejected,
        "seconds": f"{seconds:.1f}",
        "rate": f"{rate:.0f}",
    }


def regimes_line(regimes: dict[str, int]) -> str:
    """Return "passengers with entitlements by regime: EU Regulation 261/2004 (3)"."""
    named = [f"{regime_name(k)} ({v})" for k, v in regimes.items()]
    return pgettext(
        "flight import summary", "passengers with entitlements by regime: %(regimes)s"
    ) % {"regimes": _listed(named) or "-"}


def owed_line(
    regime: str, kind: str, amount: Decimal, currency: str, count: int
) -> str:
    """Return "owed: 1,200.00 USD refund under … (2 passengers)"."""
    return pgettext(
        "flight import summary", "owed: %(money)s %(entitlement)s (%(passengers)s)"
    ) % {
        "money": f"{format_amount(amount, currency)} {currency}",
        "entitlement": entitlement_name(f"{regime}.{kind}"),
        "passengers": _count(
            ngettext("%(count)d passenger", "%(count)d passengers", count), count
        ),
    }


def manifest_read_line(report) -> str:
    """Return "read 3 rows on 1 flight: 1 added, …" for ``import-manifest``."""
    manifest = report.manifest
    counts = [
        _count(_("%(count)d added"), manifest.added),
        _count(_("%(count)d updated"), manifest.updated),
        _count(_("%(count)d unchanged"), manifest.unchanged),
        _count(_("%(count)d rejected"), len(manifest.rejected)),
        _count(
            _("%(count)d on unknown flights"),
            report.unknown_flight_rows,
        ),
    ]
    return pgettext(
        "manifest import summary", "read %(rows)s on %(flights)s: %(counts)s"
    ) % {
        "rows": _count(
            ngettext("%(count)d row", "%(count)d rows", report.rows), report.rows
        ),
        "flights": _count(
            ngettext("%(count)d flight", "%(count)d flights", report.flights),
            report.flights,
        ),
        "counts": _listed(counts),
    }
