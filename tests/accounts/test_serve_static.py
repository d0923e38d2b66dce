"""``paxcare serve`` collects the static files itself: on a fresh var folder and
after an upgrade that adds or changes one."""

import json
import os
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import override_settings

from paxcare.accounts.management.commands import serve
from paxcare.accounts.management.commands.serve import Command
from tests.accounts.children import ExitedChild

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}


@pytest.fixture
def quiet_children(monkeypatch):
    monkeypatch.setattr(serve.subprocess, "Popen", ExitedChild)
    monkeypatch.setattr(serve.signal, "signal", lambda signum, handler: None)
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("PAXCARE_WEB_WORKERS", raising=False)


def test_serve_collects_the_static_files_when_the_manifest_is_missing(
    tmp_path, quiet_children
):
    # Given the production storage and a var folder without collected files
    static_root = tmp_path / "static"
    out, err = StringIO(), StringIO()

    # When serve starts
    with override_settings(
        STORAGES=PRODUCTION_STORAGES,
        STATIC_ROOT=static_root,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        call_command("serve", stdout=out, stderr=err, no_color=True)
        stylesheet = staticfiles_storage.url("paxcare/paxcare.css")

    # Then it says so in one line, and the stylesheet has its hashed name
    assert err.getvalue().splitlines() == [
        f"No static files manifest in {static_root}: collecting the static files "
        "first (paxcare collectstatic)."
    ]
    assert (static_root / "staticfiles.json").is_file()
    assert stylesheet.startswith("/static/paxcare/paxcare.")
    assert stylesheet != "/static/paxcare/paxcare.css"


def test_serve_collects_a_static_file_an_upgrade_added_silently(tmp_path):
    # Given static files collected before an upgrade that adds a stylesheet
    static_root, sources = tmp_path / "static", tmp_path / "sources"
    sources.mkdir()
    (sources / "old.css").write_text("body { color: black; }\n")
    with override_settings(
        STORAGES=PRODUCTION_STORAGES,
        STATIC_ROOT=static_root,
        STATICFILES_DIRS=[sources, *settings.STATICFILES_DIRS],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        (sources / "new.css").write_text("body { color: navy; }\n")
        err = StringIO()

        # When serve checks them at start
        collected = Command(stderr=err).collect_static()
        stylesheet = staticfiles_storage.url("new.css")

    # Then it collects without a word, and the new stylesheet has its hashed name
    # (the first 12 digits of the MD5 of its bytes)
    assert (collected, err.getvalue()) == (True, "")
    assert stylesheet == "/static/new.089b6086d714.css"
    assert (
        json.loads((static_root / "staticfiles.json").read_text())["paths"]["new.css"]
        == "new.089b6086d714.css"
    )


def test_serve_collects_a_static_file_an_upgrade_changed(tmp_path):
    # Given a stylesheet collected before an upgrade that changes it
    static_root, sources = tmp_path / "static", tmp_path / "sources"
    sources.mkdir()
    stylesheet = sources / "site.css"
    stylesheet.write_text("body { color: black; }\n")
    with override_settings(
        STORAGES=PRODUCTION_STORAGES,
        STATIC_ROOT=static_root,
        STATICFILES_DIRS=[sources, *settings.STATICFILES_DIRS],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        before = staticfiles_storage.url("site.css")
        stylesheet.write_text("body { color: navy; }\n")
        later = (static_root / "site.css").stat().st_mtime + 10
        os.utime(stylesheet, (later, later))

        # When serve starts
        Command(stderr=StringIO()).collect_static()
        after = staticfiles_storage.url("site.css")

    # Then the page names the new file, not the old one
    assert (before, after) == (
        "/static/site.802c2991761b.css",
        "/static/site.089b6086d714.css",
    )


def test_serve_needs_no_manifest_with_plain_static_storage(tmp_path):
    # Given the plain storage of debug and test mode
    err = StringIO()

    # When serve checks the static files at start
    with override_settings(STATIC_ROOT=tmp_path / "static"):
        collected = Command(stderr=err).collect_static()

    # Then there is nothing to collect
    assert (collected, err.getvalue()) == (False, "")
    assert not (tmp_path / "static").exists()
