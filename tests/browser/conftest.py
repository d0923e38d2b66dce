"""The browser the browser tests drive: Debian's Chromium through Playwright.

Without /usr/bin/chromium a test skips, except in CI (CI=true), where a missing
browser is a failure.
"""

import os

import pytest
from django.db import connections

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse
# to run beside it. The tests drive a live server in another thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests")
        pytest.skip(
            f"no browser: {CHROMIUM} is not installed (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        # Django keeps its connections in a context variable; beside Playwright the
        # first browser test of a run finds that store empty and opens connections
        # of its own, which no later test sees. Close them here, while Playwright
        # still runs, or the test database cannot be dropped at the end.
        connections.close_all()
        chromium.close()
