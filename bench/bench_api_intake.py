"""API intake on PostgreSQL with gunicorn: new cases per second at 16 clients.

Target (issue 2): at least 300 cases/s sustained, p99 under 150 ms, on loopback.
Creates (and drops at the start) the database named in PAXCARE_BENCH_DATABASE_URL.

    .venv/bin/python bench/bench_api_intake.py [--seconds 20] [--workers 3]
"""

import argparse
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_load import build_post, run_load  # noqa: E402

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


def recreate_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = f"{base}/postgres"
    subprocess.run(
        ["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True
    )
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)


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
        "print(ApiToken.issue(u)[1])\n"
    )
    out = subprocess.run(
        [BIN / "paxcare", "shell", "-c", script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()

    url = os.environ.get("PAXCARE_BENCH_DATABASE_URL", DEFAULT_URL)
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
    token = setup_workspace(env)
    port = free_port()
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "paxcare.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        time.sleep(3)
        rng = random.Random(7)
        headers = {"Authorization": f"Bearer {token}"}

        def request(n: int) -> bytes:
            flight = f"CA{rng.randint(100, 9999)}"
            payload = {
                "description": rng.choice(TEXTS).format(f=flight),
                "email": f"pax{n}@example.com",
                "flight_number": flight,
            }
            return build_post("127.0.0.1", "/api/v1/cases", payload, headers)

        run_load("127.0.0.1", port, request, concurrency=args.clients, seconds=3)
        result = run_load(
            "127.0.0.1", port, request, concurrency=args.clients, seconds=args.seconds
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    summary = result.summary()
    summary.update(workers=args.workers, clients=args.clients, database="postgresql")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
