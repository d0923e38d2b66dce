"""Import through the whole intake pipeline, on SQLite and PostgreSQL.

Target (issue 2): at least 2,000 posts per second, every post classified, given a
priority, routed, assigned, clocked (two SLA clocks) and written to its timeline,
with a passenger. The posts are the real airline tweets of
``../shared/data/airline_tweets_train.csv`` (11,587 rows), imported into a fresh
demo workspace as ``paxcare import-cases --format twitter-csv`` does.

Each run is a fresh process with a fresh database that runs the command itself
(``call_command``); the classifier is loaded before the clock starts (a one-off of
each process, printed apart). Beside the
pipeline's rate the bench measures the raw insert rate of the same rows (the
passengers and cases, no triage, routing, clocks or events) through the same
insert path, and prints how the pipeline's time splits between triage (the
classifier and the priority rules) and the rest.

    .venv/bin/python bench/bench_import.py [--runs 3] [--databases sqlite,postgresql]

PostgreSQL runs use the database ``paxcare_bench_import`` on PAXCARE_BENCH_PG
(default postgres://postgres@127.0.0.1:5432; loopback only), created and dropped
per run. Exits with 77 (skipped) when the tweets file is absent.
"""

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
TWEETS = ROOT.parent / "shared" / "data" / "airline_tweets_train.csv"
SKIPPED = 77
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "paxcare_bench_import"
TARGET_PER_SECOND = 2000


# --- One run, in its own process --------------------------------------------------


def run_once(path: Path) -> dict:
    """Migrate, seed, warm up, import ``path`` and insert its rows raw; report."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)

    from paxcare.cases.events import events_recorded
    from paxcare.intake import services as intake
    from paxcare.triage.services import active_classifier

    started = time.perf_counter()
    active_classifier()
    warm_up = time.perf_counter() - started

    spent = {"triage": 0.0}
    triage_texts = intake.triage_texts

    def timed_triage(*args, **kwargs):
        begin = time.perf_counter()
        try:
            return triage_texts(*args, **kwargs)
        finally:
            spent["triage"] += time.perf_counter() - begin

    intake.triage_texts = timed_triage
    # The raw rows go first, so the pipeline writes into tables that are no emptier.
    raw_seconds = _raw_insert(path)
    output = io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    # The command itself, as an operator runs it (it freezes the heap for the GC).
    call_command(
        "import_cases", str(path), format="twitter-csv", stdout=output, stderr=output
    )
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    rows = sum(1 for _ in csv.reader(path.open(encoding="utf-8"))) - 1
    check = _check_pipeline(rows)
    return {
        "rows": rows,
        "seconds": seconds,
        "rate": rows / seconds,
        "process_cpu_seconds": cpu,
        "triage_us_per_row": spent["triage"] / rows * 1e6,
        "rest_us_per_row": (seconds - spent["triage"]) / rows * 1e6,
        "raw_rate": rows / raw_seconds,
        "classifier_load_seconds": warm_up,
        "receivers": _receivers(events_recorded),
        "check": check,
    }


def _check_pipeline(count: int) -> dict:
    """Count what the pipeline wrote, so that a fast run is also a complete one."""
    from django.db.models import Count

    from paxcare.cases.models import Case, Event
    from paxcare.sla.models import Clock

    cases = Case.objects.filter(external_id__isnull=False).aggregate(
        cases=Count("pk"),
        routed=Count("pk", filter=~_q(department=None)),
        assigned=Count("pk", filter=~_q(assignee=None)),
    )
    events = dict(Event.objects.values_list("type").annotate(n=Count("pk")).order_by())
    clocks = Clock.objects.count()
    assert cases["cases"] == count and clocks == 2 * count, (cases, clocks)
    return {**cases, "clocks": clocks, "events": events}


def _q(**lookups):
    from django.db.models import Q

    return Q(**lookups)


def _raw_insert(path: Path) -> float:
    """Return the seconds to insert the same passengers and cases, nothing else.

    The rows carry the values the pipeline gives them (number, search document,
    one category and department) and go through the same insert path, in
    transactions of the importer's batch size.
    """
    from django.db import transaction
    from django.utils import timezone

    from paxcare.bulk import insert_rows
    from paxcare.cases.models import Case
    from paxcare.cases.numbers import new_case_number
    from paxcare.cases.search import search_document
    from paxcare.crm.models import Passenger
    from paxcare.intake.importers import BATCH_SIZE
    from paxcare.routing.models import Department
    from paxcare.triage.models import Category

    category = Category.objects.get(code="other")
    department = Department.objects.order_by("pk").first()
    now = timezone.now()
    with path.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    values = []
    for text in texts:
        number = new_case_number()
        values.append((number, text, search_document(number, text[:80], text)))

    started = time.perf_counter()
    for start in range(0, len(values), BATCH_SIZE):
        with transaction.atomic():
            batch = values[start : start + BATCH_SIZE]
            passengers = [Passenger(language="en") for _ in batch]
            insert_rows(passengers)
            insert_rows(
                [
                    Case(
                        number=number,
                        subject=text[:80],
                        description=text,
                        channel="social",
                        kind="complaint",
                        category=category,
                        department=department,
                        passenger=passenger,
                        search_document=document,
                        received_at=now,
                    )
                    for (number, text, document), passenger in zip(
                        batch, passengers, strict=True
                    )
                ]
            )
    return time.perf_counter() - started


def _receivers(signal) -> list[str]:
    names = []
    for receiver in signal._live_receivers(sender=None)[0]:
        names.append(f"{receiver.__module__}.{receiver.__qualname__}")
    return names


# --- The runs -------------------------------------------------------------------


def database_urls(wanted: list[str], scratch: Path) -> dict[str, str]:
    urls = {}
    if "sqlite" in wanted:
        urls["sqlite"] = f"sqlite:///{scratch / 'import.sqlite3'}"
    if "postgresql" in wanted:
        server = os.environ.get("PAXCARE_BENCH_PG", DEFAULT_SERVER).rstrip("/")
        if urlsplit(server).hostname not in LOOPBACK:
            raise SystemExit("PAXCARE_BENCH_PG must point at loopback")
        urls["postgresql"] = f"{server}/{PG_NAME}"
    return urls


def fresh_database(kind: str, url: str) -> bool:
    """Empty the run's database; False when PostgreSQL cannot be reached."""
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(urlsplit(url).path + suffix).unlink(missing_ok=True)
        return True
    import psycopg

    server, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"  postgresql skipped: {error}")
        return False
    return True


def drop_database(kind: str, url: str) -> None:
    if kind != "postgresql":
        return
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run_in_process(url: str, scratch: Path) -> dict:
    env = dict(
        os.environ,
        PAXCARE_DATABASE_URL=url,
        PAXCARE_VAR_DIR=str(scratch),
        PAXCARE_DEMO="1",
        PAXCARE_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="paxcare.settings",
    )
    env.pop("PAXCARE_TESTING", None)
    out = subprocess.run(
        [sys.executable, __file__, "--one", str(TWEETS)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarise(kind: str, runs: list[dict]) -> dict:
    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    rate, raw = median("rate"), median("raw_rate")
    return {
        "database": kind,
        "runs": len(runs),
        "rows": runs[0]["rows"],
        "rates": [round(run["rate"]) for run in runs],
        "median_rate": round(rate),
        "median_raw_rate": round(raw),
        "pipeline_to_raw": round(rate / raw, 3),
        "median_triage_us_per_row": round(median("triage_us_per_row")),
        "median_rest_us_per_row": round(median("rest_us_per_row")),
        # CPU of this process only: on PostgreSQL the server's work is not in it.
        "median_rows_per_cpu_second": round(
            statistics.median(run["rows"] / run["process_cpu_seconds"] for run in runs)
        ),
        "classifier_load_seconds": round(median("classifier_load_seconds"), 2),
        "target_met": rate >= TARGET_PER_SECOND,
        "receivers": runs[0]["receivers"],
        "written": runs[0]["check"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_once(args.one)))
        return
    if not TWEETS.is_file():
        print(f"SKIPPED: the tweets file is absent ({TWEETS.name} in ../shared/data)")
        raise SystemExit(SKIPPED)

    scratch = Path(tempfile.mkdtemp(prefix="paxcare-bench-import-"))
    summaries = []
    for kind, url in database_urls(args.databases.split(","), scratch).items():
        runs = []
        for number in range(1, args.runs + 1):
            if not fresh_database(kind, url):
                break
            try:
                run = run_in_process(url, scratch)
            finally:
                drop_database(kind, url)
            runs.append(run)
            print(
                f"  {kind} run {number}: {run['rate']:.0f} rows/s "
                f"(raw insert {run['raw_rate']:.0f} rows/s; triage "
                f"{run['triage_us_per_row']:.0f} us/row, rest "
                f"{run['rest_us_per_row']:.0f} us/row)"
            )
        if runs:
            summaries.append(summarise(kind, runs))
    print(json.dumps(summaries, indent=2))


if __name__ == "__main__":
    main()
