"""The timeline's contact lines take the punctuation of the reader's language."""

from django.utils import translation

from paxcare.crm.timeline import describe_contact_changed, describe_contact_given

CHANGED = {
    "phone": {"old": "+86 138 0000 0000", "new": "+86 139 0000 0000"},
    "email": {"old": "li@example.com", "new": "li.na@example.com"},
}
GIVEN = {"email": "li.na@example.com", "phone": "+86 139 0000 0000"}


def test_a_contact_change_reads_with_chinese_punctuation_in_chinese():
    # Given a case that changed the passenger's e-mail and phone
    # When staff read it in Chinese and in English
    with translation.override("zh-hans"):
        chinese = describe_contact_changed(CHANGED)
    with translation.override("en"):
        english = describe_contact_changed(CHANGED)

    # Then Chinese separates the changes with "；", English with "; "
    assert chinese == (
        "旅客的联系方式已更新：电子邮件：li@example.com → li.na@example.com；"
        "电话：+86 138 0000 0000 → +86 139 0000 0000。"
    )
    assert english == (
        "The passenger's contact details were updated: "
        "e-mail li@example.com → li.na@example.com; "
        "phone +86 138 0000 0000 → +86 139 0000 0000."
    )


def test_contact_details_given_read_with_chinese_punctuation_in_chinese():
    # Given contact details a case gave without applying them
    # When staff read them in Chinese
    with translation.override("zh-hans"):
        chinese = describe_contact_given(GIVEN)

    # Then the details are separated by "；"
    assert chinese == (
        "随本案件提交、未写入旅客资料的联系方式（此渠道无法确认发送人身份）："
        "电子邮件：li.na@example.com；电话：+86 139 0000 0000。"
    )
