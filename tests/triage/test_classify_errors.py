"""``paxcare classify`` names the input line and the column of a bad line."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def classify(text: str) -> list[dict]:
    out = StringIO()
    call_command("classify", stdin=StringIO(text), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_line_cut_short_names_its_line_and_the_column_where_it_breaks():
    # Given: the closing brace is missing; the next character would be column 20.
    text = '{"id":6,"text":"ok"\n'

    # When
    answers = classify(text)

    # Then
    assert answers == [
        {
            "id": None,
            "line": 1,
            "error": "not JSON: Expecting ',' delimiter at column 20",
        }
    ]


def test_line_numbers_count_the_blank_lines_the_answers_skip():
    # Given: a good line, a blank one, a bad one, and one with Windows line endings.
    text = (
        '{"id": 1, "text": "my bag is lost"}\n'
        "\n"
        '{"id": 2, "text": "late" x}\n'
        '{"id": 3}\r\n'
    )

    # When
    answers = classify(text)

    # Then: three answers; the errors say lines 3 and 4.
    assert [a["id"] for a in answers] == [1, None, 3]
    assert answers[1:] == [
        {
            "id": None,
            "line": 3,
            "error": "not JSON: Expecting ',' delimiter at column 26",
        },
        {"id": 3, "line": 4, "error": 'no "text" string'},
    ]


def test_a_good_line_answers_without_a_line_number():
    answers = classify('{"id": "a", "text": "my flight was cancelled"}\n')

    assert set(answers[0]) == {"id", "category", "kind", "confidence"}
