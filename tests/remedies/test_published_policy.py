"""The public page of passenger rights: open to all, bilingual, made from the data."""

import json
import shutil
from datetime import date

import pytest

from paxcare.remedies.engine import rules
from paxcare.remedies.models import GoodwillRule


@pytest.fixture
def edited_rules(tmp_path, monkeypatch):
    """Return an editor of a copy of the rule files that the engine then reads."""
    copy = tmp_path / "rules"
    shutil.copytree(rules.RULES_DIR, copy)
    monkeypatch.setattr(rules, "RULES_DIR", copy)
    rules.rule_book.cache_clear()
    rules.version_on.cache_clear()

    def edit(regime: str, change) -> None:
        path = copy / f"{regime}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        rules.rule_book.cache_clear()
        rules.version_on.cache_clear()

    yield edit
    rules.rule_book.cache_clear()
    rules.version_on.cache_clear()


def _page(client, language="en") -> str:
    response = client.get("/passenger-rights/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_anyone_may_read_the_page_without_signing_in(client):
    page = _page(client)

    assert "Your rights as a passenger" in page
    assert (
        "EUR 250 for flights up to 1,500 km, EUR 400 up to 3,500 km (and for longer "
        "flights within the area), EUR 600 beyond."
    ) in page
    assert "CAD 400 from 3 hours late at the destination" in page
    assert "at most USD 1,075" in page
    assert "up to 1,519 Special Drawing Rights per passenger" in page
    assert "Complaints are answered within 10 working days of receipt" in page


@pytest.mark.django_db
def test_the_page_is_in_chinese_for_a_chinese_reader(client):
    page = _page(client, "zh-hans")

    assert "旅客权益" in page
    assert "1,500公里及以下的航班EUR 250" in page
    assert "投诉自收到之日起10个工作日内答复，按中国工作日计算。" in page


@pytest.mark.django_db
def test_the_goodwill_policy_in_force_is_listed(client):
    page = _page(client)

    assert (
        "Delay of 2 to 4 hours: voucher CNY 200 (Travel voucher, valid 12 months.)"
        in (page)
    )
    assert "Delay of 4 to 8 hours, business cabin: 8,000 miles" in page


@pytest.mark.django_db
def test_a_new_goodwill_rule_appears_and_an_ended_one_goes(client):
    GoodwillRule.objects.create(
        event_type="downgrade",
        kind="miles",
        miles=3000,
        effective_from=date(2025, 1, 1),
    )
    GoodwillRule.objects.filter(event_type="cancellation").update(
        effective_until=date(2025, 6, 30)
    )

    page = _page(client)

    assert "Downgrade: 3,000 miles" in page
    assert "Cancellation: voucher CNY 300" not in page


@pytest.mark.django_db
def test_the_page_follows_the_rule_files(client, edited_rules):
    def raise_band_a(data):
        data["versions"][-1]["bands"][0]["amount"] = "300"

    edited_rules("eu261", raise_band_a)

    page = _page(client)

    assert "EUR 300 for flights up to 1,500 km" in page
    assert "EUR 250 for flights up to 1,500 km" not in page


@pytest.mark.django_db
def test_a_new_version_of_a_law_is_shown_once_in_force(client, edited_rules):
    def future_caps(data):
        latest = json.loads(json.dumps(data["versions"][-1]))
        latest.update(version="2099-01-01", effective_from="2099-01-01")
        latest["dbc"]["caps"] = {"double": "9999", "quadruple": "19999"}
        data["versions"].append(latest)

    edited_rules("us_dot", future_caps)

    page = _page(client)

    assert "at most USD 1,075" in page
    assert "USD 9,999" not in page
