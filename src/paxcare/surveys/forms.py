"""The survey form: the shape of an answer; services judge the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from paxcare.surveys.models import SurveyReason
from paxcare.surveys.services import MAX_COMMENT_CHARS, Answer

RATINGS = [
    (5, _("5 – very satisfied")),
    (4, _("4 – satisfied")),
    (3, _("3 – neither")),
    (2, _("2 – dissatisfied")),
    (1, _("1 – very dissatisfied")),
]


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your case?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    recommend = forms.TypedChoiceField(
        label=_(
            "How likely are you to recommend us to a friend or colleague? "
            "(0 = not at all, 10 = extremely likely; optional)"
        ),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    reason = forms.ChoiceField(label=_("The main reason"), required=False)
    comment = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        required=False,
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_COMMENT_CHARS}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reasons = SurveyReason.objects.filter(is_active=True)
        self.fields["reason"].choices = [("", _("(choose one)"))] + [
            (reason.code, reason.label) for reason in reasons
        ]

    def to_answer(self) -> Answer:
        data = self.cleaned_data
        return Answer(
            rating=data["rating"],
            recommend=data.get("recommend"),
            reason=data.get("reason") or "",
            comment=(data.get("comment") or "").strip(),
        )
