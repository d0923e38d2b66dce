"""A Chinese-speaking agent works the console in Chinese."""

import re

import pytest

pytestmark = pytest.mark.django_db


def headings(html: str) -> dict[str, list[str]]:
    """Return the texts of the page's h1 and table header cells, tags stripped."""

    def texts(tag: str) -> list[str]:
        cells = re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, flags=re.DOTALL)
        return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]

    return {"h1": texts("h1"), "th": texts("th")}


def test_an_agent_whose_browser_asks_for_chinese_gets_the_queue_in_chinese(
    client_as, case
):
    response = client_as("agent_a").get("/console/", HTTP_ACCEPT_LANGUAGE="zh-Hans")

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text
    assert headings(response.text) == {
        "h1": ["我的队列"],
        "th": [
            "案件",
            "主题",
            "类别",
            "状态 · 优先级",
            "渠道",
            "部门",
            "处理人",
            "受理时间",
            "下一截止时间",
        ],
    }
    assert "<title>我的队列 · PaxCare</title>" in response.text


def test_the_language_switch_turns_every_queue_chinese(client_as, case):
    client = client_as("supervisor")

    switched = client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": "/console/"}
    )
    pages = {
        path: headings(client.get(path).text)["h1"]
        for path in [
            "/console/",
            "/console/department/",
            "/console/triage/",
            "/console/all/",
        ]
    }

    assert switched.status_code == 302
    assert pages == {
        "/console/": ["我的队列"],
        "/console/department/": ["部门队列"],
        "/console/triage/": ["分拣队列"],
        "/console/all/": ["全部案件"],
    }


def test_the_queue_filters_and_rows_speak_chinese_too(client_as, case):
    response = client_as("agent_a").get("/console/", HTTP_ACCEPT_LANGUAGE="zh-Hans")

    labels = re.findall(r"<label>(\S+) <(?:input|select)\b", response.text)
    row = re.search(r"<tr class=\"priority-normal\">(.*?)</tr>", response.text, re.S)
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td\b[^>]*>(.*?)</td>", row[1], flags=re.DOTALL)
    ]

    assert labels == ["搜索", "状态", "类别", "渠道", "超时风险"]
    assert cells[2:5] == ["行李延误", "新建 普通", "网页表单"]


def test_english_stays_the_default_for_agents(client_as, case):
    response = client_as("agent_a").get("/console/")

    assert headings(response.text)["h1"] == ["My queue"]
    assert headings(response.text)["th"][:3] == ["Case", "Subject", "Category"]
