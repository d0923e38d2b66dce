"""A passenger and an agent in a real browser: file in Chinese, reply, see the reply.

Runs Debian's Chromium through Playwright. Without /usr/bin/chromium the test skips,
except in CI (CI=true), where a missing browser is a failure.
"""

import re

import pytest

from paxcare.routing.defaults import DEPARTMENTS
from tests.browser.chromium import SCREENSHOTS
from tests.factories import make_agent

pytestmark = pytest.mark.browser


def test_a_chinese_complaint_is_answered_and_the_passenger_sees_the_answer(
    browser, live_server, transactional_db
):
    make_agent(
        "wang.fang",
        first_name="Wang",
        departments=tuple(code for code, _zh, _en in DEPARTMENTS),
    )

    # The passenger files a complaint in the Chinese portal.
    passenger = browser.new_context(
        locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
    )
    page = passenger.new_page()
    page.goto(f"{live_server.url}/complaint/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.select_option("#id_kind", "complaint")
    page.fill("#id_description", "我的行李箱在北京首都机场没有到，航班CA1831。")
    page.fill("#id_flight_number", "CA1831")
    page.fill("#id_passenger_name", "李伟")
    page.fill("#id_email", "li.wei@example.com")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "portal-zh-form.png"), full_page=True)
    page.click("button.primary")
    number = page.locator("[data-case-number]").inner_text().strip()
    assert re.fullmatch(r"PX-[2-9A-Z]{4}-[2-9A-Z]{4}", number)
    page.screenshot(path=str(SCREENSHOTS / "portal-zh-filed.png"), full_page=True)

    # The agent signs in, finds the case in the queue and replies.
    agent = browser.new_context(locale="en-GB").new_page()
    agent.goto(f"{live_server.url}/console/")
    agent.fill("#id_username", "wang.fang")
    agent.fill("#id_password", "pass-word-123")
    agent.click("button.primary")
    agent.click(f"text={number}")
    agent.fill("#id_body", "您好，您的行李已找到，今晚送到您的酒店。")
    agent.click("section.reply button.primary")
    assert agent.locator(".messages").inner_text().strip() == "Reply sent."

    # The passenger tracks the case with number and e-mail, and sees the reply.
    tracker = browser.new_context(locale="zh-CN").new_page()
    tracker.goto(f"{live_server.url}/track/")
    tracker.fill("#id_number", number)
    tracker.fill("#id_email", "li.wei@example.com")
    tracker.click("button.primary")
    tracker.wait_for_url(f"**/track/{number}/")
    assert "您的行李已找到" in tracker.locator(".timeline").inner_text()
    tracker.screenshot(path=str(SCREENSHOTS / "portal-zh-case.png"), full_page=True)
