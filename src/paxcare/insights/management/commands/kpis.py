"""``paxcare kpis``: the KPIs of docs/kpis.md over every case, for a period."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from paxcare.insights.kpis import parse_period_bound, rate_percent
from paxcare.insights.scoped_kpis import all_kpis


class Command(BaseCommand):
    help = (
        "Print the KPIs for [start, end). A date means its midnight in local time, "
        "so --end 2015-03-01 takes in all of February."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument("--start", help="ISO date or date-time (inclusive).")
        parser.add_argument("--end", help="ISO date or date-time (exclusive).")

    def handle(self, *args, **options) -> None:
        start = self._bound(options, "start")
        end = self._bound(options, "end")
        if start and end and start >= end:
            raise CommandError("--end must come after --start.")
        kpis = all_kpis(start, end)
        if options["json"]:
            self.stdout.write(json.dumps(kpis, cls=DjangoJSONEncoder, indent=2))
            return
        self._print_text(kpis)

    def _bound(self, options, name: str):
        if not options[name]:
            return None
        try:
            return parse_period_bound(options[name])
        except ValueError as error:
            raise CommandError(f"--{name}: {error}") from error

    def _print_text(self, kpis: dict) -> None:
        first, resolution = kpis["first_response"], kpis["resolution"]
        lines = [
            f"received              {kpis['received']}",
            f"first response <=24 h {_percent(first['rate'])} "
            f"({first['within_24h']} of {first['eligible']})",
            f"median first response {_minutes(first['median_minutes'])}",
            f"resolved              {resolution['resolved']}",
            f"median resolution     {_minutes(resolution['median_minutes'])}",
            f"handling rate         {_percent(kpis['handling_rate'])}",
            f"backlog               {kpis['backlog']['active']} "
            + " ".join(f"{k}={v}" for k, v in kpis["backlog"]["age"].items()),
            f"SLA breaches          {kpis['sla_breaches']['total']}",
            "by category:",
        ]
        lines += [f"  {code:<28} {n}" for code, n in kpis["by_category"].items()]
        for line in lines:
            self.stdout.write(line)


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate_percent(rate)}%"


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} min"
