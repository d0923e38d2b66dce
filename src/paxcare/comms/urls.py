"""A mail provider's tracking webhooks (django-anymail), closed without a secret.

Only the *tracking* webhooks are mounted (``/anymail/<esp>/tracking/``): PaxCare
reads mail through its own pipe and IMAP poller, not a provider's inbound webhook.
Each answers 404 while ``ANYMAIL["WEBHOOK_SECRET"]`` is unset, so that a deployment
never has an open webhook through which anyone could post a fake bounce and block a
passenger's address; with the secret set, anymail refuses a request without the
right basic-auth credentials (400).
"""

from functools import wraps

from anymail.urls import urlpatterns as anymail_patterns
from django.http import Http404
from django.urls import URLPattern

from paxcare.comms.providers import webhook_secret_set

app_name = "anymail"


def secret_required(view):
    """Return ``view`` answering 404 unless the webhook secret is configured."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not webhook_secret_set():
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


urlpatterns = [
    URLPattern(pattern.pattern, secret_required(pattern.callback), name=pattern.name)
    for pattern in anymail_patterns
    if pattern.name and pattern.name.endswith("_tracking_webhook")
]
