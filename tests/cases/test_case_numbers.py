"""Typed case numbers: any case, spaces, full-width forms and other dashes."""

import pytest

from paxcare.cases.numbers import normalise_case_number


@pytest.mark.parametrize(
    "typed",
    [
        "PX-5FWG-HPWG",
        "px 5fwg hpwg",
        "PX5FWGHPWG",
        "ＰＸ－５ＦＷＧ－ＨＰＷＧ",
        "ｐｘ－５ｆｗｇ－ｈｐｗｇ",
        "PX–5FWG—HPWG",
        "PX\u22125FWG\u2212HPWG",
    ],
)
def test_a_typed_number_becomes_the_canonical_one(typed):
    assert normalise_case_number(typed) == "PX-5FWG-HPWG"


@pytest.mark.parametrize("typed", ["", "PX-0OIL-1234", "PX-5FWG", "PX\x005FWGHPWG"])
def test_what_cannot_be_a_number_is_none(typed):
    assert normalise_case_number(typed) is None
