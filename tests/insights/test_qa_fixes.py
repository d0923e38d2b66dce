"""What a QA pass found in the insights: far dates, odd Zendesk lines, the rounding
of rates and two Chinese words of the management report."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from paxcare.cases.models import Case, Message
from paxcare.cases.services import reply_to_passenger
from paxcare.console.kpis import percent
from paxcare.insights.kpis import rate_percent
from paxcare.insights.presentation import report_sections
from paxcare.insights.reports import build_report, month_period
from paxcare.insights.zendesk import import_zendesk_json
from paxcare.intake.drafts import MAX_DESCRIPTION_CHARS
from paxcare.routing.models import Role
from tests.api.conftest import ApiClient
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

RANGE_MESSAGE = "Give a date between the years 1900 and 2999."


@pytest.fixture
def supervisor():
    return make_agent("sup", role=Role.SUPERVISOR, departments=("baggage",))


# --- 1. Dates outside the years 1900-2999 ------------------------------------------


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/kpis", {"start": "0001-01-01"}),
        ("/kpis", {"end": "9999-12-31"}),
        ("/insights/breakdown", {"by": "airport", "start": "0001-01-01"}),
        ("/insights/trends", {"end": "9999-12-31T23:59:59"}),
    ],
)
def test_the_api_refuses_a_far_date_as_a_field_error(supervisor, path, query):
    response = ApiClient(supervisor).get(path, **query)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert [(f["field"], f["code"], f["message"]) for f in error["fields"]] == [
        (next(iter(k for k in query if k != "by")), "date_out_of_range", RANGE_MESSAGE)
    ]


def test_the_api_still_takes_the_first_and_last_working_years(supervisor):
    response = ApiClient(supervisor).get("/kpis", start="1900-01-01", end="2999-12-31")

    assert response.status_code == 200
    assert response.json()["received"] == 0


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/console/insights/?start=0001-01-01", "start"),
        ("/console/dashboard/?start=0001-01-01", "start"),
        ("/console/dashboard/?end=9999-12-31", "end"),
        ("/console/insights/breakdown/?by=airport&end=9999-12-31", "end"),
    ],
)
def test_a_page_shows_the_far_date_beside_its_field(client, supervisor, url, field):
    client.force_login(supervisor)

    response = client.get(url)

    assert response.status_code == 400
    assert response.context["form"].errors == {field: [RANGE_MESSAGE]}
    assert RANGE_MESSAGE in response.content.decode()


def test_a_page_says_it_in_chinese(client, supervisor):
    client.force_login(supervisor)

    with translation.override("zh-hans"):
        response = client.get(
            "/console/insights/?start=0001-01-01", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )

    assert response.status_code == 400
    assert "请填写 1900 年至 2999 年之间的日期。" in response.content.decode()


@pytest.mark.parametrize(
    "arguments",
    [
        ["--start", "0001-01-01", "--end", "9999-12-31"],
        ["--start", "1899-12-31"],
        ["--end", "3000-01-01T00:00:00Z"],
    ],
)
def test_the_kpis_command_refuses_a_far_date_in_one_line(arguments):
    with pytest.raises(CommandError) as refused:
        call_command("kpis", *arguments)

    option = arguments[0]
    assert str(refused.value) == f"{option}: {RANGE_MESSAGE}"


@pytest.mark.parametrize(
    ("period", "value"),
    [("month", "0001-01"), ("month", "9999-12"), ("week", "0001-W01")],
)
def test_the_report_command_refuses_a_far_period(tmp_path, period, value):
    with pytest.raises(CommandError) as refused:
        call_command(
            "report",
            "--period",
            period,
            f"--{period}",
            value,
            "--html",
            str(tmp_path / "r.html"),
        )

    assert str(refused.value) == f"--{period}: {RANGE_MESSAGE}"


def test_the_report_page_refuses_a_far_month(client, supervisor):
    client.force_login(supervisor)

    response = client.get(
        "/console/insights/reports/",
        {"kind": "month", "period": "0001-01", "language": "en", "output": "html"},
    )

    assert response.context["form"].errors == {"period": [RANGE_MESSAGE]}


# --- 2. Zendesk lines of the wrong shape -------------------------------------------


def ticket(number: int, **fields) -> dict:
    return {
        "id": number,
        "subject": f"Ticket {number}",
        "description": "My bag did not arrive.",
        "status": "open",
        "via": {"channel": "email"},
        "requester_id": 7,
        "requester": {"id": 7, "name": "Li Wei", "email": "li.wei@example.com"},
        "created_at": "2025-03-03T00:00:00Z",
        **fields,
    }


def write_export(tmp_path, tickets: list[dict]):
    path = tmp_path / "tickets.json"
    path.write_text("\n".join(json.dumps(t) for t in tickets) + "\n", encoding="utf-8")
    return path


def import_file(path):
    errors = []
    report = import_zendesk_json(path, zone=ZoneInfo("UTC"), on_error=errors.append)
    return report, [(e.line, e.message) for e in errors]


def test_wrong_types_reject_their_line_and_the_rest_is_imported(tmp_path):
    path = write_export(
        tmp_path,
        [
            ticket(201),
            ticket(202, via="email"),
            ticket(203, metric_set="fast"),
            ticket(204, requester="Li Wei"),
            ticket(205, satisfaction_rating={"score": "good", "created_at": "soon"}),
            ticket(206, tags="baggage_delayed"),
            ticket(207, metric_set={"reopens": "twice"}),
            ticket(208, comments={"id": 1}),
            ticket(209, via={"channel": {"name": "web"}}),
        ],
    )

    report, errors = import_file(path)

    assert (report.read, report.created, report.rejected) == (9, 2, 7)
    assert errors == [
        (2, "via is not an object"),
        (3, "metric_set is not an object"),
        (4, "requester is not an object"),
        (5, "satisfaction_rating.created_at is not a time: 'soon'"),
        (6, "tags is not a list"),
        (7, "reopens is not a number"),
        (8, "comments is not a list"),
    ]
    assert sorted(Case.objects.values_list("external_id", "channel")) == [
        ("zendesk:201", "email"),
        ("zendesk:209", "web"),
    ]


def test_the_command_reports_the_line_and_imports_the_rest(tmp_path):
    path = write_export(tmp_path, [ticket(301, via=["email"]), ticket(302)])
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_cases",
            str(path),
            "--format",
            "zendesk-json",
            stdout=out,
            stderr=err,
        )

    assert "created 1" in out.getvalue()
    assert "line 1: via is not an object" in err.getvalue()
    assert list(Case.objects.values_list("external_id", flat=True)) == ["zendesk:302"]


def test_a_comment_over_the_limit_is_kept_shortened_with_a_note(tmp_path):
    long_text = "Lost bag. " * 2_500  # 25,000 characters
    path = write_export(
        tmp_path,
        [
            ticket(
                401,
                description="",
                comments=[
                    {
                        "id": 1,
                        "author_id": 7,
                        "created_at": "2025-03-03T00:00:00Z",
                        "body": long_text,
                    },
                    {
                        "id": 2,
                        "author_id": 90,
                        "created_at": "2025-03-03T02:00:00Z",
                        "body": "Sorry. " + long_text,
                    },
                ],
            )
        ],
    )

    report, errors = import_file(path)

    assert (report.created, report.rejected, errors) == (1, 0, [])
    note = "[Shortened: the full text is in the Zendesk export.]"
    case = Case.objects.get()
    reply = Message.objects.get(case=case)
    for text in (case.description, reply.body):
        assert len(text) <= MAX_DESCRIPTION_CHARS
        assert text.endswith("\n\n" + note)
    assert case.description.startswith("Lost bag. Lost bag.")
    assert reply.body.startswith("Sorry. Lost bag.")


# --- 3. One rounding of rates ------------------------------------------------------


def test_rates_round_half_up_to_one_decimal():
    rates = (0.4286, 0.4285, 0.4284, 0.0005, 1.0, 0.0)
    assert [str(rate_percent(r)) for r in rates] == [
        "42.9",
        "42.9",
        "42.8",
        "0.1",
        "100.0",
        "0.0",
    ]
    assert rate_percent(None) is None
    assert percent(0.4286) == "42.9 %"


@pytest.fixture
def three_of_seven(supervisor):
    """Seven cases on 3 March 2025; three answered within two hours."""
    received = datetime(2025, 3, 3, 2, tzinfo=UTC)
    cases = [make_case(received_at=received) for _ in range(7)]
    for case in cases[:3]:
        reply_to_passenger(
            case, "Found.", actor=supervisor, at=received + timedelta(hours=2)
        )
    return supervisor


def test_dashboard_command_and_api_show_the_same_rate(client, three_of_seven):
    client.force_login(three_of_seven)
    out = StringIO()

    page = client.get(
        "/console/dashboard/", {"start": "2025-03-01", "end": "2025-03-31"}
    )
    call_command("kpis", "--start", "2025-03-01", "--end", "2025-04-01", stdout=out)
    api = ApiClient(three_of_seven).get(
        "/kpis", start="2025-03-01T00:00:00", end="2025-04-01T00:00:00"
    )

    assert api.json()["first_response"]["rate"] == 0.4286
    assert "first response <=24 h 42.9% (3 of 7)" in out.getvalue()
    html = page.content.decode()
    assert "42.9 %" in html
    assert "42.8 %" not in html


# --- 4. The report's Chinese words -------------------------------------------------


def test_the_chinese_report_says_change_and_not_achieved(supervisor):
    make_case(received_at=datetime(2026, 11, 2, 2, tzinfo=UTC))
    report = build_report(
        month_period(2026, 11), now=datetime(2026, 12, 1, 8, tzinfo=UTC)
    )

    with translation.override("zh-hans"):
        tables = report_sections(report, {})

    volumes, targets = tables[0], tables[1]
    assert volumes.headers == ["业务量", "本期", "上期", "变化"]
    assert tables[2].headers[-1] == "变化"
    first_response = next(row for row in targets.rows if row[0].startswith("24"))
    assert first_response[-1] == "未达成"
