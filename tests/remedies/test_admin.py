"""Administrators edit the rule data in the admin; offers stay read-only there."""

import pytest

from paxcare.remedies.models import GoodwillRule, PlaybookStep


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["superuser"])
    return client


@pytest.mark.parametrize(
    "page",
    [
        "carrier/add/",
        "goodwillrule/",
        "exchangerate/",
        "playbook/",
        "remedyoffer/",
        "ledgerentry/",
    ],
)
def test_the_rule_data_pages_open(admin_client, page):
    assert admin_client.get(f"/admin/remedies/{page}").status_code == 200


def test_a_goodwill_rule_in_miles_needs_its_miles(admin_client):
    before = GoodwillRule.objects.count()

    response = admin_client.post(
        "/admin/remedies/goodwillrule/add/",
        {
            "event_type": "delay",
            "min_delay_minutes": "240",
            "max_delay_minutes": "120",
            "kind": "miles",
            "effective_from": "2026-01-01",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert sorted(errors) == ["max_delay_minutes", "miles"]
    assert GoodwillRule.objects.count() == before


def test_a_playbook_step_is_made_optional_in_the_admin(admin_client):
    step = PlaybookStep.objects.get(playbook__category__code="baggage.lost", code="pir")
    playbook = step.playbook
    steps = list(playbook.steps.all())
    data = {
        "category": playbook.category_id,
        "name_en": playbook.name_en,
        "name_zh": playbook.name_zh,
        "is_active": "on",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(steps):
        prefix = f"steps-{index}-"
        data.update(
            {
                prefix + "id": row.pk,
                prefix + "playbook": playbook.pk,
                prefix + "position": row.position,
                prefix + "code": row.code,
                prefix + "title_en": row.title_en,
                prefix + "title_zh": row.title_zh,
                prefix + "help_en": row.help_en,
                prefix + "help_zh": row.help_zh,
            }
        )
        if row.required and row.pk != step.pk:
            data[prefix + "required"] = "on"

    response = admin_client.post(
        f"/admin/remedies/playbook/{playbook.pk}/change/", data
    )

    assert response.status_code == 302
    step.refresh_from_db()
    assert step.required is False


def test_offers_cannot_be_added_or_changed_in_the_admin(admin_client):
    assert admin_client.get("/admin/remedies/remedyoffer/add/").status_code == 403
