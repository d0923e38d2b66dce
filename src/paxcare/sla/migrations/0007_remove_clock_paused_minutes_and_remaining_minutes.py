from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0006_copy_clock_minutes_to_durations"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="clock",
            name="paused_minutes",
        ),
        migrations.RemoveField(
            model_name="clock",
            name="remaining_minutes",
        ),
    ]
