from django.conf import settings


def site(request):
    """Expose the few settings every page needs."""
    return {"DEMO_MODE": settings.DEMO_MODE}
