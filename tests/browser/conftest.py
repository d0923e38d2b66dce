"""The browser the browser tests drive: Debian's Chromium through Playwright.

Without /usr/bin/chromium a test skips, except in CI (CI=true), where a missing
browser is a failure.
"""

import os

import pytest

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
        chromium.close()
