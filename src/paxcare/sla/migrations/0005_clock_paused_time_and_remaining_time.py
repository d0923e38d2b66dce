import datetime

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0004_clock_state_cancelled"),
    ]

    operations = [
        migrations.AddField(
            model_name="clock",
            name="paused_time",
            field=models.DurationField(default=datetime.timedelta),
        ),
        migrations.AddField(
            model_name="clock",
            name="remaining_time",
            field=models.DurationField(blank=True, null=True),
        ),
    ]
