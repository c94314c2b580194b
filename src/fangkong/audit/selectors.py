from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from fangkong.accounts.roles import AUDIT_VIEW
from fangkong.accounts.scoping import scope_prefixes, scope_q

from .models import AuditEntry


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


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
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz))
    if filters.date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.order_by("-at", "-id")
