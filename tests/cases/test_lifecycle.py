import pytest

from paxcare.cases.lifecycle import (
    Status,
    TransitionError,
    check_transition,
    is_reopen,
)
from paxcare.cases.numbers import ALPHABET, new_case_number, normalise_case_number

ALLOWED = {
    ("new", "open"),
    ("new", "pending"),
    ("new", "resolved"),
    ("open", "pending"),
    ("open", "resolved"),
    ("pending", "open"),
    ("pending", "resolved"),
    ("resolved", "closed"),
    ("resolved", "open"),
    ("closed", "open"),
}


@pytest.mark.parametrize("old", Status.values)
@pytest.mark.parametrize("new", Status.values)
def test_state_machine_allows_exactly_the_listed_transitions(old, new):
    if (old, new) in ALLOWED:
        check_transition(old, new)
    else:
        with pytest.raises(TransitionError):
            check_transition(old, new)


def test_only_leaving_resolved_or_closed_for_open_is_a_reopen():
    assert is_reopen("resolved", "open")
    assert is_reopen("closed", "open")
    assert not is_reopen("pending", "open")
    assert not is_reopen("new", "open")


def test_case_numbers_use_the_unambiguous_alphabet_and_shape():
    number = new_case_number()

    assert len(number) == 12
    assert number.startswith("PX-") and number[7] == "-"
    assert set(number[3:7] + number[8:]) <= set(ALPHABET)
    assert not set("01ILOUV") & set(number[3:])


def test_case_numbers_are_not_sequential():
    numbers = {new_case_number() for _ in range(2000)}

    assert len(numbers) == 2000


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("PX-7K3M-9QD4", "PX-7K3M-9QD4"),
        ("px7k3m9qd4", "PX-7K3M-9QD4"),
        (" px-7k3m 9qd4 ", "PX-7K3M-9QD4"),
        ("PX-7K3M-9QD", None),
        ("PX-7K3M-9QD0", None),
        ("1 OR 1=1", None),
        ("", None),
    ],
)
def test_typed_case_numbers_are_normalised_or_refused(typed, canonical):
    assert normalise_case_number(typed) == canonical
