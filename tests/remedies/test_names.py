"""Regimes, entitlements and legal citations read in the page's language."""

import json
import re

import pytest
from django.utils import translation

from paxcare.remedies.engine.rules import RULES_DIR
from paxcare.remedies.names import entitlement_name, legal_citation, regime_name

# Brackets in ASCII that hold English words: prose a Chinese reader cannot read.
ENGLISH_IN_BRACKETS = re.compile(r"\([^()]*[a-z]{4,}[^()]*\)")


def all_citations() -> list[str]:
    """Return every citation the rule data can build: prefix and each legal key."""
    citations = set()
    for path in sorted(RULES_DIR.glob("*.json")):
        for version in json.loads(path.read_text(encoding="utf-8"))["versions"]:
            for legal in version.get("legal", {}).values():
                citations.add(f"{version['legal_prefix']}, {legal}")
    return sorted(citations)


@pytest.mark.parametrize(
    ("citation", "english", "chinese"),
    [
        (
            "US DOT, 14 CFR part 260 (cancelled flight)",
            "US DOT, 14 CFR part 260 (cancelled flight)",
            "美国交通部（US DOT），14 CFR part 260（航班取消）",
        ),
        (
            "Montreal Convention 1999, Art. 19, 22(1)",
            "Montreal Convention 1999, Art. 19, 22(1)",
            "1999年《蒙特利尔公约》（Montreal Convention 1999），Art. 19, 22(1)",
        ),
        (
            "Air Passenger Protection Regulations (SOR/2019-150), s. 18 (as amended "
            "by SOR/2022-134)",
            "Air Passenger Protection Regulations (SOR/2019-150), s. 18 (as amended "
            "by SOR/2022-134)",
            "加拿大《航空旅客保护条例》（Air Passenger Protection Regulations，"
            "SOR/2019-150），s. 18（经 SOR/2022-134 修订）",
        ),
    ],
)
def test_a_citation_reads_in_each_language(citation, english, chinese):
    # Given a citation as the engine builds it from the rule data
    # When it is shown in English and in Chinese
    with translation.override("en"):
        shown_in_english = legal_citation(citation)
    with translation.override("zh-hans"):
        shown_in_chinese = legal_citation(citation)

    # Then English is as written, and Chinese names the statute and its prose
    assert (shown_in_english, shown_in_chinese) == (english, chinese)


@pytest.mark.parametrize("citation", all_citations())
def test_no_citation_of_the_rule_data_keeps_english_prose_on_chinese_pages(citation):
    # Given any citation of the rule data
    # When it is shown in Chinese
    with translation.override("zh-hans"):
        shown = legal_citation(citation)

    # Then it names its statute in Chinese first, and no bracket holds English prose
    assert re.search(r"[\u4e00-\u9fff]", shown.split("，")[0])
    assert ENGLISH_IN_BRACKETS.findall(shown) == []


@pytest.mark.parametrize(
    ("code", "english", "chinese"),
    [
        ("us_dot", "United States: DOT rules", "美国交通部规则"),
        ("montreal", "Montreal Convention 1999", "1999年《蒙特利尔公约》"),
    ],
)
def test_a_regime_is_named_in_each_language(code, english, chinese):
    with translation.override("en"):
        assert regime_name(code) == english
    with translation.override("zh-hans"):
        assert regime_name(code) == chinese


@pytest.mark.parametrize(
    ("code", "english", "chinese"),
    [
        (
            "us_dot.refund",
            "refund under United States: DOT rules",
            "依据美国交通部规则的退款",
        ),
        (
            "us_dot.bag_fee",
            "refund of the baggage fee under United States: DOT rules",
            "依据美国交通部规则的行李费退款",
        ),
        (
            "montreal.delay_limit",
            "liability limit under Montreal Convention 1999",
            "依据1999年《蒙特利尔公约》的责任限额",
        ),
        (
            "eu261.care.meals",
            "care under EU Regulation 261/2004",
            "依据欧盟第261/2004号条例的照顾服务",
        ),
        # a regime whose Chinese name ends in 规定 is not followed by 规定 again
        ("caac.refund", "refund under China: CAAC rules", "依据中国民航局规定的退款"),
        ("xx.novel", "novel under xx", "依据xx的novel"),
    ],
)
def test_an_entitlement_is_named_in_each_language(code, english, chinese):
    with translation.override("en"):
        assert entitlement_name(code) == english
    with translation.override("zh-hans"):
        assert entitlement_name(code) == chinese


def test_the_offer_form_names_the_regimes_in_the_page_s_language():
    from paxcare.remedies.forms import OfferForm

    with translation.override("zh-hans"):
        labels = [str(label) for _code, label in OfferForm().fields["regime"].choices]

    assert "中国民航局规定" in labels
    assert not any(code in label for label in labels for code in ("EU261", "CAAC"))
