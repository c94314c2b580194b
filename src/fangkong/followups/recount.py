"""Rebuilding the FollowUpDayCount roll-up from raw rows (after a bulk load, or
to prove the maintained counts exact)."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from fangkong.lib.codes import prefix_range

from .choices import CheckStatus, ReferralStatus
from .models import KIND_COLUMN, DeliveryRequest, FollowUp, FollowUpDayCount, HealthCheck, Referral


def _local_day(field: str):
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def compute(prefix: str = "") -> dict[tuple, dict[str, int]]:
    """{(division_code, day): {column: n}} from raw rows under ``prefix``."""
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def under(qs):
        if not prefix:
            return qs
        lo, hi = prefix_range(prefix)
        return qs.filter(division_code__gte=lo, division_code__lt=hi)

    for row in under(FollowUp.objects).values("division_code", "start_date", "kind").annotate(n=Count("id")):
        counts[(row["division_code"], row["start_date"])][f"started_{KIND_COLUMN[row['kind']]}"] += row["n"]
    for row in (
        under(FollowUp.objects)
        .filter(ended_on__isnull=False)
        .values("division_code", "ended_on", "kind")
        .annotate(n=Count("id"))
    ):
        counts[(row["division_code"], row["ended_on"])][f"ended_{KIND_COLUMN[row['kind']]}"] += row["n"]
    for row in (
        under(HealthCheck.objects)
        .exclude(status=CheckStatus.CANCELLED)
        .values("division_code", "slot_date", "status", "late")
        .annotate(n=Count("id"))
    ):
        c = counts[(row["division_code"], row["slot_date"])]
        c["checks_due"] += row["n"]
        if row["status"] == CheckStatus.DONE:
            c["checks_done"] += row["n"]
            if row["late"]:
                c["checks_late"] += row["n"]
        elif row["status"] == CheckStatus.MISSED:
            c["checks_missed"] += row["n"]
    referrals = under(Referral.objects)
    for field, column, q in (
        ("opened_at", "referrals_opened", Q()),
        ("picked_up_at", "referrals_left_open", Q(picked_up_at__isnull=False)),
        ("closed_at", "referrals_left_open", Q(closed_at__isnull=False, picked_up_at__isnull=True)),
        ("closed_at", "referrals_closed", Q(status=ReferralStatus.CLOSED)),
    ):
        for row in (
            referrals.filter(q).annotate(d=_local_day(field)).values("division_code", "d").annotate(n=Count("id"))
        ):
            counts[(row["division_code"], row["d"])][column] += row["n"]
    deliveries = under(DeliveryRequest.objects)
    for field, column in (
        ("requested_at", "deliveries_requested"),
        ("delivered_at", "deliveries_done"),
        ("cancelled_at", "deliveries_cancelled"),
    ):
        for row in (
            deliveries.filter(**{f"{field}__isnull": False})
            .annotate(d=_local_day(field))
            .values("division_code", "d")
            .annotate(n=Count("id"))
        ):
            counts[(row["division_code"], row["d"])][column] += row["n"]
    return counts


@transaction.atomic
def recount(prefix: str = "") -> int:
    """Replace the roll-up rows under ``prefix`` with counts from raw rows; returns rows written."""
    counts = compute(prefix)
    rows = FollowUpDayCount.objects.all()
    if prefix:
        lo, hi = prefix_range(prefix)
        rows = rows.filter(division_code__gte=lo, division_code__lt=hi)
    rows.delete()
    FollowUpDayCount.objects.bulk_create(
        [FollowUpDayCount(division_code=code, day=day, **dict(c)) for (code, day), c in sorted(counts.items())],
        batch_size=1000,
    )
    return len(counts)
