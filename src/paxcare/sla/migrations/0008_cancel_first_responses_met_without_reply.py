"""First-response clocks that a resolution without any reply stopped as "met".

Until 0004 a resolution stopped the first-response clock as met even when no reply
had been sent; only a reply meets it now. Such clocks are those met while their case
still has no first response: they become cancelled, as a resolution without a reply
stops them today. Breached clocks stay breached. The timeline keeps its events.
"""

from django.db import migrations


def cancel(apps, schema_editor) -> None:
    Clock = apps.get_model("sla", "Clock")
    Clock.objects.filter(
        kind="first_response", state="met", case__first_response_at__isnull=True
    ).update(state="cancelled")


def uncancel(apps, schema_editor) -> None:
    Clock = apps.get_model("sla", "Clock")
    Clock.objects.filter(kind="first_response", state="cancelled").update(state="met")


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0007_remove_clock_paused_minutes_and_remaining_minutes"),
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(cancel, uncancel, elidable=True),
    ]
