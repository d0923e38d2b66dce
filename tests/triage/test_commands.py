"""``paxcare classify`` and ``paxcare train-classifier``."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from paxcare.triage.models import Category, ClassifierVersion, TrainingExample

pytestmark = pytest.mark.django_db

KINDS = ("complaint", "claim", "inquiry", "praise", "suggestion")


def classify(lines: list[str]) -> list[dict]:
    out = StringIO()
    call_command("classify", stdin=StringIO("\n".join(lines) + "\n"), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_line_gets_a_category_kind_and_confidence_in_order():
    answers = classify(
        [
            json.dumps(
                {"id": "a", "text": "My flight was cancelled and no one helped"}
            ),
            json.dumps({"id": 2, "text": "行李在北京没有到"}),
        ]
    )

    assert [a["id"] for a in answers] == ["a", 2]
    for answer in answers:
        assert set(answer) == {"id", "category", "kind", "confidence"}
        assert answer["kind"] in KINDS
        assert 0.0 < answer["confidence"] <= 1.0


def test_bad_lines_get_an_error_and_the_rest_continue():
    answers = classify(
        [
            "not json",
            json.dumps(["a", "list"]),
            json.dumps({"id": 3}),
            json.dumps({"id": 4, "text": "  "}),
            json.dumps({"id": 5, "text": "Lost my suitcase"}),
        ]
    )

    assert answers[:4] == [
        {"id": None, "line": 1, "error": "not JSON: Expecting value at column 1"},
        {"id": None, "line": 2, "error": "not a JSON object"},
        {"id": 3, "line": 3, "error": 'no "text" string'},
        {"id": 4, "line": 4, "error": '"text" is empty'},
    ]
    assert answers[4]["id"] == 5
    assert "category" in answers[4]


def test_batches_keep_the_order(settings):
    lines = [json.dumps({"id": n, "text": f"flight {n} delayed"}) for n in range(7)]
    lines.insert(3, "{")
    out = StringIO()

    call_command(
        "classify", "--batch-size", "2", stdin=StringIO("\n".join(lines)), stdout=out
    )

    ids = [json.loads(line)["id"] for line in out.getvalue().splitlines()]
    assert ids == [0, 1, 2, None, 3, 4, 5, 6]


TRAINING = {
    "flight.delay": [
        "my flight is {} hours late",
        "delayed again, {} hours at the gate",
        "why is flight {} delayed so long",
        "we are still waiting, departure pushed back {} hours",
        "the plane left {} hours behind schedule",
    ],
    "baggage.lost": [
        "my suitcase never arrived, tag {}",
        "lost luggage after flight {}",
        "bag missing for {} days",
        "you lost my bag on flight {}",
        "where is my luggage, file {}",
    ],
    "ticketing.refund": [
        "I want a refund for booking {}",
        "refund my ticket {} please",
        "still no refund after {} weeks",
        "money back for cancelled ticket {}",
        "how do I get a refund for order {}",
    ],
}


def training_csv(tmp_path: Path, extra_rows: str = "") -> Path:
    rows = ["text,category,kind"]
    for category, patterns in TRAINING.items():
        for n in range(4):
            for pattern in patterns:
                kind = "claim" if category == "ticketing.refund" else "complaint"
                rows.append(f'"{pattern.format(n + 2)}",{category},{kind}')
    path = tmp_path / "history.csv"
    path.write_text("\n".join(rows) + "\n" + extra_rows, encoding="utf-8")
    return path


def test_training_prints_per_class_and_macro_f1_and_activates_on_request(tmp_path):
    path = training_csv(tmp_path)
    out = StringIO()

    call_command(
        "train_classifier", str(path), "--activate", "--label", "t1", stdout=out
    )

    version = ClassifierVersion.objects.get()
    text = out.getvalue()
    assert version.label == "t1"
    assert version.is_active is True
    assert version.n_examples == 60
    assert set(version.metrics["per_class"]) == set(TRAINING)
    for code in TRAINING:
        assert f"\n{code} " in text
    assert f"macro F1 {version.metrics['macro_f1']:.3f}" in text
    assert "12 held-out texts" in text
    assert (
        f"confidence threshold {version.metrics['threshold']:.2f}: "
        f"{version.metrics['coverage']:.1%} of the held-out texts at or above it"
    ) in text
    answers = classify([json.dumps({"id": 1, "text": "refund my ticket 77 please"})])
    assert answers[0]["category"] == "ticketing.refund"


def test_training_without_activate_keeps_the_model_inactive(tmp_path):
    call_command("train_classifier", str(training_csv(tmp_path)), stdout=StringIO())

    assert ClassifierVersion.objects.get().is_active is False


def test_unknown_category_codes_are_refused_with_their_lines(tmp_path):
    path = training_csv(tmp_path, '"my bag is gone",baggage.vanished,complaint\n')

    with pytest.raises(CommandError) as raised:
        call_command("train_classifier", str(path), stdout=StringIO())

    assert "line 62: unknown category code 'baggage.vanished'" in str(raised.value)
    assert "nothing was trained" in str(raised.value)
    assert ClassifierVersion.objects.count() == 0


def test_unknown_kinds_and_empty_texts_are_refused(tmp_path):
    path = training_csv(
        tmp_path, '"",flight.delay,complaint\n"late",flight.delay,rant\n'
    )

    with pytest.raises(CommandError) as raised:
        call_command("train_classifier", str(path), stdout=StringIO())

    assert "line 62: text is empty" in str(raised.value)
    assert "line 63: unknown kind 'rant'" in str(raised.value)


def test_a_file_without_the_columns_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("message,label\nhello,other\n", encoding="utf-8")

    with pytest.raises(CommandError, match="missing columns: category, text"):
        call_command("train_classifier", str(path), stdout=StringIO())


def test_agents_corrections_join_the_training_unless_left_out(tmp_path):
    TrainingExample.objects.create(
        text="refund for my cancelled trip",
        category="ticketing.refund",
        source="correction",
    )

    call_command("train_classifier", str(training_csv(tmp_path)), stdout=StringIO())
    call_command(
        "train_classifier",
        str(training_csv(tmp_path)),
        "--no-corrections",
        stdout=StringIO(),
    )

    counts = sorted(ClassifierVersion.objects.values_list("n_examples", flat=True))
    assert counts == [60, 61]


# --- Ids are required ---------------------------------------------------------


def test_a_line_without_an_id_gets_an_error_and_the_others_are_answered():
    # given lines without an id, with a null, a boolean or a blank id, and good ones
    lines = [
        json.dumps({"id": 1, "text": "my bag is lost"}),
        json.dumps({"text": "my flight is late"}),
        json.dumps({"id": None, "text": "my flight is late"}),
        json.dumps({"id": True, "text": "my flight is late"}),
        json.dumps({"id": " ", "text": "my flight is late"}),
        json.dumps({"id": "x-2", "text": "my flight is late"}),
    ]

    # when they are classified
    answers = classify(lines)

    # then each bad line answers its error, and the good ones their category
    assert answers[1:5] == [
        {"id": None, "line": 2, "error": 'no "id"'},
        {"id": None, "line": 3, "error": 'no "id"'},
        {"id": None, "line": 4, "error": '"id" is not a string or a number'},
        {"id": " ", "line": 5, "error": '"id" is empty'},
    ]
    assert [(a["id"], "category" in a) for a in (answers[0], answers[5])] == [
        (1, True),
        ("x-2", True),
    ]


# --- Enough examples ----------------------------------------------------------


def write_rows(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / "small.csv"
    lines = ["text,category"] + [f'"{text}",{code}' for text, code in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_rows_of_one_category_are_refused_and_nothing_is_trained(tmp_path):
    # given the file that once scored a macro F1 of 1.000
    path = write_rows(
        tmp_path, [("flight late", "flight.delay"), ("late again", "flight.delay")]
    )

    # when it is trained
    with pytest.raises(CommandError) as raised:
        call_command("train_classifier", str(path), stdout=StringIO())

    # then it is refused with the reason
    assert str(raised.value) == (
        f"{path}: cannot train: a classifier needs examples of at least 2 "
        "categories; these have 1 (flight.delay)"
    )
    assert ClassifierVersion.objects.count() == 0


def test_a_category_with_fewer_than_ten_examples_is_named(tmp_path):
    # given 20 examples each of three categories, and 4 of baggage.damaged
    path = training_csv(
        tmp_path,
        "".join(f'"my suitcase {n} is broken",baggage.damaged,\n' for n in range(4)),
    )

    # when it is trained
    with pytest.raises(CommandError) as raised:
        call_command("train_classifier", str(path), stdout=StringIO())

    # then the short category is named with its count
    assert str(raised.value) == (
        f"{path}: cannot train: every category needs at least 10 examples (a fifth "
        "is held out to score the model); too few for baggage.damaged 4. Add "
        "examples of these categories or leave their rows out."
    )
    assert ClassifierVersion.objects.count() == 0


def test_agents_corrections_count_toward_the_ten_examples(tmp_path):
    # given 9 examples of baggage.damaged in the file and one agent's correction
    path = training_csv(
        tmp_path,
        "".join(f'"my suitcase {n} is broken",baggage.damaged,\n' for n in range(9)),
    )
    TrainingExample.objects.create(
        text="the handle of my bag was torn off",
        category="baggage.damaged",
        source="correction",
    )

    # when it is trained, then a version exists with the 70 examples
    call_command("train_classifier", str(path), stdout=StringIO(), stderr=StringIO())

    assert ClassifierVersion.objects.get().n_examples == 70


def test_taxonomy_categories_without_examples_are_named_in_a_warning(tmp_path):
    # given examples of three of the taxonomy's categories
    path = training_csv(tmp_path)
    err = StringIO()

    # when they are trained
    call_command("train_classifier", str(path), stdout=StringIO(), stderr=err)

    # then the other categories are named, in the taxonomy's order
    missing = [
        code
        for code in Category.objects.filter(is_active=True).values_list(
            "code", flat=True
        )
        if code not in TRAINING
    ]
    assert len(missing) == 27
    assert err.getvalue() == (
        "warning: 27 categories of the taxonomy have no examples, so this version "
        f"never predicts them: {', '.join(missing)}\n"
    )
    assert ClassifierVersion.objects.get().metrics["missing_categories"] == missing
