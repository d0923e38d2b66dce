"""Timeline entries that surveys write on a case."""

from django.db import models


class SurveyEvent(models.TextChoices):
    CREATED = "survey.created"
    INVITED = "survey.invited"
    REMINDED = "survey.reminded"
    ANSWERED = "survey.answered"
    # A later answer through the same link: recorded, never applied.
    SECOND_ANSWER = "survey.second_answer"
    FOLLOW_UP_OPENED = "survey.follow_up_opened"
    FOLLOW_UP_CLOSED = "survey.follow_up_closed"
