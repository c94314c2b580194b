"""Reads for screening, always scoped to the acting user (a record outside the
user's jurisdiction is the same 404 as a missing one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from fangkong.accounts.roles import SCREENING_VIEW
from fangkong.accounts.scoping import get_for_user, scope_filter

from .choices import ArrivalStatus, CampaignStatus, VisitResult
from .models import Arrival, Campaign, Visit


def arrival_queue(*, user, status: str = ArrivalStatus.PENDING) -> QuerySet[Arrival]:
    """Arrivals in the user's jurisdiction with this status (pending by default,
    "" for all): flagged ones first, then newest first."""
    qs = scope_filter(Arrival.objects.all(), user, SCREENING_VIEW)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-flagged", "-created_at", "-id")


def arrival_get(*, user, pk) -> Arrival:
    return get_for_user(Arrival.objects.all(), user, SCREENING_VIEW, pk=pk)


def active_campaigns_q(day: dt.date | None = None, prefix: str = "campaign__") -> Q:
    day = day or timezone.localdate()
    return Q(**{f"{prefix}status": CampaignStatus.ACTIVE, f"{prefix}starts_on__lte": day,
                f"{prefix}ends_on__gte": day})


def visit_revisits(*, user) -> QuerySet[Visit]:
    """Households to knock on again: visits in a campaign open today whose latest
    result is "nobody home". Each row is a Visit with ``household`` and
    ``campaign`` loaded; oldest attempt first (longest waiting)."""
    qs = scope_filter(Visit.objects.all(), user, SCREENING_VIEW)
    return (qs.filter(active_campaigns_q(), result=VisitResult.NOBODY_HOME)
            .select_related("household", "campaign").order_by("last_at", "id"))
