"""API intake on PostgreSQL with gunicorn: new cases per second at 16 clients.

Target (issue 2): at least 300 cases/s sustained, p99 under 150 ms, on loopback.
Creates (and drops at the start) the database named in PAXCARE_BENCH_DATABASE_URL.
gunicorn runs as ``paxcare serve`` runs it: threaded workers (gthread) that keep
connections alive. Every request is ``POST /api/v1/cases`` with a new passenger;
each opens a case through the whole pipeline, with the receivers of
``events_recorded`` that are connected (printed).

    .venv/bin/python bench/bench_api_intake.py [--seconds 20] [--workers 3]
        [--threads 4] [--clients 16] [--runs 3]

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


def setup_workspace(env: dict) -> str:
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


def one_run(args, url: str, rng: random.Random) -> tuple[dict, list[str]]:
    """Load a fresh database for ``args.seconds`` after a warm-up; return the result."""
    recreate_database(url)
    var = tempfile.mkdtemp(prefix="paxcare-bench-")
    env = dict(
        os.environ,
        PAXCARE_DATABASE_URL=url,
        PAXCARE_VAR_DIR=var,
        PAXCARE_SECRET_KEY=secrets.token_urlsafe(40),
        PAXCARE_LOG_LEVEL="WARNING",
        PAXCARE_SECURE_COOKIES="0",
    )
    env.pop("PAXCARE_TESTING", None)
    token, receivers = setup_workspace(env)
    port = free_port()
    server = serve(env, port, args.workers, args.threads)
    headers = {"Authorization": f"Bearer {token}"}

    def request(n: int) -> bytes:
        flight = f"CA{rng.randint(100, 9999)}"
        payload = {
            "description": rng.choice(TEXTS).format(f=flight),
            "email": f"pax{n}-{rng.randint(0, 10**9)}@example.com",
            "flight_number": flight,
        }
        return build_post("127.0.0.1", "/api/v1/cases", payload, headers)

    try:
        time.sleep(3)
        run_load("127.0.0.1", port, request, concurrency=args.clients, seconds=3)
        result = run_load(
            "127.0.0.1", port, request, concurrency=args.clients, seconds=args.seconds
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    return result.summary(), receivers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    url = os.environ.get("PAXCARE_BENCH_DATABASE_URL", DEFAULT_URL)
    rng = random.Random(7)
    runs, receivers = [], []
    for number in range(1, args.runs + 1):
        summary, receivers = one_run(args, url, rng)
        runs.append(summary)
        print(
            f"  run {number}: {summary['rate_per_s']} cases/s, p50 "
            f"{summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, "
            f"statuses {summary['statuses']}",
            flush=True,
        )
    median = {
        key: statistics.median(run[key] for run in runs)
        for key in ("rate_per_s", "p50_ms", "p95_ms", "p99_ms")
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
