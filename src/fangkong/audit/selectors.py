from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from fangkong.accounts.roles import AUDIT_VIEW
from fangkong.accounts.scoping import scope_prefixes, scope_q
from fangkong.lib.codes import prefix_range

from .models import AuditEntry


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    place: str = ""  # a division code: entries about records there or by people working there
    denied: bool = False


def audit_list(*, user, filters: AuditFilters | None = None) -> QuerySet:
    """Entries about records in the user's jurisdiction, or made by people
    working in it. Needs the audit capability (inspectors, administrators)."""
    filters = filters or AuditFilters()
    if not scope_prefixes(user, AUDIT_VIEW):
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.filter(
        scope_q(user, "division_code", AUDIT_VIEW) | scope_q(user, "actor_division_code", AUDIT_VIEW)
    )
    if filters.username:
        qs = qs.filter(actor_username=filters.username.strip())
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.place:
        lo, hi = prefix_range(filters.place)
        qs = qs.filter(
            Q(division_code__gte=lo, division_code__lt=hi) | Q(actor_division_code__gte=lo, actor_division_code__lt=hi)
        )
    if filters.denied:
        qs = qs.filter(action="denied")
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz))
    if filters.date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.order_by("-at", "-id")


def audit_place(*, user, text: str) -> tuple[str, str] | None:
    """A place typed by an inspector (a division code, or a division's name or
    everyday name) → (code, name), if it lies within their audit jurisdiction."""
    from fangkong.regions.models import Division

    text = (text or "").strip()[:100]
    if not text:
        return None
    prefixes = scope_prefixes(user, AUDIT_VIEW)
    qs = (
        Division.objects.filter(code=text)
        if text.isdigit()
        else Division.objects.filter(Q(short_name=text) | Q(name=text))
    )
    for division in qs.order_by("code")[:50]:
        if any(division.code.startswith(p) for p in prefixes):
            return division.code, division.short_name or division.name
    return None


def audit_person(*, user, doc_number: str):
    """The person with this ID number (by its blind index), if their records
    are within the inspector's audit jurisdiction; else None."""
    from fangkong.people.selectors import person_find_by_document

    person = person_find_by_document(doc_type="ric", doc_number=(doc_number or "").strip()[:40])
    if person is None or not any((person.division_code or "").startswith(p) for p in scope_prefixes(user, AUDIT_VIEW)):
        return None
    return person
