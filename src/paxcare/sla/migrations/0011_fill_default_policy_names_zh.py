"""Chinese names for the default SLA policies of existing workspaces.

The defaults are installed once, on an empty table, and never overwritten; a
workspace installed before ``name_zh`` existed gets the Chinese name of each default
policy that still has its default English name and no Chinese name yet. A policy an
administrator renamed or named in Chinese is left as it is.
"""

from django.db import migrations

# The default policies' names as 0010 found them, English to Chinese (the same
# pairs as paxcare.sla.defaults, written here so that this step never changes).
CHINESE_NAMES = {
    "Standard: first response in 24 hours, resolution in 10 working days": (
        "标准：24 小时内首次响应，10 个工作日内解决"
    ),
    "Urgent: first response in 2 hours": "紧急：2 小时内首次响应",
    "Flight disruption: resolution in 5 working days": "航班不正常：5 个工作日内解决",
    "Baggage: resolution in 21 days (the Montreal Convention's loss threshold)": (
        "行李：21 天内解决（《蒙特利尔公约》认定行李丢失的期限）"
    ),
    "Refunds: resolution in 7 working days": "退款：7 个工作日内解决",
    "Inquiries: resolution in 3 working days": "咨询：3 个工作日内解决",
}


def fill(apps, schema_editor) -> None:
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    for name, name_zh in CHINESE_NAMES.items():
        SlaPolicy.objects.filter(name=name, name_zh="").update(name_zh=name_zh)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0010_slapolicy_name_zh"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
