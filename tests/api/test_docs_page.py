"""The API docs page loads Swagger UI from our own static files, never from a CDN."""

import json

import pytest
from django.test import Client

from paxcare import apidocs

pytestmark = pytest.mark.django_db


def test_the_docs_page_uses_only_local_files(monkeypatch):
    monkeypatch.setattr(apidocs, "is_vendored", lambda path: True)

    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert "cdn." not in response.text
    assert "https://" not in response.text
    assert '<script src="/static/vendor/swagger-ui-bundle.js">' in response.text
    assert '<link rel="stylesheet" href="/static/vendor/swagger-ui.css">' in (
        response.text
    )
    assert '"url": "/api/v1/openapi.json"' in response.text


def test_without_the_vendored_files_the_page_says_how_to_get_them(monkeypatch):
    monkeypatch.setattr(apidocs, "is_vendored", lambda path: False)

    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert "<script" not in response.text
    assert "<code>make vendor</code>" in response.text
    assert '<a href="/api/v1/openapi.json">' in response.text


def test_the_openapi_document_names_no_key_twice():
    # Swagger UI reads the document as YAML, which refuses a repeated key.
    repeated = []

    def keep(pairs):
        keys = [key for key, _value in pairs]
        repeated.extend(sorted({key for key in keys if keys.count(key) > 1}))
        return dict(pairs)

    json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=keep)

    assert repeated == []
