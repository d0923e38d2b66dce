"""``paxcare seed-demo``: the demo workspace's people, in demo mode only.

One supervisor for every department, two agents per department, an auditor and an
administrator. Their passwords are random, drawn on the first run, kept in
``var/demo-credentials.txt`` and used again on every later run. Every account is
marked as a demo account (``paxcare.accounts.demo``): outside demo mode none of them
can sign in or use a token.
"""

import os
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from paxcare.accounts.demo import mark_demo_account
from paxcare.defaults import install_defaults
from paxcare.routing.models import Agent, Department, Role

CREDENTIALS_FILE = "demo-credentials.txt"
AGENTS_PER_DEPARTMENT = 2
# Offers up to these amounts are approved by their proposer; above, a second person
# approves (docs/remedies.md). Auditors propose nothing.
APPROVAL_LIMITS = {
    Role.AGENT: Decimal("500"),
    Role.SUPERVISOR: Decimal("5000"),
    Role.ADMIN: Decimal("50000"),
    Role.AUDITOR: Decimal("0"),
}
APPROVAL_CURRENCY = "EUR"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    role: str
    departments: tuple[str, ...]
    first_name: str = ""
    superuser: bool = False


def demo_people(department_codes: list[str]) -> list[DemoPerson]:
    """Return the demo accounts for the given departments, in display order."""
    people = [
        DemoPerson("admin", Role.ADMIN, (), "Admin", superuser=True),
        DemoPerson(
            "supervisor", Role.SUPERVISOR, tuple(department_codes), "Supervisor"
        ),
        DemoPerson("auditor", Role.AUDITOR, (), "Auditor"),
    ]
    for code in department_codes:
        short = code.split("-")[0]
        for n in range(1, AGENTS_PER_DEPARTMENT + 1):
            people.append(
                DemoPerson(
                    f"agent.{short}{n}", Role.AGENT, (code,), f"{short.title()} {n}"
                )
            )
    return people


def read_credentials(path: Path) -> dict[str, str]:
    """Return username -> password from the credentials file, empty if none."""
    if not path.is_file():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            found[parts[0]] = parts[1]
    return found


def write_credentials(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# PaxCare demo accounts: username password (demo mode only)"]
    lines += [f"{username} {password}" for username, password in passwords.items()]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


class Command(BaseCommand):
    help = "Create the demo accounts (demo mode only) and print their credentials."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url",
            default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}",
            help="Where the printed links point.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed-demo creates accounts with known passwords and runs only in demo "
                "mode: set PAXCARE_DEMO=1 for an evaluation workspace."
            )
        install_defaults()
        path = Path(settings.VAR_DIR) / CREDENTIALS_FILE
        passwords = read_credentials(path)
        departments = {d.code: d for d in Department.objects.all()}
        people = demo_people(sorted(departments))
        with transaction.atomic():
            for person in people:
                drawn = person.username not in passwords
                passwords.setdefault(person.username, secrets.token_urlsafe(12))
                self._ensure(person, passwords[person.username], drawn, departments)
            Department.objects.update(
                supervisor=get_user_model().objects.get(username="supervisor")
            )
        write_credentials(path, {p.username: passwords[p.username] for p in people})
        self._print(people, passwords, options["base_url"].rstrip("/"), path)

    def _ensure(
        self, person: DemoPerson, password: str, drawn: bool, departments
    ) -> None:
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={"first_name": person.first_name},
        )
        # A reachable-looking address, so that approval requests and alerts to
        # supervisors are written (the demo's mail goes to the console or a file).
        user.email = user.email or f"{person.username}@example.com"
        # The admin site is for administrators; agents work in the console.
        user.is_staff = user.is_superuser = person.superuser
        # Hashing costs a fraction of a second per account: only for new passwords.
        if created or drawn:
            user.set_password(password)
        user.save()
        mark_demo_account(user)
        agent, _ = Agent.objects.update_or_create(
            user=user,
            defaults={
                "role": person.role,
                "sees_all_departments": person.role in (Role.ADMIN, Role.AUDITOR),
                "approval_limit": APPROVAL_LIMITS[person.role],
                "approval_currency": APPROVAL_CURRENCY,
            },
        )
        agent.departments.set([departments[code] for code in person.departments])

    def _print(self, people, passwords, base_url: str, path: Path) -> None:
        rows = [("username", "role", "departments", "password")]
        for person in people:
            scope = ", ".join(person.departments) if person.departments else "all"
            if len(person.departments) > 1:
                scope = "all (supervisor)"
            rows.append(
                (person.username, person.role, scope, passwords[person.username])
            )
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            )
        self.stdout.write("")
        self.stdout.write(f"console   {base_url}/console/")
        self.stdout.write(f"portal    {base_url}/")
        self.stdout.write(f"API docs  {base_url}/api/v1/docs")
        self.stdout.write(f"admin     {base_url}/admin/")
        self.stdout.write(f"(credentials kept in {path})")
