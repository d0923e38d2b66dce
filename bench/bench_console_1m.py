"""Console pages at a million cases on PostgreSQL: queues, search and the KPI page.

Targets (issue 2): p95 under 100 ms for a queue page, 200 ms for a search and 500 ms
for the KPI page, with 1,000,000 cases. The bench creates the database
``paxcare_bench_1m`` (dropped at the end unless ``--keep``), migrates it, generates
the cases with ``console_data`` and COPY, then asks for each page through Django's
test client as a signed-in agent, a supervisor and an administrator. It prints p50
and p95 per page and ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest query of the
slowest page of each kind.

    .venv/bin/python bench/bench_console_1m.py [--cases 1000000] [--rounds 30]
        [--keep] [--reuse] [--database NAME] [--pages queue,search,kpi]

``--reuse`` measures an existing, already loaded database (kept by ``--keep``). The
load ends by building the KPI facts and counts the KPI page reads.
PAXCARE_BENCH_PG names the server (default postgres://postgres@127.0.0.1:5432);
loopback only. Exits with 77 (skipped) when the server cannot be reached.
"""

import argparse
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(Path(__file__).resolve().parent)]

SKIPPED = 77
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
NAME = "paxcare_bench_1m"
TARGETS_MS = {"queue": 100, "search": 200, "kpi": 500}


def server_url() -> str:
    url = os.environ.get("PAXCARE_BENCH_PG", DEFAULT_SERVER).rstrip("/")
    if urlsplit(url).hostname not in LOOPBACK:
        raise SystemExit("PAXCARE_BENCH_PG must point at loopback")
    return url


def admin_connection(server: str):
    import psycopg

    try:
        return psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"SKIPPED: PostgreSQL not reachable at {server}")
        raise SystemExit(SKIPPED) from error


def open_database(name: str, *, reuse: bool):
    """Return the server URL and an admin connection, with database ``name`` ready:
    kept as it is with ``reuse``, else dropped and created empty."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit("--database: lower-case letters, digits and _ only")
    server = server_url()
    admin = admin_connection(server)
    exists = admin.execute(
        "SELECT 1 FROM pg_database WHERE datname = %s", [name]
    ).fetchone()
    if reuse and not exists:
        raise SystemExit(f"--reuse: no database {name}; run once with --keep")
    if not reuse:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return server, admin


def prepare_environment(database_url: str) -> None:
    os.environ.update(
        PAXCARE_DATABASE_URL=database_url,
        PAXCARE_VAR_DIR=tempfile.mkdtemp(prefix="paxcare-bench-1m-"),
        PAXCARE_SECRET_KEY=secrets.token_urlsafe(40),
        PAXCARE_ALLOWED_HOSTS="testserver",
        PAXCARE_LOG_LEVEL="WARNING",
        # Test mode for plain static names (no collectstatic manifest needed); it
        # changes nothing the measured pages do in the database.
        PAXCARE_TESTING="1",
        DJANGO_SETTINGS_MODULE="paxcare.settings",
    )
    import django

    django.setup()


def build(count: int) -> None:
    """Migrate the empty database and load ``count`` generated cases."""
    from django.core.management import call_command
    from django.db import connection

    import console_data

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    workspace = console_data.make_people()
    # A bulk load builds the search index once at the end, not row by row.
    search_index = import_module(
        "paxcare.cases.migrations.0007_search_index_with_travel_references"
    )
    with connection.schema_editor() as editor:
        search_index.drop_search_index(None, editor)
    console_data.load(workspace, count, progress=print)
    with connection.schema_editor() as editor:
        search_index.create_search_index(None, editor)
    from paxcare.insights.rollups import rebuild

    rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"loaded {count:,} cases in {time.perf_counter() - started:.0f} s")


def people():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return {
        "agent": users.get(username="baggage-0"),
        "supervisor": users.get(username="baggage-lead"),
        "admin": users.get(username="bench-admin"),
    }


def sample_terms() -> dict[str, str]:
    """Pick search terms: words of the texts, and a flight, an e-mail and a case
    number of the baggage department, which the agent and the supervisor see."""
    from paxcare.cases.models import Case

    theirs = Case.objects.filter(department__code="baggage").order_by("-pk")
    case = theirs.filter(passenger__email__gt="")[1000]
    flight = theirs.exclude(flight_number="")[2000].flight_number
    return {
        "common word": "flight",
        "two words": "lost luggage",
        "rare word": "camera",
        "chinese word": "行李",
        "chinese phrase": "行李箱",
        "flight number": flight,
        "e-mail": case.passenger.email,
        "case number": case.number.replace("-", "").lower(),
        "no match": "zyxwvut",
    }


def pages() -> list[tuple[str, str, str, dict]]:
    """Return (kind, who, path, query) for every page measured."""
    terms = sample_terms()
    listed = [
        ("/console/", {}),
        ("/console/department/", {}),
        ("/console/triage/", {}),
        ("/console/all/", {}),
        ("/console/all/", {"status": "pending"}),
        ("/console/department/", {"category": "baggage.delayed"}),
        ("/console/department/", {"risk": "breached"}),
        ("/console/department/", {"risk": "warning"}),
        ("/console/all/", {"channel": "phone"}),
    ]
    result = []
    for who in ("agent", "supervisor"):
        result += [("queue", who, path, query) for path, query in listed]
        result += [
            ("search", who, "/console/all/", {"q": term}) for term in terms.values()
        ]
        result.append(("search", who, "/console/", {"q": terms["common word"]}))
    for who in ("agent", "supervisor", "admin"):
        result.append(("kpi", who, "/console/dashboard/", {}))
        result.append(("kpi", who, "/console/dashboard/", last_month()))
    return result


def last_month() -> dict:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    return {"start": str(today - timedelta(days=30)), "end": str(today)}


class DatabaseTime:
    """Sum the time spent in the database (a query's round trip) while active."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def measure(rounds: int, kinds: set[str]) -> list[dict]:
    from django.db import connection
    from django.test import Client

    clients = {}
    for who, user in people().items():
        clients[who] = Client()
        clients[who].force_login(user)
    results = []
    for kind, who, path, query in pages():
        if kind not in kinds:
            continue
        client = clients[who]
        url = f"{path}?{urlencode(query)}" if query else path
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        timings, in_database = [], []
        for _ in range(rounds):
            database = DatabaseTime()
            started = time.perf_counter()
            with connection.execute_wrapper(database):
                response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            in_database.append(database.seconds * 1000)
        results.append(
            {
                "kind": kind,
                "who": who,
                "url": url,
                "rows": len(re.findall(r'<tr class="priority-', response.text)),
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 95), 1),
                "db_p50_ms": round(statistics.median(in_database), 1),
                "queries": database.queries,
            }
        )
        result = results[-1]
        print(
            f"  {kind:6s} {who:10s} p50 {result['p50_ms']:7.1f}  "
            f"p95 {result['p95_ms']:7.1f}  db p50 {result['db_p50_ms']:7.1f} ms  "
            f"{result['queries']:2d} queries  rows {result['rows']:3d}  {url}"
        )
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def explain_slowest(results: list[dict]) -> None:
    """Print the plan of the slowest query of the slowest page of each kind."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    users = people()
    for kind in {r["kind"] for r in results}:
        of_kind = [r for r in results if r["kind"] == kind]
        worst = max(of_kind, key=lambda r: r["p95_ms"])
        client = Client()
        client.force_login(users[worst["who"]])
        with CaptureQueriesContext(connection) as captured:
            client.get(worst["url"])
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        print(f"\nEXPLAIN, slowest {kind} page ({worst['who']}, {worst['url']}):")
        print(f"  query took {float(slowest['time']) * 1000:.1f} ms")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            for (line,) in cursor.fetchall():
                print("  " + line)


def summarise(results: list[dict]) -> dict:
    summary = {}
    for kind, target in TARGETS_MS.items():
        rows = [r for r in results if r["kind"] == kind]
        if not rows:
            continue
        worst = max(r["p95_ms"] for r in rows)
        summary[kind] = {
            "pages": len(rows),
            "median_p95_ms": round(statistics.median(r["p95_ms"] for r in rows), 1),
            "worst_p95_ms": worst,
            "target_p95_ms": target,
            "met": worst < target,
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="measure a kept one")
    parser.add_argument("--database", default=NAME, help=f"database (default {NAME})")
    parser.add_argument(
        "--pages", default=",".join(TARGETS_MS), help="queue,search,kpi or a part"
    )
    args = parser.parse_args()
    name = args.database
    server, admin = open_database(name, reuse=args.reuse)
    prepare_environment(f"{server}/{name}")
    try:
        if not args.reuse:
            build(args.cases)
        results = measure(args.rounds, set(args.pages.split(",")))
        explain_slowest(results)
        summary = summarise(results)
        print(json.dumps({"summary": summary, "pages": results}, indent=2))
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
