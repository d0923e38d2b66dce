"""Log filters of the project's logging configuration (``settings.LOGGING``)."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """Keep the line of a refused request (403), drop the traceback Django adds.

    A refusal is an answer PaxCare chose to give (a person without the right to
    the page), not a fault: its traceback buried the log's real errors.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
