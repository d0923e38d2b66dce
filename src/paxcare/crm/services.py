"""Passengers: find the person behind a contact, or remember a new one.

A returning passenger is found by e-mail, then phone, then social handle. What a
draft may change on them depends on who vouches for it (``docs/crm.md``):

- A channel whose sender is known (an agent's phone form, a token-authenticated
  integration, PaxCare's own manifests: ``CONTACT_AUTHORITIES``) gives the
  newest details: the passenger takes the draft's non-empty name, e-mail, phone
  and handle, and the caller learns what changed so that the timeline says so.
- Whatever the channel, a draft found only by its phone or handle that gives
  another e-mail address than the passenger's is another person (a family or an
  office sharing a phone, or someone typing another's number): it gets a
  passenger of its own, so that nothing meant for either reaches the other.
- Any other channel (the public web form, e-mail, social media) is typed by
  whoever sends it: it never replaces a known passenger's details and never adds
  a contact point (e-mail, phone, handle) that notifications would then reach; it
  may fill an empty name. What it gave and was not applied is reported
  (``PassengerLink.withheld``) so that the case keeps it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection

from paxcare.bulk import equals_any, insert_rows, new_row
from paxcare.cases.models import Channel
from paxcare.crm.models import Passenger

# Draft attribute -> passenger field, in the order a change is reported.
CONTACT_FIELDS = (
    ("passenger_name", "full_name"),
    ("email", "email"),
    ("phone", "phone"),
    ("social_handle", "social_handle"),
)
# The channels whose sender is vouched for: an agent who took the call, an
# integration holding an API token, the reservation system's manifests. Their
# drafts may change a known passenger's contact details.
CONTACT_AUTHORITIES = frozenset({Channel.PHONE, Channel.API, Channel.SYSTEM})
# What an unvouched draft may still fill when the passenger has none: a name is
# not a contact point, nothing is sent to it.
FILLABLE_BY_ANYONE = frozenset({"full_name"})


@dataclass
class PassengerLink:
    """The passenger of one draft, and what the draft changed on them."""

    passenger: Passenger
    created: bool = False
    # passenger field -> {"old": ..., "new": ...}
    changed: dict[str, dict[str, str]] = field(default_factory=dict)
    # passenger field -> what the draft gave that its channel may not apply
    withheld: dict[str, str] = field(default_factory=dict)


def link_passengers(drafts: Sequence) -> list[Passenger]:
    """Return one passenger per draft: found by e-mail, phone or handle, else new.

    Drafts with the same contact in one batch share one new passenger; a found
    passenger takes the newest contact details (see ``match_passengers``).
    """
    return [link.passenger for link in match_passengers(drafts)]


def match_passengers(drafts: Sequence) -> list[PassengerLink]:
    """Return the passenger of each draft and what the draft changed on them.

    A passenger found again takes each non-empty name, e-mail, phone and handle of
    a vouched-for draft that differs from what is stored; with several drafts of
    one passenger in the batch, the later draft wins and each reports its own
    change. An unvouched draft only fills an empty name and reports the rest as
    withheld. New passengers are inserted in one statement, changed ones updated
    in one.
    """
    found = _known_passengers(drafts)
    links: list[PassengerLink] = []
    new: list[Passenger] = []
    changed: dict[int, Passenger] = {}
    for draft in drafts:
        passenger = found.lookup(draft)
        if passenger is None:
            passenger, withheld = _new_passenger(draft)
            new.append(passenger)
            found.remember(passenger)
            links.append(PassengerLink(passenger, created=True, withheld=withheld))
            continue
        link = PassengerLink(passenger)
        link.changed, link.withheld = _take_newest(passenger, draft)
        if link.changed:
            found.remember(passenger)
            if passenger.pk is not None:
                changed[passenger.pk] = passenger
        links.append(link)
    insert_rows(new)
    if changed:
        Passenger.objects.bulk_update(
            list(changed.values()), [name for _, name in CONTACT_FIELDS]
        )
    return links


class _Directory:
    """Passengers by lower-cased e-mail, phone and handle; the oldest row first."""

    def __init__(self) -> None:
        self.by_email: dict[str, Passenger] = {}
        self.by_phone: dict[str, Passenger] = {}
        self.by_handle: dict[str, Passenger] = {}

    def lookup(self, draft) -> Passenger | None:
        email = (draft.email or "").lower()
        if email and (found := self.by_email.get(email)):
            return found
        for found in (
            draft.phone and self.by_phone.get(draft.phone),
            draft.social_handle and self.by_handle.get(draft.social_handle),
        ):
            # Found by phone or handle but with another e-mail: another person
            # (a family or an office sharing a phone, or someone typing another's
            # number), never a reason to reach this passenger elsewhere.
            if found and not (email and found.email and found.email.lower() != email):
                return found
        return None

    def remember(self, passenger: Passenger) -> None:
        if passenger.email:
            self.by_email.setdefault(passenger.email.lower(), passenger)
        if passenger.phone:
            self.by_phone.setdefault(passenger.phone, passenger)
        if passenger.social_handle:
            self.by_handle.setdefault(passenger.social_handle, passenger)


def _known_passengers(drafts: Sequence) -> _Directory:
    """Return the stored passengers of the drafts' e-mails, phones and handles.

    One written-out query for the three (each column has its index): intake runs
    it for every batch, and building it with the ORM cost more than running it.
    """
    wanted = {
        "email": {d.email.lower() for d in drafts if d.email},
        "phone": {d.phone for d in drafts if d.phone},
        "social_handle": {d.social_handle for d in drafts if d.social_handle},
    }
    directory = _Directory()
    conditions, params = [], []
    # PostgreSQL takes each list as one array parameter: thousands of placeholders
    # would make psycopg split the statement in Python on every batch.
    as_array = connection.vendor == "postgresql"
    for column, values in wanted.items():
        if not values:
            continue
        if as_array:
            condition, param = equals_any(column, sorted(values))
            conditions.append(condition)
            params.append(param)
        else:
            conditions.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(sorted(values))
    if not conditions:
        return directory
    table = connection.ops.quote_name(Passenger._meta.db_table)
    found = Passenger.objects.raw(
        f"SELECT * FROM {table} WHERE {' OR '.join(conditions)} ORDER BY id", params
    )
    for p in found:
        if p.email in wanted["email"]:
            directory.by_email.setdefault(p.email.lower(), p)
        if p.phone in wanted["phone"]:
            directory.by_phone.setdefault(p.phone, p)
        if p.social_handle in wanted["social_handle"]:
            directory.by_handle.setdefault(p.social_handle, p)
    return directory


def _new_passenger(draft) -> tuple[Passenger, dict[str, str]]:
    """Return a new passenger for the draft, and what the draft gave but it lacks.

    An unvouched draft that gives an e-mail (which the portal's tracking and the
    acknowledgement need) keeps a phone it types beside it off the passenger: the
    airline's manifest may later find this passenger by that e-mail, and its SMS
    must not go to a number anyone could have typed. The case keeps the phone.
    """
    phone, withheld = draft.phone, {}
    if phone and draft.email and draft.channel not in CONTACT_AUTHORITIES:
        phone, withheld = "", {"phone": draft.phone}
    values = {
        "full_name": draft.passenger_name,
        "email": draft.email.lower(),
        "phone": phone,
        "social_handle": draft.social_handle,
        "language": draft.language,
    }
    return new_row(Passenger, values), withheld


def _take_newest(
    passenger: Passenger, draft
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Give the passenger what the draft's channel may change.

    Return what changed and what the draft gave that was not applied.
    """
    email = (draft.email or "").lower()
    vouched = draft.channel in CONTACT_AUTHORITIES
    changed, withheld = {}, {}
    for attribute, name in CONTACT_FIELDS:
        value = email if name == "email" else getattr(draft, attribute) or ""
        old = getattr(passenger, name)
        if not value or value == old or (name == "email" and value == old.lower()):
            continue
        may_fill = vouched or name in FILLABLE_BY_ANYONE
        if not vouched and (old or not may_fill):
            withheld[name] = value
            continue
        changed[name] = {"old": old, "new": value}
        setattr(passenger, name, value)
    return changed, withheld
