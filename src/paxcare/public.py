"""Where passengers and staff reach this installation: absolute links for messages.

Mail and SMS leave the request that made them, so their links cannot come from
the request's host: they come from ``PAXCARE_PUBLIC_URL`` (``settings.PUBLIC_URL``).
"""

from django.conf import settings


def public_url(path: str = "") -> str:
    """Return the absolute address of a path of this installation."""
    return settings.PUBLIC_URL.rstrip("/") + path
