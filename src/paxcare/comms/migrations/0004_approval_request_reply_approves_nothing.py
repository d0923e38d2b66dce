"""The approval request says that a reply approves nothing, in existing workspaces.

The default templates are installed once and never overwritten, so a workspace
installed before the warning was added to the approval request still invites a
supervisor to answer by e-mail. Each approval-request template whose e-mail text is
still exactly the previous default gets the current default text; a text an
administrator edited is left as it is (subject and short text did not change).
"""

from django.db import migrations

_EN = (
    "{{ requester|default:'An agent' }} asks for your approval on case "
    "{{ case_number }}{% if case_subject %} ({{ case_subject }}){% endif %}:\n\n"
    "{{ offer_text|default:'a remedy over their limit' }}"
    "{% if amount %} ({{ amount }} {{ currency }}){% endif %}\n"
    "{% if console_url %}\nOpen the case: {{ console_url }}\n{% endif %}"
)
_ZH = (
    "{{ requester|default:'客服专员' }}请您审批案件 {{ case_number }}"
    "{% if case_subject %}（{{ case_subject }}）{% endif %}：\n\n"
    "{{ offer_text|default:'超出其权限的补偿' }}"
    "{% if amount %}（{{ amount }} {{ currency }}）{% endif %}\n"
    "{% if console_url %}\n打开案件：{{ console_url }}\n{% endif %}"
)

# (language) -> (previous default body, current default body), written out here
# rather than read from paxcare.comms.defaults so that this step never changes.
BODIES = {
    "en": (
        _EN,
        _EN + "\nApprove or decline it in the console. A reply to this e-mail "
        "approves nothing: it is kept on the case as an internal note.\n",
    ),
    "zh-hans": (
        _ZH,
        _ZH + "\n请在控制台中批准或拒绝。回复本邮件不会批准任何补偿，"
        "回复内容将作为内部备注保存在案件中。\n",
    ),
}


def update_unedited(apps, schema_editor) -> None:
    Template = apps.get_model("comms", "Template")
    for language, (previous, current) in BODIES.items():
        Template.objects.filter(
            purpose="approval_request", language=language, body=previous
        ).update(body=current)


class Migration(migrations.Migration):
    dependencies = [
        ("comms", "0003_disruption_templates_case_joined_wording"),
    ]

    operations = [
        migrations.RunPython(update_unedited, migrations.RunPython.noop, elidable=True),
    ]
