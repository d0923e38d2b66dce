"""The reasons a passenger can pick, installed when missing; editable by admins."""

# code, English, Chinese, rank
REASONS = [
    ("solved", "My problem was solved", "问题得到了解决", 10),
    ("quick", "Quick answer", "答复及时", 20),
    ("staff", "Friendly, competent staff", "服务人员友好、专业", 30),
    ("too_slow", "It took too long", "处理时间太长", 40),
    ("not_solved", "My problem was not solved", "问题没有得到解决", 50),
    ("compensation", "Compensation too low or missing", "补偿不足或没有补偿", 60),
    ("unclear", "Unclear or contradictory answers", "答复不清楚或前后矛盾", 70),
    ("other", "Something else", "其他", 80),
]


def install_reasons() -> None:
    """Create the default reasons that are missing; never overwrite edits."""
    from paxcare.surveys.models import SurveyReason

    known = set(SurveyReason.objects.values_list("code", flat=True))
    SurveyReason.objects.bulk_create(
        SurveyReason(code=code, label_en=en, label_zh=zh, rank=rank)
        for code, en, zh, rank in REASONS
        if code not in known
    )
