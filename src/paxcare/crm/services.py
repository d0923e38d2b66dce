"""Passengers: find the person behind a contact, or remember a new one."""

from collections.abc import Sequence

from paxcare.bulk import insert_rows
from paxcare.crm.models import Passenger


def link_passengers(drafts: Sequence) -> list[Passenger]:
    """Return one passenger per draft: found by e-mail, phone or handle, else new.

    Drafts with the same contact in one batch share one new passenger.
    """
    emails = {d.email.lower() for d in drafts if d.email}
    phones = {d.phone for d in drafts if d.phone}
    handles = {d.social_handle for d in drafts if d.social_handle}
    by_email: dict[str, Passenger] = {}
    by_phone: dict[str, Passenger] = {}
    by_handle: dict[str, Passenger] = {}
    if emails:
        for p in Passenger.objects.filter(email__in=emails).order_by("pk"):
            by_email.setdefault(p.email.lower(), p)
    if phones:
        for p in Passenger.objects.filter(phone__in=phones).order_by("pk"):
            by_phone.setdefault(p.phone, p)
    if handles:
        for p in Passenger.objects.filter(social_handle__in=handles).order_by("pk"):
            by_handle.setdefault(p.social_handle, p)

    linked: list[Passenger] = []
    new: list[Passenger] = []
    for draft in drafts:
        passenger = (
            (draft.email and by_email.get(draft.email.lower()))
            or (draft.phone and by_phone.get(draft.phone))
            or (draft.social_handle and by_handle.get(draft.social_handle))
            or None
        )
        if passenger is None:
            passenger = Passenger(
                full_name=draft.passenger_name,
                email=draft.email.lower(),
                phone=draft.phone,
                social_handle=draft.social_handle,
                language=draft.language,
            )
            new.append(passenger)
            if draft.email:
                by_email[draft.email.lower()] = passenger
            if draft.phone:
                by_phone[draft.phone] = passenger
            if draft.social_handle:
                by_handle[draft.social_handle] = passenger
        linked.append(passenger)
    insert_rows(new)
    return linked
