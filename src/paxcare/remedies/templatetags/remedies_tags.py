"""Tags that draw the remedies panels into other apps' case pages."""

from django import template

from paxcare.money import format_amount
from paxcare.remedies import names, panels

register = template.Library()


@register.inclusion_tag("remedies/console_panel.html", takes_context=True)
def remedies_console_panel(context) -> dict:
    """The console case page's panel: rights, goodwill, playbook, offers."""
    request = context["request"]
    return {
        **panels.console_panel(context["case"], request.user),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("remedies/portal_panel.html", takes_context=True)
def remedies_portal_panel(context) -> dict:
    """The passenger's offers on the portal's case page."""
    return {
        **panels.portal_panel(context["case"]),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def regime_name(code: str) -> str:
    """``{{ "montreal"|regime_name }}``: the regime's name in the page's language."""
    return names.regime_name(code)


@register.filter
def entitlement_name(code: str) -> str:
    """``{{ "us_dot.refund"|entitlement_name }}``: what the entitlement is."""
    return names.entitlement_name(code)


@register.filter
def amount_in(amount, currency: str) -> str:
    """``{{ total.amount|amount_in:total.currency }}``: "1,519.00", "500" in JPY."""
    if amount is None or amount == "":
        return ""
    return format_amount(amount, currency or "")


@register.filter
def owed_text(entitlement: dict) -> str:
    """``{{ e|owed_text }}``: an entitlement of money with its amount."""
    return names.owed_text(
        entitlement.get("code", ""),
        entitlement.get("amount"),
        entitlement.get("currency"),
    )
