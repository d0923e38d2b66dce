"""API intake on PostgreSQL with gunicorn: new cases per second at 16 clients.

Target (issue 2): at least 300 cases/s sustained, p99 under 150 ms, on loopback.
Creates (and drops at the start) the database named in PAXCARE_BENCH_DATABASE_URL.
gunicorn runs as ``paxcare serve`` runs it: threaded workers (gthread) that keep
connections alive; by default one worker of 16 threads (``PAXCARE_WEB_WORKERS=1``),
so that all concurrent requests meet in one process's intake batcher. Every request
is ``POST /api/v1/cases`` with a new passenger; each opens a case through the whole
pipeline, with the receivers of ``events_recorded`` that are connected (printed).
Each run also reports the CPU time per request of gunicorn (master and workers) and
of the PostgreSQL backends of the bench database: on a shared machine the rate
follows the load, while these say what a core to itself would give.

    .venv/bin/python bench/bench_api_intake.py [--seconds 20] [--workers 1]
        [--threads 16] [--clients 16] [--runs 3]

``--in-process N`` measures instead, without a server and so steadily on a shared
machine, what one request costs the web worker: N requests through Django's test
client in this process, each one's CPU time (this thread's) and its queries, after a
warm-up. ``--show-queries`` lists the queries of one request; ``--in-process-threads
T`` then sends N more from T threads at once, as a worker's request threads do (the
process's CPU time and queries per request; the drafts meet in the intake batcher);
``--reuse`` keeps the database of the last run.

Exits with 77 (skipped) when PostgreSQL cannot be reached.
"""

import argparse
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_load import LOOPBACK, build_post, run_load  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/paxcare_bench"

TEXTS = [
    "My flight {f} was delayed 5 hours and nobody told us anything.",
    "Lost my suitcase on {f}, the tag number is on my receipt.",
    "航班{f}取消了，我要求全额退票。",
    "The crew on {f} were wonderful, thank you!",
    "我的行李在{f}航班上被损坏了，拉杆断了。",
    "I was charged twice for my seat on {f}, please refund.",
]


SKIPPED = 77


def recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    if urlsplit(base).hostname not in LOOPBACK:
        raise SystemExit("PAXCARE_BENCH_DATABASE_URL must point at loopback")
    try:
        admin = psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"SKIPPED: PostgreSQL not reachable at {base}")
        raise SystemExit(SKIPPED) from error
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_workspace(env: dict) -> tuple[str, list[str]]:
    subprocess.run([BIN / "paxcare", "migrate", "-v0"], env=env, check=True)
    script = (
        "from django.contrib.auth.models import User\n"
        "from paxcare.accounts.models import ApiToken\n"
        "from paxcare.routing.models import Agent, Department\n"
        "u = User.objects.create_user('bench', is_staff=True)\n"
        "a = Agent.objects.create(user=u, role='admin', sees_all_departments=True)\n"
        "for d in Department.objects.all():\n"
        "    for i in range(3):\n"
        "        x = User.objects.create_user(f'{d.code}-{i}')\n"
        "        Agent.objects.create(user=x).departments.add(d)\n"
        "from paxcare.cases.events import events_recorded as s\n"
        "print(*[f'{r.__module__}.{r.__qualname__}'"
        " for r in s._live_receivers(None)[0]])\n"
        "print(ApiToken.issue(u)[1])\n"
    )
    out = subprocess.run(
        [BIN / "paxcare", "shell", "-c", script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    *_, receivers, token = out.stdout.strip().splitlines()
    return token, receivers.split()


def serve(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            BIN / "gunicorn",
            "paxcare.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=env,
    )


def bench_env(url: str) -> dict:
    """Return the environment of a bench server on a fresh database at ``url``."""
    env = dict(
        os.environ,
        PAXCARE_DATABASE_URL=url,
        PAXCARE_VAR_DIR=tempfile.mkdtemp(prefix="paxcare-bench-"),
        PAXCARE_SECRET_KEY=secrets.token_urlsafe(40),
        PAXCARE_LOG_LEVEL="WARNING",
        PAXCARE_SECURE_COOKIES="0",
    )
    env.pop("PAXCARE_TESTING", None)
    return env


def payload_maker(rng: random.Random):
    """Return a function that makes the body of request ``n``: a new passenger."""

    def make(n: int) -> dict:
        flight = f"CA{rng.randint(100, 9999)}"
        return {
            "description": rng.choice(TEXTS).format(f=flight),
            "email": f"pax{n}-{rng.randint(0, 10**9)}@example.com",
            "flight_number": flight,
        }

    return make


def in_process(args, url: str, rng: random.Random) -> None:
    """Send requests through Django's test client; print CPU time and queries."""
    env = bench_env(url)
    token, receivers = None, []
    if not args.reuse:
        recreate_database(url)
        token, receivers = setup_workspace(env)
    os.environ.update(env)
    os.environ.pop("PAXCARE_TESTING", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paxcare.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if token is None:
        from django.contrib.auth.models import User

        from paxcare.accounts.models import ApiToken

        token = ApiToken.issue(User.objects.get(username="bench"))[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    make = payload_maker(rng)
    warm_up = 30
    cpu_ms, queries, statuses = [], [], {}
    shown = None
    for n in range(warm_up + args.in_process):
        body = json.dumps(make(n))
        with CaptureQueriesContext(connection) as captured:
            started = time.thread_time()
            response = client.post(
                "/api/v1/cases", body, content_type="application/json"
            )
            spent = time.thread_time() - started
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if n >= warm_up:
            cpu_ms.append(spent * 1000)
            queries.append(len(captured.captured_queries))
            shown = captured.captured_queries
    if args.show_queries and shown:
        for query in shown:
            print(f"  {query['time']}s  {query['sql'][:160]}")
    from paxcare.cases.events import events_recorded

    report = {
        "one_at_a_time": {
            "requests": args.in_process,
            "cpu_ms_per_request": {
                "median": round(statistics.median(cpu_ms), 2),
                "p10": round(statistics.quantiles(cpu_ms, n=10)[0], 2),
                "p90": round(statistics.quantiles(cpu_ms, n=10)[-1], 2),
            },
            "queries_per_request": {
                "median": statistics.median(queries),
                "max": max(queries),
            },
            "statuses": statuses,
        },
        "database": "postgresql",
        "receivers": receivers
        or [
            f"{r.__module__}.{r.__qualname__}"
            for r in events_recorded._live_receivers(None)[0]
        ],
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }
    if args.in_process_threads > 1:
        report["concurrent"] = concurrent_in_process(
            args.in_process, args.in_process_threads, token, make
        )
    print(json.dumps(report, indent=2))


def concurrent_in_process(total: int, threads: int, token: str, make) -> dict:
    """Send ``total`` requests from ``threads`` threads of this one process.

    As one gunicorn worker's request threads do: their drafts meet in the intake
    batcher. CPU is the whole process's, so that a batch's work counts once; it is
    counted from when every thread has its database connection (a worker's threads
    keep theirs), so that the connections' set-up is not spread over the requests.
    """
    import threading

    from django.db import connection
    from django.test import Client

    lock = threading.Lock()
    counts = {"queries": 0, "requests": 0}
    statuses: dict[int, int] = {}

    def count(execute, sql, params, many, context):
        with lock:
            counts["queries"] += 1
        return execute(sql, params, many, context)

    ready = threading.Barrier(threads + 1)

    def work(share: int) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
        connection.ensure_connection()
        ready.wait()
        with connection.execute_wrapper(count):
            for _ in range(share):
                with lock:
                    counts["requests"] += 1
                    n = 10**6 + counts["requests"]
                body = json.dumps(make(n))
                response = client.post(
                    "/api/v1/cases", body, content_type="application/json"
                )
                with lock:
                    statuses[response.status_code] = (
                        statuses.get(response.status_code, 0) + 1
                    )
        connection.close()

    workers = [
        threading.Thread(target=work, args=(total // threads,)) for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    ready.wait()
    cpu, wall = time.process_time(), time.perf_counter()
    for worker in workers:
        worker.join()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    done = counts["requests"]
    return {
        "threads": threads,
        "requests": done,
        "cpu_ms_per_request": round(cpu * 1000 / done, 2),
        "queries_per_request": round(counts["queries"] / done, 2),
        "requests_per_s_one_process": round(done / wall, 1),
        "statuses": statuses,
    }


def one_run(args, url: str, rng: random.Random) -> tuple[dict, list[str]]:
    """Load a fresh database for ``args.seconds`` after a warm-up; return the result."""
    recreate_database(url)
    env = bench_env(url)
    token, receivers = setup_workspace(env)
    port = free_port()
    server = serve(env, port, args.workers, args.threads)
    headers = {"Authorization": f"Bearer {token}"}
    make = payload_maker(rng)

    def request(n: int) -> bytes:
        return build_post("127.0.0.1", "/api/v1/cases", make(n), headers)

    try:
        time.sleep(3)
        run_load("127.0.0.1", port, request, concurrency=args.clients, seconds=3)
        before = _cpu_ticks(server.pid, url)
        result = run_load(
            "127.0.0.1", port, request, concurrency=args.clients, seconds=args.seconds
        )
        after = _cpu_ticks(server.pid, url)
    finally:
        server.terminate()
        server.wait(timeout=20)
    summary = result.summary()
    for side in ("gunicorn", "postgres"):
        spent = sum(t - before[side].get(pid, 0) for pid, t in after[side].items())
        # CPU time per request: what the rate would be with a core to itself.
        summary[f"{side}_cpu_ms_per_request"] = round(
            spent * 1000 / os.sysconf("SC_CLK_TCK") / max(1, result.count), 2
        )
    return summary, receivers


def _cpu_ticks(master: int, url: str) -> dict[str, dict[int, int]]:
    """Return the CPU ticks used so far by gunicorn and the database's backends.

    Gunicorn: its master and workers. PostgreSQL: the server processes connected
    to the bench database (Django keeps its connections, so they live through the
    run); other databases' work on the machine is not counted.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        backends = [
            pid
            for (pid,) in db.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ]
    children = Path(f"/proc/{master}/task/{master}/children")
    workers = [int(pid) for pid in children.read_text().split()]
    return {
        "gunicorn": _ticks([master, *workers]),
        "postgres": _ticks(backends),
    }


def _ticks(pids: list[int]) -> dict[int, int]:
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile, or on another machine
        # utime and stime: fields 14 and 15 of stat, 12 and 13 after the name.
        found[pid] = int(fields[11]) + int(fields[12])
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--in-process", type=int, default=0, metavar="N")
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument(
        "--in-process-threads",
        type=int,
        default=1,
        metavar="T",
        help="in-process: also send the N requests from T threads at once",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="in-process: keep the last database"
    )
    args = parser.parse_args()

    url = os.environ.get("PAXCARE_BENCH_DATABASE_URL", DEFAULT_URL)
    rng = random.Random(7)
    if args.in_process:
        in_process(args, url, rng)
        return
    runs, receivers = [], []
    for number in range(1, args.runs + 1):
        summary, receivers = one_run(args, url, rng)
        runs.append(summary)
        print(
            f"  run {number}: {summary['rate_per_s']} cases/s, p50 "
            f"{summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, "
            f"statuses {summary['statuses']}; CPU per request: gunicorn "
            f"{summary['gunicorn_cpu_ms_per_request']} ms, PostgreSQL "
            f"{summary['postgres_cpu_ms_per_request']} ms; load "
            f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}",
            flush=True,
        )
    median = {
        key: statistics.median(run[key] for run in runs)
        for key in (
            "rate_per_s",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "gunicorn_cpu_ms_per_request",
            "postgres_cpu_ms_per_request",
        )
    }
    print(
        json.dumps(
            {
                "runs": runs,
                "median": median,
                "target_met": median["rate_per_s"] >= 300 and median["p99_ms"] < 150,
                "workers": args.workers,
                "threads": args.threads,
                "clients": args.clients,
                "database": "postgresql",
                "receivers": receivers,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
