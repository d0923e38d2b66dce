"""The API contract: a snapshot of the OpenAPI document, and every route documented.

After a deliberate change of the API, refresh the snapshot with
``PAXCARE_UPDATE_SNAPSHOT=1 pytest tests/api/test_openapi.py`` and commit it.
"""

import json
import os
from pathlib import Path

import pytest
from django.test import Client

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")
METHODS = {"get", "post", "put", "patch", "delete"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_matches_the_snapshot(schema):
    rendered = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("PAXCARE_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(rendered, encoding="utf-8")
        pytest.skip("snapshot written; commit tests/api/openapi_snapshot.json")
    assert SNAPSHOT.exists(), "No snapshot: run with PAXCARE_UPDATE_SNAPSHOT=1."

    expected = SNAPSHOT.read_text(encoding="utf-8")

    assert rendered == expected, (
        "The API changed. If that is intended, run with PAXCARE_UPDATE_SNAPSHOT=1 "
        "and commit the new snapshot."
    )


def test_every_operation_has_an_operation_id_and_a_summary(schema):
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]

    undocumented = [
        f"{method.upper()} {path}"
        for path, method, operation in operations
        if not operation.get("operationId") or not operation.get("summary")
    ]

    assert len(operations) >= 8
    assert undocumented == []


def test_operation_ids_are_unique(schema):
    ids = [
        operation["operationId"]
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    ]

    assert len(ids) == len(set(ids))
