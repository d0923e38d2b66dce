"""``paxcare serve`` warns at start when secure cookies meet its plain http."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from paxcare.accounts.management.commands import serve
from paxcare.accounts.management.commands.serve import (
    Command,
    insecure_cookie_warning,
)
from tests.accounts.children import ExitedChild

WARNING = (
    "Warning: secure cookies are on and this server speaks plain http on "
    "127.0.0.1: unless an https proxy is in front of it, sign-in and every form "
    "will fail (CSRF 403); for plain http set PAXCARE_SECURE_COOKIES=0."
)


@pytest.mark.parametrize(
    ("session_secure", "csrf_secure", "expected"),
    [
        (True, True, WARNING),
        (True, False, WARNING),
        (False, True, WARNING),
        (False, False, None),
    ],
)
def test_the_warning_is_given_when_either_cookie_is_secure(
    session_secure, csrf_secure, expected
):
    assert insecure_cookie_warning(session_secure, csrf_secure) == expected


def start_up_lines(**cookie_settings) -> tuple[list[str], list[str]]:
    out, err = StringIO(), StringIO()
    command = Command(stdout=out, stderr=err, no_color=True)
    with override_settings(**cookie_settings):
        command.warn_about_cookies()
    return out.getvalue().splitlines(), err.getvalue().splitlines()


def test_serve_writes_one_warning_line_to_stderr_with_secure_cookies():
    out, err = start_up_lines(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)

    assert (out, err) == ([], [WARNING])


def test_serve_stays_quiet_without_secure_cookies():
    out, err = start_up_lines(SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False)

    assert (out, err) == ([], [])


def test_the_warning_comes_before_the_server_starts(monkeypatch):
    # given children that exit at once, and no signal handlers installed
    monkeypatch.setattr(serve.subprocess, "Popen", ExitedChild)
    monkeypatch.setattr(serve.signal, "signal", lambda signum, handler: None)
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("PAXCARE_WEB_WORKERS", raising=False)
    out, err = StringIO(), StringIO()

    # when serve runs with secure cookies on
    with override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True):
        call_command("serve", stdout=out, stderr=err, no_color=True)

    # then the one warning line is on stderr and the start line on stdout
    assert err.getvalue().splitlines() == [WARNING]
    assert out.getvalue().splitlines() == [
        "PaxCare on http://127.0.0.1:8000/ (Ctrl-C stops)"
    ]
