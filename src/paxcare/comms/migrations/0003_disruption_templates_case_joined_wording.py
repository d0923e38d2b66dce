"""The joined-case wording for the default disruption templates of existing workspaces.

The default templates are installed once, when a row is missing, and never
overwritten, so a workspace installed before the ``case_joined`` branch still tells a
passenger whose case took in a disruption that a case was opened for them. Each
disruption template whose e-mail text is still exactly the previous default gets the
current default text; a text an administrator edited is left as it is (their subject
and short text are never touched: neither changed).
"""

from django.db import migrations

_EN_HEAD = (
    "Dear {{ passenger_name|default:'passenger' }},\n\n"
    "{{ disruption_text|default:'Your flight is disrupted.' }}\n\n"
    "{% if care_text %}{{ care_text }}\n\n{% endif %}"
)
_EN_TAIL = (
    " Reply to this e-mail with "
    "any question; keep the case number in the subject.\n\nCustomer care"
)
_ZH_HEAD = (
    "尊敬的{{ passenger_name|default:'旅客' }}：\n\n"
    "{{ disruption_text|default:'您的航班运行不正常。' }}\n\n"
    "{% if care_text %}{{ care_text }}\n\n{% endif %}"
)
_ZH_TAIL = "如有疑问请直接回复本邮件，并保留主题中的案件编号。\n\n客户服务中心"

# (language) -> (previous default body, current default body), written out here
# rather than read from paxcare.comms.defaults so that this step never changes.
BODIES = {
    "en": (
        _EN_HEAD + "We have opened case {{ case_number }} for you." + _EN_TAIL,
        _EN_HEAD + "{% if case_joined %}Your case {{ case_number }} now covers this "
        "disruption.{% else %}We have opened case {{ case_number }} for you."
        "{% endif %}" + _EN_TAIL,
    ),
    "zh-hans": (
        _ZH_HEAD + "我们已为您建立案件 {{ case_number }}。" + _ZH_TAIL,
        _ZH_HEAD
        + "{% if case_joined %}您的案件 {{ case_number }} 现已涵盖此次航班变动。"
        "{% else %}我们已为您建立案件 {{ case_number }}。{% endif %}" + _ZH_TAIL,
    ),
}


def update_unedited(apps, schema_editor) -> None:
    Template = apps.get_model("comms", "Template")
    for language, (previous, current) in BODIES.items():
        Template.objects.filter(
            purpose="disruption", language=language, body=previous
        ).update(body=current)


class Migration(migrations.Migration):
    dependencies = [
        ("comms", "0002_provider_ids_and_unsubscribed"),
    ]

    operations = [
        migrations.RunPython(update_unedited, migrations.RunPython.noop, elidable=True),
    ]
