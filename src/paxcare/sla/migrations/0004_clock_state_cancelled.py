from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0003_clock_kind_regulatory"),
    ]

    operations = [
        migrations.AlterField(
            model_name="clock",
            name="state",
            field=models.CharField(
                choices=[
                    ("running", "running"),
                    ("paused", "paused"),
                    ("met", "met"),
                    ("breached", "breached"),
                    ("cancelled", "cancelled: resolved without a reply"),
                ],
                default="running",
                max_length=10,
            ),
        ),
    ]
