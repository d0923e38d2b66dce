"""Give every case written before the search document its document."""

from django.db import migrations

BATCH = 1000


def fill_search_documents(apps, schema_editor):
    from paxcare.cases.search import search_document

    Case = apps.get_model("cases", "Case")
    pending = Case.objects.filter(search_document="").order_by("pk")
    last = 0
    while True:
        batch = list(
            pending.filter(pk__gt=last)
            .select_related("passenger")
            .only(
                "pk",
                "number",
                "subject",
                "description",
                "passenger__email",
                "passenger__phone",
            )[:BATCH]
        )
        if not batch:
            return
        for case in batch:
            case.search_document = search_document(
                case.number,
                case.passenger.email,
                case.passenger.phone,
                case.subject,
                case.description,
            )
        Case.objects.bulk_update(batch, ["search_document"])
        last = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0004_covered_key_indexes_and_search_index"),
    ]

    operations = [
        migrations.RunPython(fill_search_documents, migrations.RunPython.noop),
    ]
