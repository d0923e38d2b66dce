"""Factories for tests: real rows through the real services, with short defaults."""

import itertools

from django.contrib.auth import get_user_model

from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_case
from paxcare.routing.models import Agent, Department, Role

_serial = itertools.count(1)


def make_user(
    username: str | None = None, *, password: str = "pass-word-123", **fields
):
    username = username or f"user{next(_serial)}"
    return get_user_model().objects.create_user(
        username=username, password=password, **fields
    )


def make_agent(
    username: str | None = None,
    *,
    role: str = Role.AGENT,
    departments: tuple[str, ...] = ("baggage",),
    **fields,
):
    """Create a staff user with an agent profile in the named departments."""
    user = make_user(username, first_name=fields.pop("first_name", ""), is_staff=True)
    agent = Agent.objects.create(user=user, role=role, **fields)
    agent.departments.set(Department.objects.filter(code__in=departments))
    return user


def make_case(**fields):
    """Open a case through intake; category given so routing is predictable."""
    defaults = {
        "description": "My suitcase did not arrive in Beijing.",
        "channel": "web",
        "category": "baggage.delayed",
        "kind": "complaint",
        "email": f"pax{next(_serial)}@example.com",
        "passenger_name": "Li Wei",
    }
    defaults.update(fields)
    return open_case(CaseDraft(**defaults)).case


def complete_playbook(case, actor, at=None) -> None:
    """Tick every required step of the case's playbook, so that it may be resolved."""
    from paxcare.remedies.services import open_required_steps, tick_step

    for step in open_required_steps(case):
        tick_step(case, step.pk, actor=actor, at=at)
