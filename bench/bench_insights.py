"""Insights at a million cases on PostgreSQL: the dashboard, the KPI API, the insight
pages, and the monthly report.

Targets (issue 6): dashboard and KPI API under 500 ms p95 with 1,000,000 cases; a
monthly report (figures, HTML and PDF) in under 60 s. The bench creates the
database ``paxcare_bench_insights`` (dropped at the end unless ``--keep``),
migrates it, loads the cases, passengers and SLA clocks of ``console_data`` (a year
of a large carrier) with COPY, adds what insights keeps per case (``CaseTiming``)
and a survey for a quarter of the resolved cases (two in five of them answered),
then asks for each page through Django's test client and times the report.

    .venv/bin/python bench/bench_insights.py [--cases 1000000] [--rounds 20]
        [--keep] [--reuse] [--database NAME] [--load-only] [--compare]

``--reuse`` measures a database kept by ``--keep`` (migrated first, so that new
indexes are there); ``--load-only`` loads and keeps it; ``--compare`` times
``kpis_for`` (the KPI facts and counts, built by the load as ``paxcare
rebuild-kpi-rollups`` does) against ``compute_kpis``, and the breakdowns and trends
from the facts against those from the cases, and checks that each pair is the same.
``--only TEXT`` measures the pages whose URL contains TEXT. Each page is asked for
as the baggage agent, the baggage supervisor and an administrator, for the last 30
days and for all time; a row gives p50 / p95 of the wall time, and the p50 of the
time in the database and of this process's CPU time (the request's Python).
PAXCARE_BENCH_PG names the server (default postgres://postgres@127.0.0.1:5432);
loopback only. Exits with 77 (skipped) when the server cannot be reached.
"""

import argparse
import json
import statistics
import sys
import time
from datetime import timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

sys.path[:0] = [
    str(Path(__file__).resolve().parent.parent / "src"),
    str(Path(__file__).resolve().parent),
]

from bench_console_1m import (  # noqa: E402
    DatabaseTime,
    open_database,
    percentile,
    prepare_environment,
)

NAME = "paxcare_bench_insights"
PAGE_TARGET_MS = 500
REPORT_TARGET_S = 60

TIMING_SQL = """
INSERT INTO insights_casetiming (
    case_id, first_response_business_minutes, waiting_seconds, waiting_since,
    resolution_seconds, resolved_at, first_resolved_at, resolved_on_first_contact,
    first_response_met_at, resolution_met_at
)
SELECT id,
    CASE WHEN first_response_at IS NOT NULL
         THEN (EXTRACT(EPOCH FROM first_response_at - received_at) / 160)::int END,
    CASE WHEN id % 7 = 0 THEN 3600 * (id % 48) ELSE 0 END,
    CASE WHEN status = 'pending' THEN updated_at END,
    CASE WHEN resolved_at IS NOT NULL
         THEN GREATEST(0, EXTRACT(EPOCH FROM resolved_at - received_at)::int
                          - CASE WHEN id % 7 = 0 THEN 3600 * (id % 48) ELSE 0 END) END,
    resolved_at,
    resolved_at,
    CASE WHEN resolved_at IS NOT NULL THEN (id % 10 < 6 AND reopened_count = 0) END,
    (SELECT stopped_at FROM sla_clock k WHERE k.case_id = c.id
        AND k.kind = 'first_response' AND k.state = 'met'),
    (SELECT stopped_at FROM sla_clock k WHERE k.case_id = c.id
        AND k.kind = 'resolution' AND k.state = 'met')
FROM cases_case c
WHERE first_response_at IS NOT NULL OR resolved_at IS NOT NULL
"""

SURVEY_SQL = """
INSERT INTO surveys_survey (
    case_id, nonce, source, language, created_at, expires_at, invited_at,
    reminded_at, answered_at, rating, recommend, reason_id, comment
)
SELECT c.id, md5(c.id::text), 'invitation', c.language, c.resolved_at,
    c.resolved_at + interval '30 days', c.resolved_at, NULL,
    CASE WHEN c.id % 10 < 4 THEN c.resolved_at + interval '1 day' END,
    CASE WHEN c.id % 10 < 4 THEN (ARRAY[5,5,5,4,4,4,3,2,1,5])[1 + c.id % 10] END,
    CASE WHEN c.id % 10 < 4 THEN (c.id / 10) % 11 END,
    NULL, ''
FROM cases_case c
WHERE c.resolved_at IS NOT NULL AND c.id % 4 = 0 AND c.duplicate_of_id IS NULL
"""


def build(count: int) -> None:
    """Migrate, load ``count`` cases with console_data, add timing and surveys."""
    from django.core.management import call_command
    from django.db import connection

    import console_data

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    workspace = console_data.make_people()
    console_data.load(workspace, count, progress=print)
    with connection.cursor() as cursor:
        cursor.execute(TIMING_SQL)
        print(f"  {cursor.rowcount:,} case timings")
        cursor.execute(SURVEY_SQL)
        print(f"  {cursor.rowcount:,} surveys")
    rebuild_rollups()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"loaded {count:,} cases in {time.perf_counter() - started:.0f} s")


def migrate() -> None:
    """Bring a kept database to the current migrations (new indexes included), and
    rebuild the KPI facts and counts when a migration left them to be rebuilt."""
    from django.core.management import call_command

    from paxcare.insights.rollups import is_ready

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrated in {time.perf_counter() - started:.0f} s")
    if not is_ready():
        rebuild_rollups()


def rebuild_rollups() -> None:
    """Build the KPI facts and counts, as ``paxcare rebuild-kpi-rollups`` does."""
    from paxcare.insights.rollups import rebuild

    started = time.perf_counter()
    cases = rebuild()
    seconds = time.perf_counter() - started
    print(f"  KPI facts and counts of {cases:,} cases in {seconds:.0f} s")


def clients() -> dict:
    """Signed-in console and API clients for an agent, a supervisor and an admin."""
    from django.test import Client

    from bench_console_1m import people
    from paxcare.accounts.models import ApiToken

    result = {}
    for who, user in people().items():
        console = Client()
        console.force_login(user)
        _token, secret = ApiToken.issue(user, name="bench")
        result[who] = (console, Client(HTTP_AUTHORIZATION=f"Bearer {secret}"))
    return result


def periods() -> dict[str, dict]:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    now = timezone.now()
    return {
        "all time": {},
        "last 30 days": {"start": str(today - timedelta(days=29)), "end": str(today)},
        "api 30 days": {
            "start": (now - timedelta(days=30)).isoformat(),
            "end": now.isoformat(),
        },
    }


def pages() -> list[tuple[str, str, dict]]:
    """Every page and endpoint, for the last 30 days and for all time (the insight
    pages without dates show the last 30 days; an end alone means all time)."""
    p = periods()
    month, api_month = p["last 30 days"], p["api 30 days"]
    up_to_today = {"end": month["end"]}
    return [
        ("console", "/console/dashboard/", p["all time"]),
        ("console", "/console/dashboard/", month),
        ("console", "/console/insights/", {}),
        ("console", "/console/insights/", up_to_today),
        ("console", "/console/insights/breakdown/", {"by": "airport"}),
        ("console", "/console/insights/breakdown/", {"by": "airport", **up_to_today}),
        ("api", "/api/v1/kpis", p["all time"]),
        ("api", "/api/v1/kpis", api_month),
        ("api", "/api/v1/insights/breakdown", {"by": "department", **api_month}),
        ("api", "/api/v1/insights/breakdown", {"by": "airport", **api_month}),
        ("api", "/api/v1/insights/breakdown", {"by": "department"}),
        ("api", "/api/v1/insights/breakdown", {"by": "airport"}),
        ("api", "/api/v1/insights/trends", api_month),
        ("api", "/api/v1/insights/trends", {}),
    ]


def measure(rounds: int, only: str | None = None) -> list[dict]:
    from django.db import connection

    results = []
    for who, (console, api) in clients().items():
        for kind, path, query in pages():
            client = console if kind == "console" else api
            url = f"{path}?{urlencode(query)}" if query else path
            if only and only not in url:
                continue
            for _ in range(2):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            timings, cpu, in_database = [], [], []
            for _ in range(rounds):
                database = DatabaseTime()
                started, started_cpu = time.perf_counter(), time.process_time()
                with connection.execute_wrapper(database):
                    client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                in_database.append(database.seconds * 1000)
            row = {
                "who": who,
                "url": url,
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 95), 1),
                "db_p50_ms": round(statistics.median(in_database), 1),
                "cpu_p50_ms": round(statistics.median(cpu), 1),
                "queries": database.queries,
            }
            results.append(row)
            print(
                f"  {who:10s} p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f}  "
                f"db {row['db_p50_ms']:7.1f}  cpu {row['cpu_p50_ms']:6.1f} ms  "
                f"{row['queries']:2d} q  {url}",
                flush=True,
            )
    return results


def compare_paths(rounds: int) -> list[dict]:
    """Time ``kpis_for`` (facts and counts) against ``compute_kpis`` (the cases
    table) for each user and period, and check that they give the same report."""
    from django.utils import timezone

    from bench_console_1m import people
    from paxcare.cases.services import cases_visible_to
    from paxcare.insights.kpis import compute_kpis, parse_period_bound
    from paxcare.insights.scoped_kpis import kpis_for

    now = timezone.now()
    today = timezone.localdate()
    spans = {
        "all time": (None, None),
        "last 30 days": (parse_period_bound(str(today - timedelta(days=29))), None),
    }
    results = []
    for who, user in people().items():
        for label, (start, end) in spans.items():
            fast = kpis_for(user, start, end, now=now)
            slow = compute_kpis(cases_visible_to(user), start, end, now=now)
            wall, cpu = [], []
            for _ in range(rounds):
                started, started_cpu = time.perf_counter(), time.process_time()
                kpis_for(user, start, end, now=now)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            started = time.perf_counter()
            compute_kpis(cases_visible_to(user), start, end, now=now)
            direct_ms = (time.perf_counter() - started) * 1000
            row = {
                "who": who,
                "period": label,
                "same": fast == slow,
                "received": fast["received"],
                "p50_ms": round(statistics.median(wall), 1),
                "p95_ms": round(percentile(wall, 95), 1),
                "cpu_p50_ms": round(statistics.median(cpu), 1),
                "direct_ms": round(direct_ms, 1),
            }
            results.append(row)
            print(
                f"  {who:10s} {label:12s} same={row['same']} "
                f"p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f}  "
                f"cpu {row['cpu_p50_ms']:6.1f} ms; compute_kpis {direct_ms:7.1f} ms",
                flush=True,
            )
    return results + compare_breakdowns_and_trends()


def compare_breakdowns_and_trends() -> list[dict]:
    """Check that every breakdown and trend from the facts is the one from the
    cases, for each user, the last 30 days and all time; time both once."""
    from django.utils import timezone

    from bench_console_1m import people
    from paxcare.cases.services import cases_visible_to
    from paxcare.insights.breakdowns import DIMENSIONS, breakdown_for, compute_breakdown
    from paxcare.insights.trends import compute_trends, trends_for

    now = timezone.now()
    spans = {"all time": None, "last 30 days": now - timedelta(days=30)}
    results = []
    for who, user in people().items():
        cases = cases_visible_to(user)
        for label, start in spans.items():
            checks = {
                f"breakdown by {by}": (
                    partial(breakdown_for, user, by, start, now, now),
                    partial(compute_breakdown, cases, by, start, now, now),
                )
                for by in DIMENSIONS
            }
            interval = "day" if start else "month"
            checks[f"trends by {interval}"] = (
                partial(trends_for, user, start, now, now, interval),
                partial(compute_trends, cases, start, now, now, interval),
            )
            for name, (fast, slow) in checks.items():
                started = time.perf_counter()
                from_facts = fast()
                fast_ms = (time.perf_counter() - started) * 1000
                started = time.perf_counter()
                from_cases = slow()
                slow_ms = (time.perf_counter() - started) * 1000
                row = {
                    "who": who,
                    "period": label,
                    "figures": name,
                    "same": from_facts == from_cases,
                    "groups": len(from_facts),
                    "facts_ms": round(fast_ms, 1),
                    "cases_ms": round(slow_ms, 1),
                }
                results.append(row)
                print(
                    f"  {who:10s} {label:12s} {name:22s} same={row['same']} "
                    f"facts {fast_ms:7.1f} ms; cases {slow_ms:7.1f} ms",
                    flush=True,
                )
    return results


def time_report() -> dict:
    """Build the last complete month's report and render it as HTML and PDF, twice."""
    from paxcare.insights.pdf import render_pdf
    from paxcare.insights.reports import build_report, last_complete, render_html

    period = last_complete("month")
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        report = build_report(period)
        render_html(report, "zh-hans")
        pdf = render_pdf(report, "zh-hans")
        seconds.append(time.perf_counter() - started)
    print(
        f"  monthly report {period.label}: {report['kpis']['received']:,} cases, "
        f"{min(seconds):.1f} s / {max(seconds):.1f} s, PDF {len(pdf):,} bytes"
    )
    return {
        "month": period.label,
        "cases_in_month": report["kpis"]["received"],
        "seconds": [round(s, 2) for s in seconds],
        "target_s": REPORT_TARGET_S,
        "met": max(seconds) < REPORT_TARGET_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="measure a kept one")
    parser.add_argument("--database", default=NAME, help=f"database (default {NAME})")
    parser.add_argument(
        "--load-only", action="store_true", help="load and keep, measure nothing"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="only compare the figures from the facts with those from the cases",
    )
    parser.add_argument("--only", help="measure the pages whose URL contains this")
    args = parser.parse_args()
    name = args.database
    server, admin = open_database(name, reuse=args.reuse)
    # The settings docs/performance.md recommends for insights on SSD storage: index
    # lookups priced as what they cost there, and no JIT compilation, which costs
    # a few hundred milliseconds per aggregate and saves less on month-sized sets.
    admin.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')
    admin.execute(f'ALTER DATABASE "{name}" SET jit = off')
    prepare_environment(f"{server}/{name}")
    try:
        if args.reuse:
            migrate()
        else:
            build(args.cases)
        if args.load_only:
            args.keep = True
            return
        if args.compare:
            print(json.dumps(compare_paths(args.rounds), indent=2))
            return
        pages_measured = measure(args.rounds, args.only)
        report = time_report()
        worst = max(row["p95_ms"] for row in pages_measured)
        summary = {
            "pages": len(pages_measured),
            "worst_p95_ms": worst,
            "target_p95_ms": PAGE_TARGET_MS,
            "met": worst < PAGE_TARGET_MS,
            "report": report,
        }
        print(json.dumps({"summary": summary, "pages": pages_measured}, indent=2))
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
