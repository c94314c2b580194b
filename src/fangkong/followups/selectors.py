"""Reads for follow-ups, always scoped to the acting user (outside the
jurisdiction is the same 404 as missing), and the counts the command level
rolls up.

Due and overdue checks are read through the partial index
``healthcheck_due_by_division`` (division_code, window_end) WHERE status='due'
with the division codes spelled out (``division_code IN (…codes under the
prefix…) AND window_end < now``): each code is one tight index range, so the
cost follows the number of overdue checks, not the millions of checks still
to come. Person division codes are always registered divisions (people
services validate them), so the list of codes under a prefix is complete."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from fangkong.accounts.roles import FOLLOWUPS_VIEW
from fangkong.accounts.scoping import (
    get_for_user,
    require_division,
    scope_filter,
    scope_prefixes,
    user_can_see_code,
)
from fangkong.lib.codes import is_code, prefix_range
from fangkong.regions.models import Division

from .choices import (
    OPEN_DELIVERY_STATUSES,
    OPEN_STATUSES,
    ApprovalState,
    CheckStatus,
    FollowUpKind,
    ReferralStatus,
)
from .models import KIND_COLUMN, DeliveryRequest, FollowUp, FollowUpDayCount, HealthCheck, Referral
from .schedule import check_windows, day_bounds

CHECK_STATES = ("overdue", "due_now", "due_today", "done", "late")


def _scoped(model, user, division: str = "") -> QuerySet:
    """``model``'s rows in the user's jurisdiction (scope_filter), narrowed to ``division``."""
    qs = scope_filter(model.objects.all(), user, FOLLOWUPS_VIEW)
    if division:
        qs = qs.under(require_division(user, division, FOLLOWUPS_VIEW))
    return qs


def _prefixes(user, division: str = "") -> list[str]:
    """The prefixes of the user's jurisdiction (with FOLLOWUPS_VIEW) narrowed to ``division``."""
    mine = scope_prefixes(user, FOLLOWUPS_VIEW)
    if not division:
        return mine
    return [require_division(user, division, FOLLOWUPS_VIEW)]


def codes_under(prefixes: list[str]) -> list[str]:
    """Every registered division code under the prefixes (the prefixes included)."""
    codes: set[str] = set()
    for p in prefixes:
        codes.add(p)
        codes.update(Division.objects.under(p).values_list("code", flat=True))
    return sorted(codes)


# ---------------------------------------------------------------- follow-ups


@dataclass(frozen=True)
class FollowUpFilters:
    kind: str = ""
    status: str = "open"  # "open", "" (all) or a FollowUpStatus value
    division: str = ""
    q: str = ""  # a name prefix
    approval: str = ""  # "pending": central quarantine not yet confirmed; "overdue": past its time


def followup_list(*, user, filters: FollowUpFilters | None = None) -> QuerySet[FollowUp]:
    filters = filters or FollowUpFilters()
    qs = _scoped(FollowUp, user, filters.division)
    if filters.kind in FollowUpKind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    q = (filters.q or "").strip()[:50]
    if q:
        lo, hi = prefix_range(q)
        qs = qs.filter(person__name__gte=lo, person__name__lt=hi)
    if filters.approval in ("pending", "overdue"):
        qs = qs.filter(approval=ApprovalState.PENDING, status__in=OPEN_STATUSES)
        if filters.approval == "overdue":
            qs = qs.filter(approval_due__lte=timezone.now())
        return qs.select_related("person").order_by("approval_due", "id")
    return qs.select_related("person").order_by("planned_end", "id")


def followup_unapproved(*, user, division: str = "") -> QuerySet[FollowUp]:
    """Central quarantines in the user's jurisdiction still waiting for a second
    person's confirmation, the most overdue first."""
    return followup_list(user=user, filters=FollowUpFilters(status="open", division=division, approval="pending"))


def followup_get(*, user, pk) -> FollowUp:
    return get_for_user(
        FollowUp.objects.select_related("person", "person__household", "transferred_from"), user, FOLLOWUPS_VIEW, pk=pk
    )


def followup_open_for_person(*, user, person) -> FollowUp | None:
    return scope_filter(FollowUp.objects.filter(person=person, status__in=OPEN_STATUSES), user, FOLLOWUPS_VIEW).first()


# ---------------------------------------------------------------- health checks


@dataclass(frozen=True)
class CheckFilters:
    state: str = "overdue"
    division: str = ""
    day: dt.date | None = None  # for done / late: the slot day (default today)


def _due_checks(user, division: str = "") -> QuerySet[HealthCheck]:
    codes = codes_under(_prefixes(user, division))
    return (
        _scoped(HealthCheck, user, division).filter(status=CheckStatus.DUE, division_code__in=codes)
        if codes
        else HealthCheck.objects.none()
    )


def _open_now(qs: QuerySet[HealthCheck], now: dt.datetime) -> QuerySet[HealthCheck]:
    """Checks whose window is open now. The window_end bound (now + the longest
    window) keeps the index range to about one slot per person."""
    longest = max(
        (dt.datetime.combine(dt.date.min, w.end) - dt.datetime.combine(dt.date.min, w.start)) for w in check_windows()
    )
    return qs.filter(window_end__gt=now, window_end__lte=now + longest, window_start__lte=now)


def check_list(*, user, filters: CheckFilters | None = None) -> QuerySet[HealthCheck]:
    """Checks in the user's jurisdiction in one state:

    overdue — due and the window has ended;
    due_now — the window is open now; due_today — still to come today;
    (these three by place, then oldest window first: the index order, so a
    page of a township's list reads 50 index entries, not all its overdue);
    done / late — recorded, for the slot day ``filters.day`` (default today)."""
    filters = filters or CheckFilters()
    now = timezone.now()
    related = ("followup", "followup__person")
    if filters.state in ("overdue", "due_now", "due_today"):
        qs = _due_checks(user, filters.division)
        if filters.state == "overdue":
            qs = qs.filter(window_end__lte=now)
        elif filters.state == "due_now":
            qs = _open_now(qs, now)
        else:
            qs = qs.filter(window_end__gt=now, window_end__lt=day_bounds(timezone.localdate())[1])
        return qs.select_related(*related).order_by("division_code", "window_end", "id")
    if filters.state in ("done", "late"):
        day = filters.day or timezone.localdate()
        # Through the follow-ups of the place: the unique slot index finds each one's checks of the day.
        followups = _scoped(FollowUp, user, filters.division).filter(start_date__lte=day, planned_end__gte=day)
        qs = _scoped(HealthCheck, user, filters.division).filter(
            followup__in=followups, slot_date=day, status=CheckStatus.DONE
        )
        if filters.state == "late":
            qs = qs.filter(late=True)
        return qs.select_related(*related, "recorded_by").order_by("-recorded_at", "-id")
    return HealthCheck.objects.none()


def overdue_checks(*, user, division: str = "") -> QuerySet[HealthCheck]:
    """The overdue-check list of the user's jurisdiction (or a division in it)."""
    return check_list(user=user, filters=CheckFilters(state="overdue", division=division))


def check_get(*, user, pk) -> HealthCheck:
    return get_for_user(
        HealthCheck.objects.select_related("followup", "followup__person", "recorded_by"), user, FOLLOWUPS_VIEW, pk=pk
    )


def followup_checks(*, followup: FollowUp) -> list[HealthCheck]:
    """All checks of one follow-up (already fetched through followup_get)."""
    return list(
        HealthCheck.objects.filter(followup=followup).select_related("recorded_by").order_by("slot_date", "slot")
    )


# ---------------------------------------------------------------- referrals and deliveries


def referral_list(*, user, status: str = "active", division: str = "") -> QuerySet[Referral]:
    """status: "active" (open or picked up), "" (all) or a ReferralStatus value."""
    qs = _scoped(Referral, user, division)
    if status == "active":
        qs = qs.filter(status__in=[ReferralStatus.OPEN, ReferralStatus.PICKED_UP])
    elif status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "followup").order_by("-opened_at", "-id")


def referral_get(*, user, pk) -> Referral:
    return get_for_user(
        Referral.objects.select_related("person", "followup", "health_check", "closed_by", "picked_up_by"),
        user,
        FOLLOWUPS_VIEW,
        pk=pk,
    )


def delivery_list(*, user, status: str = "open", division: str = "", overdue: bool = False) -> QuerySet:
    """status: "open" (open or taken), "" (all) or a DeliveryStatus value; overdue
    ones (open past ``needed_by``) first."""
    qs = _scoped(DeliveryRequest, user, division)
    if status == "open":
        qs = qs.filter(status__in=OPEN_DELIVERY_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=OPEN_DELIVERY_STATUSES, needed_by__lte=timezone.now())
    return qs.select_related("person", "taken_by").order_by("needed_by", "id")


def delivery_get(*, user, pk) -> DeliveryRequest:
    return get_for_user(
        DeliveryRequest.objects.select_related("person", "taken_by", "delivered_by", "requested_by"),
        user,
        FOLLOWUPS_VIEW,
        pk=pk,
    )


# ---------------------------------------------------------------- counts for the command level


@dataclass(frozen=True)
class FollowUpCounts:
    """Counts for one division prefix and local day (roll-ups, dashboard, daily report).
    Gauges ("at the end of the day") are as of now for today."""

    in_measure: dict[str, int] = field(default_factory=dict)  # kind → people under it at the end of the day
    started: int = 0  # follow-ups started that day
    ended: int = 0  # released or transferred that day
    checks_due: int = 0  # checks scheduled for that day
    checks_done: int = 0  # of which recorded (late ones included)
    checks_late: int = 0  # of which recorded after their window
    checks_overdue: int = 0  # of which not recorded and past their window, now
    checks_missed: int = 0  # of which left undone when the follow-up was transferred
    referrals_opened: int = 0
    referrals_open: int = 0  # waiting for the community or a clinic at the end of the day
    referrals_closed: int = 0
    deliveries_requested: int = 0
    deliveries_open: int = 0  # open or taken at the end of the day
    deliveries_done: int = 0

    @property
    def people_in_measures(self) -> int:
        return sum(self.in_measure.values())


_KINDS = {k: KIND_COLUMN[k] for k in FollowUpKind.values}


def followup_counts(*, prefix: str, day: dt.date | None = None) -> FollowUpCounts:
    """Exact counts under ``prefix`` for ``day``: from the FollowUpDayCount roll-up
    (the day's row for daily figures, the sum up to the day for gauges) and,
    for overdue checks, one pass over the partial due index. Unscoped: for the
    roll-up job and followup_counts_for_user."""
    day = day or timezone.localdate()
    lo, hi = prefix_range(prefix)
    rows = FollowUpDayCount.objects.filter(division_code__gte=lo, division_code__lt=hi)
    columns = [
        f.column for f in FollowUpDayCount._meta.concrete_fields if f.column not in ("id", "division_code", "day")
    ]
    that_day = rows.filter(day=day).aggregate(**{c: Sum(c) for c in columns})
    gauge_cols = (
        [f"started_{c}" for c in _KINDS.values()]
        + [f"ended_{c}" for c in _KINDS.values()]
        + ["referrals_opened", "referrals_left_open", "deliveries_requested", "deliveries_done", "deliveries_cancelled"]
    )
    upto = rows.filter(day__lte=day).aggregate(**{c: Sum(c) for c in gauge_cols})
    d = {k: v or 0 for k, v in that_day.items()}
    u = {k: v or 0 for k, v in upto.items()}
    # Overdue: for a past day every check still due is overdue (due − done − missed);
    # for today, those of today's windows that have ended (one tight range per code).
    today = timezone.localdate()
    if day < today:
        overdue = d["checks_due"] - d["checks_done"] - d["checks_missed"]
    elif day == today:
        start, _end = day_bounds(day)
        overdue = HealthCheck.objects.filter(
            status=CheckStatus.DUE,
            division_code__in=codes_under([prefix]),
            window_end__gte=start,
            window_end__lte=timezone.now(),
            slot_date=day,
        ).count()
    else:
        overdue = 0
    return FollowUpCounts(
        in_measure={k: u[f"started_{c}"] - u[f"ended_{c}"] for k, c in _KINDS.items()},
        started=sum(d[f"started_{c}"] for c in _KINDS.values()),
        ended=sum(d[f"ended_{c}"] for c in _KINDS.values()),
        checks_due=d["checks_due"],
        checks_done=d["checks_done"],
        checks_late=d["checks_late"],
        checks_overdue=overdue,
        checks_missed=d["checks_missed"],
        referrals_opened=d["referrals_opened"],
        referrals_open=u["referrals_opened"] - u["referrals_left_open"],
        referrals_closed=d["referrals_closed"],
        deliveries_requested=d["deliveries_requested"],
        deliveries_open=u["deliveries_requested"] - u["deliveries_done"] - u["deliveries_cancelled"],
        deliveries_done=d["deliveries_done"],
    )


def followup_counts_for_user(*, user, prefix: str, day: dt.date | None = None) -> FollowUpCounts:
    """``followup_counts`` for a prefix inside the user's jurisdiction (else 404)."""
    if not is_code(prefix) or not user_can_see_code(user, prefix, FOLLOWUPS_VIEW):
        raise Http404
    return followup_counts(prefix=prefix, day=day)


def today_summary(*, user) -> dict[str, int]:
    """Small counts for the today page's section headers."""
    now = timezone.now()
    due = _due_checks(user)
    deliveries = _scoped(DeliveryRequest, user).filter(status__in=OPEN_DELIVERY_STATUSES)
    return {
        "overdue": due.filter(window_end__lte=now).count(),
        "due_now": _open_now(due, now).count(),
        "referrals": _scoped(Referral, user).filter(status=ReferralStatus.OPEN).count(),
        "deliveries": deliveries.count(),
        "deliveries_overdue": deliveries.filter(needed_by__lte=now).count(),
    }


def deliveries_overdue_count(*, division: str, day: dt.date) -> int:
    """Deliveries open past their ``needed_by`` at the end of ``day`` (now, for
    today): requested and not delivered or cancelled by then."""
    lo, hi = prefix_range(division)
    rows = DeliveryRequest.objects.filter(division_code__gte=lo, division_code__lt=hi)
    if day >= timezone.localdate():
        return rows.filter(status__in=OPEN_DELIVERY_STATUSES, needed_by__lte=timezone.now()).count()
    _start, end = day_bounds(day)
    return (
        rows.filter(requested_at__lt=end, needed_by__lt=end)
        .exclude(delivered_at__lt=end)
        .exclude(cancelled_at__lt=end)
        .count()
    )


def followup_indicator_counts(*, division: str, day: dt.date) -> dict[str, int]:
    """``followup_counts`` in the indicators' shape (fangkong.core.indicators):
    in_<kind> per measure, checks_due/done/overdue, referrals_open,
    deliveries_open/overdue."""
    c = followup_counts(prefix=division, day=day)
    return {
        **{f"in_{kind}": n for kind, n in c.in_measure.items()},
        "checks_due": c.checks_due,
        "checks_done": c.checks_done,
        "checks_overdue": c.checks_overdue,
        "referrals_open": c.referrals_open,
        "deliveries_open": c.deliveries_open,
        "deliveries_overdue": deliveries_overdue_count(division=division, day=day),
    }
