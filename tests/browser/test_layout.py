"""The pages fit their screen: 1280 px for an agent's desk, 390 px for a phone.

Measured in a real browser: the page never scrolls sideways (a wide table scrolls in
its own box), and the short things (case numbers, status pills, dates in the SLA
table) stay on one line.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paxcare.cases.attachments import check_uploads
from paxcare.cases.services import add_case_files
from paxcare.routing.services import reassign_case
from tests.browser.chromium import SCREENSHOTS
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.browser

LONG_SUBJECT = "行李在北京首都机场没有到达，已经等了三天，里面有药品和重要文件，" * 3

PAGE_WIDTH = "document.documentElement.scrollWidth"
LINES = "(element) => element.getClientRects().length"


@pytest.fixture
def workspace(transactional_db):
    """An agent of the baggage department and a long-subject case of theirs."""
    agent = make_agent("bag.agent", first_name="Anna", departments=("baggage",))
    case = make_case(subject=LONG_SUBJECT, email="li.wei@example.com")
    case = reassign_case(case, agent, actor=None)
    files, _errors = check_uploads(
        [SimpleUploadedFile("收据.txt", "行李延误的收据".encode())]
    )
    add_case_files(case, files, channel="web")
    return case


def signed_in(browser, live_server, width: int, locale: str):
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        locale=locale,
        extra_http_headers={"Accept-Language": locale},
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/console/login/")
    page.fill("#id_username", "bag.agent")
    page.fill("#id_password", "pass-word-123")
    page.click("button.primary")
    page.wait_for_url("**/console/")
    return page


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_nothing_scrolls_sideways_on_a_phone(browser, live_server, workspace, locale):
    page = signed_in(browser, live_server, 390, locale)
    portal = browser.new_context(
        viewport={"width": 390, "height": 900}, locale=locale
    ).new_page()
    widths = {}

    for path in [
        "/console/",
        f"/console/cases/{workspace.number}/",
        "/console/phone/",
        "/console/dashboard/",
    ]:
        page.goto(live_server.url + path)
        widths[path] = page.evaluate(PAGE_WIDTH)
    for path in ["/complaint/", "/track/"]:
        portal.goto(live_server.url + path)
        widths[path] = portal.evaluate(PAGE_WIDTH)
    page.goto(f"{live_server.url}/console/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"queue-390-{locale}.png"), full_page=True)

    assert widths == dict.fromkeys(widths, 390)
    box = page.locator(".table-scroll").first
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth") is True


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_the_queue_at_1280_keeps_numbers_and_pills_on_one_line(
    browser, live_server, workspace, locale
):
    page = signed_in(browser, live_server, 1280, locale)

    page.goto(f"{live_server.url}/console/")
    page.screenshot(path=str(SCREENSHOTS / f"queue-1280-{locale}.png"))

    assert page.evaluate(PAGE_WIDTH) == 1280
    assert page.locator("table.cases a.case-number").evaluate(LINES) == 1
    assert page.locator("table.cases .status").evaluate(LINES) == 1
    subject = page.locator("table.cases td.subject span[title]")
    assert subject.get_attribute("title") == LONG_SUBJECT
    assert len(subject.inner_text()) == 80
    assert (
        page.locator("table.cases td.subject").evaluate(
            "(el) => el.getBoundingClientRect().width"
        )
        >= 224
    )


def test_the_case_sidebar_keeps_sla_dates_on_one_line(browser, live_server, workspace):
    page = signed_in(browser, live_server, 1280, "zh-CN")

    page.goto(f"{live_server.url}/console/cases/{workspace.number}/")

    dates = page.locator(".clocks time")
    assert dates.count() == 2
    assert [dates.nth(i).evaluate(LINES) for i in range(2)] == [1, 1]


def test_the_portal_status_pill_is_as_wide_as_its_word(browser, live_server, workspace):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/track/")
    page.fill("#id_number", workspace.number)
    page.fill("#id_email", "li.wei@example.com")
    page.click("button.primary")
    page.wait_for_url(f"**/track/{workspace.number}/")

    pill = page.locator(".facts .status")
    assert pill.evaluate("(el) => el.getBoundingClientRect().width") < 80
    assert page.locator(".files a").inner_text() == "收据.txt"
