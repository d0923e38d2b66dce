"""The notification texts PaxCare ships, in English and Simplified Chinese.

``install_templates`` writes them as Template rows when a row is missing, after every
migrate, and never overwrites one: administrators' edits survive upgrades. They are
also the fallback when an administrator deactivates a row. The variables each
template may use are listed in ``paxcare.comms.rendering``.
"""

from paxcare.comms.models import Purpose, Template

ENGLISH = "en"
CHINESE = "zh-hans"

_EN_SIGNATURE = "{{ agent_name|default:'Customer care' }}"
_ZH_SIGNATURE = "{{ agent_name|default:'客户服务中心' }}"

# (purpose, language) -> (subject, body, short text).
DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str, str]] = {
    (Purpose.ACKNOWLEDGEMENT, ENGLISH): (
        "We have received your request",
        "Dear {{ passenger_name|default:'passenger' }},\n\n"
        "Thank you for contacting us. Your case number is {{ case_number }}"
        "{% if case_subject %} ({{ case_subject }}){% endif %}.\n"
        "{% if answer_due %}You can expect our answer by {{ answer_due }}.\n"
        "{% endif %}\n"
        "To add anything, reply to this e-mail and keep the case number in the "
        "subject.\n\nCustomer care",
        "We received your request, case {{ case_number }}."
        "{% if answer_due %} Answer by {{ answer_due }}.{% endif %}",
    ),
    (Purpose.ACKNOWLEDGEMENT, CHINESE): (
        "我们已收到您的来信",
        "尊敬的{{ passenger_name|default:'旅客' }}：\n\n"
        "感谢您联系我们。您的案件编号是 {{ case_number }}"
        "{% if case_subject %}（{{ case_subject }}）{% endif %}。\n"
        "{% if answer_due %}我们将在 {{ answer_due }} 前答复您。\n{% endif %}\n"
        "如需补充信息，请直接回复本邮件，并保留主题中的案件编号。\n\n客户服务中心",
        "已收到您的来信，案件编号 {{ case_number }}。"
        "{% if answer_due %}我们将在 {{ answer_due }} 前答复。{% endif %}",
    ),
    (Purpose.REPLY, ENGLISH): (
        "Our answer to your case",
        "{{ reply_text }}\n\n" + _EN_SIGNATURE + "\nCase {{ case_number }}",
        "Case {{ case_number }}: {{ reply_text|truncatechars:120 }}",
    ),
    (Purpose.REPLY, CHINESE): (
        "关于您的案件的答复",
        "{{ reply_text }}\n\n" + _ZH_SIGNATURE + "\n案件编号 {{ case_number }}",
        "案件 {{ case_number }}：{{ reply_text|truncatechars:60 }}",
    ),
    (Purpose.INFO_REQUEST, ENGLISH): (
        "We need more information",
        "{% if reply_text %}{{ reply_text }}\n\n{% endif %}"
        "To continue with case {{ case_number }} we need a little more information "
        "from you. Please reply to this e-mail; the case waits for your answer.\n\n"
        + _EN_SIGNATURE,
        "Case {{ case_number }}: we need more information, please reply.",
    ),
    (Purpose.INFO_REQUEST, CHINESE): (
        "请补充信息",
        "{% if reply_text %}{{ reply_text }}\n\n{% endif %}"
        "为继续处理案件 {{ case_number }}，我们需要您补充一些信息。"
        "请直接回复本邮件，案件将等待您的答复。\n\n" + _ZH_SIGNATURE,
        "案件 {{ case_number }}：请补充信息并回复。",
    ),
    (Purpose.RESULT, ENGLISH): (
        "Your case is resolved",
        "{% if result_text %}{{ result_text }}\n\n{% endif %}"
        "{% if compensation %}Compensation: {{ compensation }}\n\n{% endif %}"
        "We have resolved case {{ case_number }}. If anything is still not right, "
        "reply to this e-mail and we will look at it again.\n\n" + _EN_SIGNATURE,
        "Case {{ case_number }} is resolved. Reply if anything is still not right.",
    ),
    (Purpose.RESULT, CHINESE): (
        "您的案件已处理完毕",
        "{% if result_text %}{{ result_text }}\n\n{% endif %}"
        "{% if compensation %}补偿：{{ compensation }}\n\n{% endif %}"
        "案件 {{ case_number }} 已处理完毕。如仍有问题，请直接回复本邮件，"
        "我们会再次处理。\n\n" + _ZH_SIGNATURE,
        "案件 {{ case_number }} 已处理完毕，如有问题请回复。",
    ),
    (Purpose.SURVEY, ENGLISH): (
        "How did we do?",
        "Dear {{ passenger_name|default:'passenger' }},\n\n"
        "We have closed case {{ case_number }}. Would you tell us how we handled "
        "it? The survey takes a minute:\n\n{{ survey_url }}\n\n"
        "Thank you.\nCustomer care",
        "How did we handle case {{ case_number }}? {{ survey_url }}",
    ),
    (Purpose.SURVEY, CHINESE): (
        "请评价我们的服务",
        "尊敬的{{ passenger_name|default:'旅客' }}：\n\n"
        "案件 {{ case_number }} 已结束。请花一分钟告诉我们您对处理过程的评价：\n\n"
        "{{ survey_url }}\n\n谢谢！\n客户服务中心",
        "请评价案件 {{ case_number }} 的处理：{{ survey_url }}",
    ),
    (Purpose.OFFER, ENGLISH): (
        "Our offer for your case",
        "Dear {{ passenger_name|default:'passenger' }},\n\n"
        "For case {{ case_number }} we offer you: {{ offer_text }}"
        "{% if amount %} ({{ amount }} {{ currency }}){% endif %}.\n"
        "{% if accept_url %}\nTo accept or decline, open {{ accept_url }}\n{% endif %}"
        "{% if expires %}The offer is open until {{ expires }}.\n{% endif %}"
        "\n" + _EN_SIGNATURE,
        "Case {{ case_number }}: our offer: {{ offer_text|truncatechars:100 }}"
        "{% if accept_url %} {{ accept_url }}{% endif %}",
    ),
    (Purpose.OFFER, CHINESE): (
        "关于您的案件的补偿方案",
        "尊敬的{{ passenger_name|default:'旅客' }}：\n\n"
        "针对案件 {{ case_number }}，我们为您提供：{{ offer_text }}"
        "{% if amount %}（{{ amount }} {{ currency }}）{% endif %}。\n"
        "{% if accept_url %}\n接受或拒绝请打开：{{ accept_url }}\n{% endif %}"
        "{% if expires %}此方案有效期至 {{ expires }}。\n{% endif %}"
        "\n" + _ZH_SIGNATURE,
        "案件 {{ case_number }} 补偿方案：{{ offer_text|truncatechars:50 }}"
        "{% if accept_url %} {{ accept_url }}{% endif %}",
    ),
    (Purpose.APPROVAL_REQUEST, ENGLISH): (
        "Approval needed",
        "{{ requester|default:'An agent' }} asks for your approval on case "
        "{{ case_number }}{% if case_subject %} ({{ case_subject }}){% endif %}:\n\n"
        "{{ offer_text|default:'a remedy over their limit' }}"
        "{% if amount %} ({{ amount }} {{ currency }}){% endif %}\n"
        "{% if console_url %}\nOpen the case: {{ console_url }}\n{% endif %}"
        "\nApprove or decline it in the console. A reply to this e-mail approves "
        "nothing: it is kept on the case as an internal note.\n",
        "Approval needed on case {{ case_number }}"
        "{% if amount %}: {{ amount }} {{ currency }}{% endif %}",
    ),
    (Purpose.APPROVAL_REQUEST, CHINESE): (
        "待您审批",
        "{{ requester|default:'客服专员' }}请您审批案件 {{ case_number }}"
        "{% if case_subject %}（{{ case_subject }}）{% endif %}：\n\n"
        "{{ offer_text|default:'超出其权限的补偿' }}"
        "{% if amount %}（{{ amount }} {{ currency }}）{% endif %}\n"
        "{% if console_url %}\n打开案件：{{ console_url }}\n{% endif %}"
        "\n请在控制台中批准或拒绝。回复本邮件不会批准任何补偿，回复内容将作为内部备注"
        "保存在案件中。\n",
        "案件 {{ case_number }} 待审批"
        "{% if amount %}：{{ amount }} {{ currency }}{% endif %}",
    ),
    (Purpose.DISRUPTION, ENGLISH): (
        "About your flight {{ flight_number }}",
        "Dear {{ passenger_name|default:'passenger' }},\n\n"
        "{{ disruption_text|default:'Your flight is disrupted.' }}\n\n"
        "{% if care_text %}{{ care_text }}\n\n{% endif %}"
        "{% if case_joined %}Your case {{ case_number }} now covers this "
        "disruption.{% else %}We have opened case {{ case_number }} for you."
        "{% endif %} Reply to this e-mail with "
        "any question; keep the case number in the subject.\n\nCustomer care",
        "Flight {{ flight_number }}: "
        "{{ disruption_text|default:'your flight is disrupted.'|truncatechars:100 }}"
        " Case {{ case_number }}.",
    ),
    (Purpose.DISRUPTION, CHINESE): (
        "关于您的航班 {{ flight_number }}",
        "尊敬的{{ passenger_name|default:'旅客' }}：\n\n"
        "{{ disruption_text|default:'您的航班运行不正常。' }}\n\n"
        "{% if care_text %}{{ care_text }}\n\n{% endif %}"
        "{% if case_joined %}您的案件 {{ case_number }} 现已涵盖此次航班变动。"
        "{% else %}我们已为您建立案件 {{ case_number }}。{% endif %}"
        "如有疑问请直接回复本邮件，"
        "并保留主题中的案件编号。\n\n客户服务中心",
        "航班 {{ flight_number }}："
        "{{ disruption_text|default:'您的航班运行不正常。'|truncatechars:50 }}"
        "案件 {{ case_number }}。",
    ),
}


def install_templates() -> int:
    """Create the default templates that have no row yet; return how many."""
    existing = set(Template.objects.values_list("purpose", "language"))
    missing = [
        Template(
            purpose=purpose,
            language=language,
            subject=subject,
            body=body,
            short_text=short,
        )
        for (purpose, language), (subject, body, short) in DEFAULT_TEMPLATES.items()
        if (purpose, language) not in existing
    ]
    Template.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
