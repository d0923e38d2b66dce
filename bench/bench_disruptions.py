"""A hub meltdown: 1,000 cancelled flights of 150 passengers each, on PostgreSQL and
SQLite. Measures what proactive care costs per passenger and how close it comes to
what the database can take.

    .venv/bin/python bench/bench_disruptions.py [--flights 1000] [--passengers 150]
        [--databases postgres,sqlite] [--batch-size N] [--workers N] [--phases]
        [--profile PREFIX]

For each database a fresh workspace is migrated in a child process (PostgreSQL:
the database named in PAXCARE_BENCH_DATABASE_URL, dropped and created again;
SQLite: a file in a temporary folder), then, each step timed:

1. ``events``: the cancellations recorded through ``record_flight_events``;
2. ``manifests``: invented passengers (``ManifestGenerator``, seed 7) loaded flight
   by flight through ``load_manifest``;
3. ``care``: ``care_for_disruptions`` over every flight: a case per passenger
   through intake's pipeline, entitlements from the remedies engine, the link
   rows, timeline events and the queued notifications (queued only: no task
   consumer runs). This is the figure the target is about (150,000 passengers in
   30 s, 5,000 a second);
4. ``raw insert``: the rows of the tables that step 3 wrote to (every table whose
   row count grew), copied once more into empty tables of the same columns and
   indexes (no foreign keys, no triggers). PostgreSQL: ``COPY … FROM STDIN``
   streamed from a file; SQLite: ``executemany`` in one transaction. The ratio
   care / raw says how far the pipeline is from what the database itself can do.

Peak RSS is the child's ``ru_maxrss`` after step 3 (or that of its largest
worker process, if larger), before the raw copy, so it is the pipeline's own peak
per process. Beside wall time, each step reports CPU time: the child's
own (user + system) and, on PostgreSQL, that of its server backend (read from
``/proc``), because on a shared machine the wall clock mostly measures the other
jobs; passengers per CPU second is the figure to compare across runs. ``--phases``
adds where step 3's time goes, by timing the main calls of each app: wall time,
the bench process's CPU and the server backend's CPU (a diagnostic: the wrappers
cost a little time, and the server's CPU is counted in clock ticks of 10 ms),
with the time from each batch's assignment to its commit, while the department
stays locked (what a second worker routed there waits for);
``--profile PREFIX`` writes cProfile statistics (CPU time) of step 3 to
``PREFIX-<database>.prof``.

``--workers N`` (default 2) runs step 3 through ``disruptions.workers
.care_in_processes``: N forked processes on disjoint flights on PostgreSQL (one on
SQLite, whose writers take turns anyway). Their CPU and that of their server
backends is counted too; ``--phases`` and ``--profile`` see only the bench process,
so they go with ``--workers 1``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/paxcare_bench_disruptions"
SEED = 7
DOMESTIC = (
    "ATL", "DFW", "DEN", "LAX", "SFO", "SEA", "MIA", "BOS", "PHX", "LAS", "MSP",
    "DTW", "IAH", "CLT", "SLC", "SAN", "PDX", "AUS", "MSY", "EWR", "LGA", "DCA",
    "PHL", "BNA", "RDU", "MCO", "TPA", "STL", "CLE", "PIT",
)  # fmt: skip
# One flight in ten leaves the hub abroad, so that every regime has work.
INTERNATIONAL = (("LH", "FRA"), ("BA", "LHR"), ("AC", "YYZ"), ("CA", "PEK"),
                 ("AF", "CDG"))  # fmt: skip


# --- Parent: one child per database, then the table --------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flights", type=int, default=1000)
    parser.add_argument("--passengers", type=int, default=150)
    parser.add_argument("--databases", default="postgres,sqlite")
    parser.add_argument(
        "--batch-size", type=int, help="passengers per batch (default: proactive's)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="care processes on PostgreSQL"
    )
    parser.add_argument("--phases", action="store_true")
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="write cProfile stats of step 3 per database",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    args.load_at_start = os.getloadavg()[0]
    results = []
    for database in args.databases.split(","):
        results.append(run_child(database.strip(), args))
    report(results, args)


def run_child(database: str, args) -> dict:
    var = tempfile.mkdtemp(prefix="paxcare-bench-disruptions-")
    env = dict(
        os.environ,
        PAXCARE_VAR_DIR=var,
        PAXCARE_SECRET_KEY=secrets.token_urlsafe(40),
        PAXCARE_LOG_LEVEL="WARNING",
        PAXCARE_TASKS_IMMEDIATE="0",
        PAXCARE_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_SETTINGS_MODULE="paxcare.settings",
    )
    env.pop("PAXCARE_TESTING", None)
    if database == "postgres":
        url = os.environ.get("PAXCARE_BENCH_DATABASE_URL", DEFAULT_URL)
        recreate_database(url)
        env["PAXCARE_DATABASE_URL"] = url
    else:
        env["PAXCARE_DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
    command = [
        sys.executable,
        __file__,
        "--child",
        database,
        "--flights",
        str(args.flights),
        "--passengers",
        str(args.passengers),
        "--workers",
        str(args.workers),
    ]
    if args.phases:
        command.append("--phases")
    if args.batch_size:
        command += ["--batch-size", str(args.batch_size)]
    if args.profile:
        command += ["--profile", f"{os.path.abspath(args.profile)}-{database}.prof"]
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, cwd=ROOT
        )
    finally:
        shutil.rmtree(var, ignore_errors=True)
    sys.stderr.write(done.stderr)
    done.check_returncode()
    return json.loads(done.stdout.strip().splitlines()[-1])


def recreate_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = f"{base}/postgres"
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-qc", sql], check=True)


def report(results: list[dict], args) -> None:
    print(
        f"hub meltdown: {args.flights} cancelled flights x {args.passengers} "
        f"passengers, load average at the end {os.getloadavg()[0]:.1f}"
        f" (at the start {args.load_at_start:.1f})"
    )
    header = (
        f"{'database':<10} {'events s':>8} {'manifests s':>11} {'care s':>8} "
        f"{'pax/s':>7} {'care cpu s':>10} {'pax/cpu s':>9} {'rows':>9} "
        f"{'raw s':>7} {'raw rows/s':>10} {'raw cpu s':>9} {'ratio':>6} "
        f"{'cpu ratio':>9} {'peak MB':>8}"
    )
    print(header)
    for r in results:
        print(
            f"{r['database']:<10} {r['events_s']:>8.1f} {r['manifests_s']:>11.1f} "
            f"{r['care_s']:>8.1f} {r['passengers_per_s']:>7.0f} "
            f"{r['care_cpu_s']:>10.1f} {r['passengers_per_cpu_s']:>9.0f} "
            f"{r['rows']:>9} {r['raw_s']:>7.1f} {r['raw_rows_per_s']:>10.0f} "
            f"{r['raw_cpu_s']:>9.1f} {r['care_s'] / r['raw_s']:>6.1f} "
            f"{r['care_cpu_s'] / r['raw_cpu_s']:>9.1f} {r['peak_rss_mb']:>8.0f}"
        )
    print(
        "cpu: the bench process plus, on PostgreSQL, its server backend; ratio: "
        "care time / raw insert time of the same rows"
    )
    for r in results:
        print(
            f"{r['database']}: {r['workers']} worker(s); care cpu "
            f"{r['care_client_cpu_s']:.1f} s in the bench process(es), "
            f"{r['care_server_cpu_s']:.1f} s in the server backend(s); "
            f"{r['rows'] / r['passengers']:.2f} rows per passenger; "
            f"{1e6 * r['care_cpu_s'] / r['passengers']:.0f} us of CPU per passenger"
        )
        counts = ", ".join(f"{k} {v}" for k, v in r["row_counts"].items())
        print(f"{r['database']}: {counts}")
        phases = dict(r.get("phases") or ())
        if phases:
            print("  wall s, then per passenger: wall, bench cpu, server cpu (us)")
        for name, seconds in r.get("phases") or ():
            if name.endswith(")"):
                continue
            per = [
                1e6 * value / r["passengers"]
                for value in (
                    seconds,
                    phases[name + " (cpu)"],
                    phases[name + " (server)"],
                )
            ]
            print(f"  {seconds:8.2f} {per[0]:7.0f} {per[1]:6.0f} {per[2]:6.0f}  {name}")


# --- Child: one database -------------------------------------------------------------


def child(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    phases = install_phase_timers() if args.phases else None
    warm_up()
    result = {"database": args.child, "passengers": args.flights * args.passengers}
    ids, result["events_s"] = timed(record_events, args.flights)
    _none, result["manifests_s"] = timed(load_manifests, ids, args.passengers)
    if phases is not None:
        phases.clear()
    before = table_counts()
    profiler = None
    if args.profile:
        import cProfile

        # CPU time, not wall time: on a shared machine the wall clock mostly
        # measures the other jobs.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    cpu = cpu_seconds()
    care, result["care_s"] = timed(run_care, ids, args.batch_size, args.workers)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    result["care_client_cpu_s"], result["care_server_cpu_s"] = cpu_since(cpu)
    result["workers"] = care.workers
    if care.worker_cpu:
        # The bench closed its connection before forking: its backend's CPU from
        # the start until then is nil, and a new backend answered cpu_since.
        result["care_server_cpu_s"] = 0.0
    for client, server in care.worker_cpu:
        result["care_client_cpu_s"] += client
        result["care_server_cpu_s"] += server
    result["care_cpu_s"] = result["care_client_cpu_s"] + result["care_server_cpu_s"]
    # The larger of the bench process and its largest worker: each worker is a
    # fork of the bench, sharing its pages until it writes them.
    result["peak_rss_mb"] = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )
    result["passengers_per_s"] = care.opened / result["care_s"]
    result["passengers_per_cpu_s"] = care.opened / result["care_cpu_s"]
    result["cases_opened"] = care.opened
    result["notifications"] = care.notified
    after = table_counts()
    written = {
        t: n - before.get(t, 0) for t, n in after.items() if n > before.get(t, 0)
    }
    result["row_counts"] = written
    result["rows"] = sum(written.values())
    cpu = cpu_seconds()
    result["raw_s"], result["raw_rows"] = raw_insert_seconds(args.child, list(written))
    result["raw_cpu_s"] = sum(cpu_since(cpu))
    result["raw_rows_per_s"] = result["raw_rows"] / result["raw_s"]
    if phases is not None:
        result["phases"] = sorted(phases.items(), key=lambda item: -item[1])
    print(json.dumps(result))


def timed(function, *args):
    started = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - started


def cpu_seconds() -> tuple[float, float]:
    """Return the CPU time of this process and that of its database server backend."""
    from django.db import connection

    usage = resource.getrusage(resource.RUSAGE_SELF)
    server = 0.0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        # utime and stime are fields 14 and 15 of stat(5), in clock ticks.
        server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return usage.ru_utime + usage.ru_stime, server


def cpu_since(start: tuple[float, float]) -> tuple[float, float]:
    client, server = cpu_seconds()
    return client - start[0], server - start[1]


def warm_up() -> None:
    """Pay the one-time costs (classifier, airports, URL table, holiday tables,
    agents) first, before the care's worker processes are forked."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from paxcare.intake.drafts import iata_airports
    from paxcare.routing.models import Agent, Department
    from paxcare.sla.calendar import country_days
    from paxcare.triage.services import active_classifier

    active_classifier()
    # Imports the holidays package (0.1 s of CPU), which the first SLA clock needs.
    country_days("CN", 2026)
    iata_airports()
    reverse("disruptions:public_list")
    department = Department.objects.get(code="disruption-care")
    for number in range(12):
        user = get_user_model().objects.create_user(f"care-{number}")
        Agent.objects.create(user=user).departments.add(department)


def flight_events(count: int):
    """Yield the meltdown's cancellations: departures from Chicago O'Hare."""
    from datetime import datetime, timedelta, timezone

    from paxcare.disruptions.flight_events import read_flight_event

    chicago = timezone(timedelta(hours=-6))
    first = datetime(2026, 1, 12, 6, 0, tzinfo=chicago)
    for n in range(count):
        if n % 10 == 9:
            carrier, destination = INTERNATIONAL[n // 10 % len(INTERNATIONAL)]
            hours = 9
        else:
            carrier, destination = ("UA", "AA")[n % 2], DOMESTIC[n % len(DOMESTIC)]
            hours = 3
        departure = first + timedelta(minutes=n)
        yield read_flight_event(
            {
                "carrier": carrier,
                "flight_number": f"{carrier}{1000 + n}",
                "origin": "ORD",
                "destination": destination,
                "scheduled_departure": departure,
                "scheduled_arrival": departure + timedelta(hours=hours),
                "type": "cancellation",
                "delay_code": "76",
            }
        )


def record_events(count: int) -> list[int]:
    from paxcare.disruptions.ingest import record_flight_events

    ids, batch = [], []
    for event in flight_events(count):
        batch.append(event)
        if len(batch) == 500:
            ids += [r.disruption.pk for r in record_flight_events(batch)]
            batch = []
    if batch:
        ids += [r.disruption.pk for r in record_flight_events(batch)]
    return ids


def load_manifests(ids: list[int], passengers: int) -> None:
    from paxcare.disruptions.generator import ManifestGenerator
    from paxcare.disruptions.manifests import load_manifest
    from paxcare.disruptions.models import Flight

    generator = ManifestGenerator(SEED, passengers=passengers)
    flights = Flight.objects.filter(disruption__pk__in=ids).order_by("pk")
    for flight in flights.iterator(chunk_size=100):
        load_manifest(flight, generator.manifest(flight))


def run_care(ids: list[int], batch_size: int | None, workers: int):
    """Run the care; note the CPU of any worker processes and their backends.

    A worker's process and backend have ended by the time the care returns, so
    each worker writes what it used to a file of its own before it ends.
    """
    from paxcare.disruptions import workers as parallel
    from paxcare.disruptions.proactive import BATCH_SIZE

    folder = Path(tempfile.mkdtemp(prefix="paxcare-bench-workers-"))
    parent = os.getpid()
    original = parallel.care_for_disruptions

    def measured(*args, **kwargs):
        start = cpu_seconds()
        try:
            return original(*args, **kwargs)
        finally:
            if os.getpid() != parent:
                used = cpu_since(start)
                (folder / str(os.getpid())).write_text(json.dumps(used))

    parallel.care_for_disruptions = measured
    try:
        care = parallel.care_in_processes(
            ids, workers=workers, batch_size=batch_size or BATCH_SIZE
        )
    finally:
        parallel.care_for_disruptions = original
    care.worker_cpu = [json.loads(f.read_text()) for f in folder.iterdir()]
    care.workers = max(1, len(care.worker_cpu))
    shutil.rmtree(folder, ignore_errors=True)
    return care


def table_counts() -> dict[str, int]:
    """Return the number of rows of every table."""
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def raw_insert_seconds(database: str, tables: list[str]) -> tuple[float, int]:
    """Insert the rows of ``tables`` again into empty twins.

    Return the time it took and the rows copied: the tables' whole contents, the
    rows step 3 wrote and the few that were there before it.
    """
    from django.db import connection

    connection.ensure_connection()
    copy = _copy_postgres if database == "postgres" else _executemany_sqlite
    spent = copy(connection, tables)
    return spent, sum(table_counts()[f"bench_twin_{table}"] for table in tables)


def _copy_postgres(connection, tables: list[str]) -> float:
    raw = connection.connection
    spent = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for table in tables:
            twin, dump = f"bench_twin_{table}", Path(folder) / f"{table}.copy"
            with raw.cursor() as cursor:
                cursor.execute(
                    f"CREATE TABLE {twin} (LIKE {table} INCLUDING DEFAULTS "
                    "INCLUDING INDEXES)"
                )
                with (
                    dump.open("wb") as out,
                    cursor.copy(f"COPY {table} TO STDOUT") as copy,
                ):
                    for chunk in copy:
                        out.write(chunk)
            raw.commit()
            started = time.perf_counter()
            with (
                raw.cursor() as cursor,
                dump.open("rb") as source,
                cursor.copy(f"COPY {twin} FROM STDIN") as copy,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            raw.commit()
            spent += time.perf_counter() - started
    return spent


def _executemany_sqlite(connection, tables: list[str]) -> float:
    raw = connection.connection
    spent = 0.0
    for table in tables:
        twin = f"bench_twin_{table}"
        create = raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()[0]
        raw.execute(create.replace(f'"{table}"', f'"{twin}"', 1))
        for (index_sql,) in raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        ).fetchall():
            name = index_sql.split('"')[1]
            raw.execute(
                index_sql.replace(f'"{name}"', f'"bench_twin_{name}"', 1).replace(
                    f'ON "{table}"', f'ON "{twin}"', 1
                )
            )
        raw.commit()
        width = len(raw.execute(f'SELECT * FROM "{table}" LIMIT 1').description)
        insert = f'INSERT INTO "{twin}" VALUES ({", ".join(["?"] * width)})'
        reader = raw.cursor()
        reader.execute(f'SELECT * FROM "{table}"')
        # One transaction for the table, as the pipeline's batches have.
        raw.execute("BEGIN IMMEDIATE")
        while rows := reader.fetchmany(10_000):
            started = time.perf_counter()
            raw.executemany(insert, rows)
            spent += time.perf_counter() - started
        started = time.perf_counter()
        raw.execute("COMMIT")
        spent += time.perf_counter() - started
    return spent


# --- Phases: where the care's time goes --------------------------------------------


def install_phase_timers() -> dict[str, float]:
    """Wrap the main calls of the care path with timers; return the totals."""
    import functools
    from collections import Counter
    from importlib import import_module

    spent: Counter[str] = Counter()
    backend: list[Path] = []

    def server_seconds() -> float:
        """Return the server backend's CPU time, read from /proc (PostgreSQL)."""
        from django.db import connection

        if connection.vendor != "postgresql":
            return 0.0
        if not backend:
            connection.ensure_connection()
            pid = connection.connection.info.backend_pid
            backend.append(Path(f"/proc/{pid}/stat"))
        fields = backend[0].read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    targets = {
        "paxcare.intake.services": (
            "clean_draft",
            "match_passengers",
            "assign_new_cases",
            "_find_duplicates",
            "_new_case",
            "_creation_events",
            "insert_rows",
            "announce",
        ),
        "paxcare.sla.services": ("plan_clocks",),
        "paxcare.insights.rollups": ("add_new_facts", "refresh_facts"),
        "paxcare.comms.services": ("queue_notifications",),
        "paxcare.disruptions.proactive": (
            "open_cases",
            "_unlinked",
            "_active_cases",
            "_assess",
            "_drafts",
            "moments_for",
            "insert_rows",
            "queue",
        ),
    }
    for module_name, names in targets.items():
        module = import_module(module_name)
        for name in names:
            original = getattr(module, name, None)
            if original is None:
                continue
            label = f"{module_name.split('.')[1]}: {name}"

            @functools.wraps(original)
            def wrapper(*args, _original=original, _label=label, **kwargs):
                started, cpu = time.perf_counter(), time.process_time()
                server = server_seconds()
                try:
                    return _original(*args, **kwargs)
                finally:
                    spent[_label] += time.perf_counter() - started
                    spent[_label + " (cpu)"] += time.process_time() - cpu
                    spent[_label + " (server)"] += server_seconds() - server

            setattr(module, name, wrapper)
    _time_lock_held(spent, server_seconds)
    return spent


LOCK_HELD = "disruptions: department lock held, assignment to commit"


def _time_lock_held(spent, server_seconds) -> None:
    """Time each batch from its assignment to its commit.

    ``assign_new_cases`` locks the department until the batch commits, so a
    second worker routed to it waits that long: the share of the care's time
    spent here bounds what parallel workers can gain.
    """
    from importlib import import_module

    intake = import_module("paxcare.intake.services")
    proactive = import_module("paxcare.disruptions.proactive")
    assign, open_batch = intake.assign_new_cases, proactive._open_batch
    held: list[tuple[float, float, float]] = []

    def assigning(*args, **kwargs):
        held.append((time.perf_counter(), time.process_time(), server_seconds()))
        return assign(*args, **kwargs)

    def batch(*args, **kwargs):
        try:
            return open_batch(*args, **kwargs)
        finally:
            # Past the commit: the batch's transaction ends inside open_batch.
            if held:
                started, cpu, server = held.pop()
                spent[LOCK_HELD] += time.perf_counter() - started
                spent[LOCK_HELD + " (cpu)"] += time.process_time() - cpu
                spent[LOCK_HELD + " (server)"] += server_seconds() - server
            held.clear()

    intake.assign_new_cases = assigning
    proactive._open_batch = batch


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
