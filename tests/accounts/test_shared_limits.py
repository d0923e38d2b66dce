"""Rate limits hold across processes: the default cache is shared, counting atomic."""

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection, connections

from paxcare import ratelimit
from paxcare.cache import SharedDatabaseCache

ROOT = Path(__file__).resolve().parents[2]

# One worker process of the product: the product's settings (no Redis), a tracking
# attempt counted by the portal's limit, the number allowed printed at the end.
WORKER = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from django.test import RequestFactory
    from paxcare.portal.ratelimit import TRACK_LIMIT, allow_tracking
    start = float(sys.argv[1])
    while time.time() < start:
        time.sleep(0.005)
    request = RequestFactory().post("/track/", REMOTE_ADDR="203.0.113.7")
    print(sum(allow_tracking(request) for _ in range(TRACK_LIMIT + 5)))
    """
)


def _product_env(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PAXCARE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="paxcare.settings",
        PAXCARE_DEMO="1",
        PAXCARE_VAR_DIR=str(var_dir),
    )
    return env


def test_the_default_cache_without_redis_is_the_shared_database_cache(settings):
    if settings.REDIS_URL:
        pytest.skip("Redis is configured: the cache is Redis")

    assert isinstance(caches["default"], SharedDatabaseCache)


def test_two_worker_processes_share_the_portal_look_up_limit(tmp_path):
    # Given two processes of the embedded default, on one SQLite file
    env = _product_env(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "paxcare", "createcachetable"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    # Both start counting at the same moment, after their start-up.
    start = f"{time.time() + 3:.3f}"

    # When each makes 15 look-ups from one address at once
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, start],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    allowed = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        allowed.append(int(out.strip().splitlines()[-1]))

    # Then ten are allowed between them, not ten each
    assert sum(allowed) == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_attempts_at_once_let_exactly_the_limit_through():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent counting is proven on PostgreSQL (row locks)")
    barrier = threading.Barrier(20)
    verdicts, errors = [], []

    def attempt():
        try:
            barrier.wait()
            verdicts.append(ratelimit.hit("race", "203.0.113.7", 10, 600).allowed)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(verdicts) == [False] * 10 + [True] * 10


@pytest.mark.django_db
def test_two_cache_connections_count_the_same_attempts(monkeypatch):
    first = SharedDatabaseCache("paxcare_cache", {})
    second = SharedDatabaseCache("paxcare_cache", {})
    verdicts = []

    for turn in range(12):
        monkeypatch.setattr(ratelimit, "cache", first if turn % 2 else second)
        verdicts.append(ratelimit.hit("track", "203.0.113.7", 10, 600).allowed)

    assert verdicts == [True] * 10 + [False, False]


@pytest.mark.django_db
def test_a_window_ends_and_the_next_one_counts_afresh():
    at = 1_800_000_000.0  # the start of a 600-second window

    spent = [ratelimit.hit("w", "x", 2, 600, now=at + 1).allowed for _ in range(3)]
    later = ratelimit.hit("w", "x", 2, 600, now=at + 600)

    assert spent == [True, True, False]
    assert ratelimit.hit("w", "x", 2, 600, now=at + 599).retry_after == 1
    assert (later.allowed, later.count, later.retry_after) == (True, 1, 600)
