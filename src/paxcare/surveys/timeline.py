"""How the survey events read on a case's timeline, in the active language."""

from django.utils.translation import gettext as _

from paxcare.cases.models import Event
from paxcare.surveys.events import SurveyEvent


def describe_survey_event(event: Event) -> str | None:
    """Return one line for a survey event; None for events of other apps."""
    data = event.data
    if event.type == SurveyEvent.ANSWERED:
        text = _("Survey answered: satisfaction %(rating)s of 5.") % {
            "rating": data.get("rating", "—")
        }
        if data.get("recommend") is not None:
            text += " " + _("Likelihood to recommend %(score)s of 10.") % {
                "score": data["recommend"]
            }
        return text
    if event.type == SurveyEvent.SECOND_ANSWER:
        second = data.get("second") or {}
        return _(
            "A second survey answer (satisfaction %(rating)s) was received and not "
            "applied: the first answer stands."
        ) % {"rating": second.get("rating", "—")}
    if event.type == SurveyEvent.FOLLOW_UP_OPENED:
        return _("Low survey rating: follow-up opened for the department's supervisor.")
    texts = {
        SurveyEvent.CREATED: _("Satisfaction survey created."),
        SurveyEvent.INVITED: _("Survey invitation sent to the passenger."),
        SurveyEvent.REMINDED: _("Survey reminder sent to the passenger."),
        SurveyEvent.FOLLOW_UP_CLOSED: _("Follow-up of the low rating closed."),
    }
    text = texts.get(event.type)
    return None if text is None else str(text)
