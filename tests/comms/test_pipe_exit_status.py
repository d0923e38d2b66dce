"""The exit status a mail server reads from ``paxcare ingest-email`` when PaxCare
cannot even start: 75 (try again later), never a status that bounces the mail."""

import os
import subprocess
import sys

MAIL = b"From: a@example.com\r\nTo: care@example.com\r\nSubject: Hi\r\n\r\nHello\r\n"


def run_paxcare(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PAXCARE_", "DJANGO_"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "paxcare", *args],
        input=MAIL,
        capture_output=True,
        env=environment,
        timeout=120,
    )


def test_a_missing_secret_defers_a_piped_mail():
    # given no secret outside demo mode (the settings refuse to start)
    # when a mail is piped in
    result = run_paxcare("ingest-email")

    # then the mail server is asked to deliver again later
    assert result.returncode == 75
    assert b"PAXCARE_SECRET_KEY is not set" in result.stderr


def test_settings_that_cannot_be_imported_defer_a_piped_mail():
    result = run_paxcare(
        "ingest-email", DJANGO_SETTINGS_MODULE="paxcare.no_such_settings"
    )

    assert result.returncode == 75
    assert b"could not run (ModuleNotFoundError" in result.stderr
    assert b"try again later" in result.stderr


def test_other_commands_keep_their_own_status():
    # A missing secret is an operator's error (2) for every other command.
    result = run_paxcare("check")

    assert result.returncode == 2
    assert b"PAXCARE_SECRET_KEY is not set" in result.stderr
