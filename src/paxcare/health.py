"""``GET /healthz`` for load balancers: database and task queue reachable."""

import logging

from django.db import connection
from django.http import JsonResponse
from huey.contrib.djhuey import HUEY

logger = logging.getLogger(__name__)


def healthz(request):
    checks = {"database": _check_database(), "tasks": _check_tasks()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return "unreachable"
    return "ok"


def _check_tasks() -> str:
    try:
        HUEY.pending_count()
    except Exception:
        logger.exception("health check: task queue unreachable")
        return "unreachable"
    return "ok"
