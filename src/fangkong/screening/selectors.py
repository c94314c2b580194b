"""Reads for screening, always scoped to the acting user (a record outside the
user's jurisdiction is the same 404 as a missing one), and the counts the
command level rolls up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from fangkong.accounts.roles import SCREENING_VIEW
from fangkong.accounts.scoping import (
    get_for_user,
    require_division,
    scope_filter,
    scope_prefixes,
    user_can_see_code,
)
from fangkong.lib.codes import is_code, prefix_range
from fangkong.people.selectors import apply_blind, search_blind
from fangkong.regions.models import Division

from .choices import SCREENED_RESULTS, ArrivalSource, ArrivalStatus, CampaignStatus, VisitResult
from .models import Arrival, Campaign, CoverageCount, Returnee, Visit

# ---------------------------------------------------------------- arrivals


def arrival_queue(*, user, status: str = ArrivalStatus.PENDING) -> QuerySet[Arrival]:
    """Arrivals in the user's jurisdiction with this status (pending by default,
    "" for all): flagged ones first, then newest first."""
    qs = scope_filter(Arrival.objects.all(), user, SCREENING_VIEW)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-flagged", "-created_at", "-id")


@dataclass(frozen=True)
class ArrivalFilters:
    status: str = ArrivalStatus.PENDING
    source: str = ""
    flagged: bool = False
    division: str = ""
    q: str = ""  # a name prefix or a full ID number or phone (the API's POST search)
    since: dt.date | None = None
    # ("doc" | "phone", blind index): a page's POSTed number search, kept in the
    # session (people.number_search); an empty index matches nobody.
    blind: tuple[str, str] | None = None


def arrival_list(*, user, filters: ArrivalFilters | None = None) -> QuerySet[Arrival]:
    filters = filters or ArrivalFilters()
    qs = arrival_queue(user=user, status=filters.status if filters.status in ArrivalStatus.values else "")
    if filters.source in ArrivalSource.values:
        qs = qs.filter(source=filters.source)
    if filters.flagged:
        qs = qs.filter(flagged=True)
    if filters.division:
        qs = qs.under(require_division(user, filters.division, SCREENING_VIEW))
    if filters.since:
        qs = qs.filter(arrived_on__gte=filters.since)
    if filters.blind:
        return apply_blind(qs, filters.blind)
    q = (filters.q or "").strip()[:60]
    blind = search_blind(q)
    if blind is not None:
        qs = apply_blind(qs, blind)
    elif q:
        lo, hi = prefix_range(q)
        qs = qs.filter(name__gte=lo, name__lt=hi)
    return qs


def arrival_get(*, user, pk) -> Arrival:
    return get_for_user(Arrival.objects.all(), user, SCREENING_VIEW, pk=pk)


# ---------------------------------------------------------------- campaigns and visits


def active_campaigns_q(day: dt.date | None = None, prefix: str = "campaign__") -> Q:
    day = day or timezone.localdate()
    return Q(**{f"{prefix}status": CampaignStatus.ACTIVE, f"{prefix}starts_on__lte": day, f"{prefix}ends_on__gte": day})


def visit_revisits(*, user) -> QuerySet[Visit]:
    """Households to knock on again: visits in a campaign open today whose latest
    result is "nobody home". Each row is a Visit with ``household`` and
    ``campaign`` loaded; longest waiting first."""
    qs = scope_filter(Visit.objects.all(), user, SCREENING_VIEW)
    return (
        qs.filter(active_campaigns_q(), result=VisitResult.NOBODY_HOME)
        .select_related("household", "campaign")
        .order_by("last_at", "id")
    )


def campaigns_touching_q(user, capability: str = SCREENING_VIEW) -> Q:
    """Campaigns over the user's places, or over a township containing them
    (a community worker takes part in the township's campaign)."""
    q = Q(pk__in=[])
    for p in scope_prefixes(user, capability):
        lo, hi = prefix_range(p)
        q |= Q(division_code__gte=lo, division_code__lt=hi)
        q |= Q(division_code__in=[p[:n] for n in (9, 12) if n < len(p)])
    return q


def campaign_list(*, user, status: str = "") -> QuerySet[Campaign]:
    qs = Campaign.objects.filter(campaigns_touching_q(user))
    if status in CampaignStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_on", "-id")


def campaign_get(*, user, pk, capability: str = SCREENING_VIEW) -> Campaign:
    try:
        return Campaign.objects.filter(campaigns_touching_q(user, capability)).get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        from django.http import Http404

        raise Http404 from None


def campaign_households(*, user, campaign: Campaign, state: str = "", division: str = "", q: str = ""):
    """Households of the campaign's area in the user's jurisdiction, each with
    ``visit_result`` (None when not visited yet). ``state``: "todo" (not
    visited), "revisit", "done" (screened) or "" (all)."""
    from django.db.models import OuterRef, Subquery

    from fangkong.people.models import Household

    qs = scope_filter(Household.objects.all(), user, SCREENING_VIEW).under(campaign.division_code)
    if division and require_division(user, division, SCREENING_VIEW).startswith(campaign.division_code):
        qs = qs.under(division)
    visits = Visit.objects.filter(campaign=campaign, household=OuterRef("pk"))
    qs = qs.annotate(
        visit_result=Subquery(visits.values("result")[:1]), visit_attempts=Subquery(visits.values("attempts")[:1])
    )
    visited = Visit.objects.filter(campaign=campaign).values("household_id")
    if state == "todo":
        qs = qs.exclude(pk__in=visited)
    elif state == "revisit":
        qs = qs.filter(pk__in=visited.filter(result=VisitResult.NOBODY_HOME))
    elif state == "done":
        qs = qs.filter(pk__in=visited.filter(result__in=SCREENED_RESULTS))
    q = (q or "").strip()[:60]
    if q:
        qs = qs.filter(address__contains=q)
    return qs.order_by("division_code", "address", "id")


def visit_get(*, user, campaign: Campaign, household_id) -> Visit | None:
    return (
        scope_filter(Visit.objects.all(), user, SCREENING_VIEW)
        .filter(campaign=campaign, household_id=household_id)
        .first()
    )


# ---------------------------------------------------------------- coverage


@dataclass
class CoverageRow:
    """Coverage of one place: households screened (a visit with an outcome),
    waiting for a revisit, and all households there."""

    code: str
    name: str
    households: int
    screened: int = 0
    revisit: int = 0
    returnees: int = 0
    children: list[CoverageRow] = field(default_factory=list)

    @property
    def not_visited(self) -> int:
        return max(0, self.households - self.screened - self.revisit)

    @property
    def percent(self) -> float:
        return round(100.0 * self.screened / self.households, 1) if self.households else 0.0


def _counts_under(campaign_ids: list[int], prefix: str) -> dict[str, dict[str, int]]:
    """Counter sums per leaf place under ``prefix`` (one short index range scan)."""
    lo, hi = prefix_range(prefix)
    out: dict[str, dict[str, int]] = {}
    rows = (
        CoverageCount.objects.filter(division_code__gte=lo, division_code__lt=hi, campaign_id__in=campaign_ids)
        .values("division_code")
        .annotate(s=Sum("screened"), r=Sum("revisit"), n=Sum("returnees"))
        .order_by()
    )
    for r in rows:
        out[r["division_code"]] = {"screened": r["s"] or 0, "revisit": r["r"] or 0, "returnees": r["n"] or 0}
    return out


def campaign_coverage(*, campaign: Campaign, user=None, depth: int | None = None) -> CoverageRow:
    """Coverage of a campaign: its area, then each community (for a township
    campaign) and each grid; for a user, only the part in their jurisdiction.
    Households registered at a community itself (not in a grid) are a row of
    their own. Exact: maintained counters over maintained household counts."""
    root = campaign.division_code
    if user is not None:
        inside = [p for p in scope_prefixes(user, SCREENING_VIEW) if p.startswith(root)]
        if not any(root.startswith(p) for p in scope_prefixes(user, SCREENING_VIEW)) and len(inside) == 1:
            root = inside[0]
    counts = _counts_under([campaign.pk], root)
    return _coverage_tree(root, counts, depth=depth or (2 if len(root) <= 9 else 1))


_NEXT_LENGTH = {2: 4, 4: 6, 6: 9, 9: 12, 12: 15}


def _coverage_tree(code: str, counts: dict[str, dict[str, int]], depth: int = 2) -> CoverageRow:
    """``code`` and ``depth`` levels below it, with the counter sums of each."""
    from django.utils.translation import gettext as _

    lo, hi = prefix_range(code)
    deepest = len(code)
    for _level in range(depth):
        deepest = _NEXT_LENGTH.get(deepest, deepest)
    divisions = {
        d.code: d
        for d in Division.objects.filter(code__gte=lo, code__lt=hi).only(
            "code", "short_name", "level", "household_count", "parent_code"
        )
        if len(d.code) <= deepest
    }
    top = divisions.get(code) or Division.objects.filter(code=code).first()

    def sums(prefix: str) -> tuple[int, int, int]:
        s = r = n = 0
        for leaf, c in counts.items():
            if leaf.startswith(prefix):
                s, r, n = s + c["screened"], r + c["revisit"], n + c["returnees"]
        return s, r, n

    def build(d: Division, level: int) -> CoverageRow:
        row = CoverageRow(d.code, d.short_name, d.household_count, *sums(d.code))
        if level < depth:
            kids = sorted((k for k in divisions.values() if k.parent_code == d.code), key=lambda k: k.code)
            row.children = [build(k, level + 1) for k in kids]
            if d.level == "community" and row.children:
                rest = d.household_count - sum(k.households for k in row.children)
                own = counts.get(d.code, {})
                if rest > 0 or own:
                    row.children.append(
                        CoverageRow(
                            d.code,
                            _("未划入网格"),
                            max(rest, 0),
                            own.get("screened", 0),
                            own.get("revisit", 0),
                            own.get("returnees", 0),
                        )
                    )
        return row

    return build(top, 0)


def open_campaign_ids(*, day: dt.date | None = None, prefix: str = "") -> list[int]:
    """Campaigns open on ``day`` whose area overlaps ``prefix``."""
    qs = Campaign.objects.filter(active_campaigns_q(day, prefix=""))
    if prefix:
        ancestors = [prefix[:n] for n in (9, 12) if n < len(prefix)]
        lo, hi = prefix_range(prefix)
        qs = qs.filter(Q(division_code__in=ancestors) | Q(division_code__gte=lo, division_code__lt=hi))
    return list(qs.values_list("pk", flat=True))


@dataclass(frozen=True)
class CoverageSummary:
    """Coverage under a prefix on a day. Two percentages, each saying what it
    is over: ``percent`` over the households in the areas of the campaigns
    running that day, ``percent_of_households`` over every household under the
    prefix (the headline of a whole jurisdiction: a city with one small
    campaign running is not "57 % covered")."""

    code: str
    households: int  # every household under the prefix
    in_campaigns: int  # households under the prefix in an area with a campaign open that day
    screened: int
    revisit: int

    @property
    def percent(self) -> float:
        """Screened, out of the households in running campaigns' areas."""
        return round(100.0 * self.screened / self.in_campaigns, 1) if self.in_campaigns else 0.0

    @property
    def percent_of_households(self) -> float:
        """Screened, out of every household under the prefix."""
        return round(100.0 * self.screened / self.households, 1) if self.households else 0.0

    @property
    def not_visited(self) -> int:
        return max(0, self.in_campaigns - self.screened - self.revisit)


def coverage_summary(*, prefix: str, day: dt.date | None = None) -> CoverageSummary:
    """Screening coverage for any division prefix on ``day`` (today by default):
    households screened in the campaigns open that day, out of the households
    in their areas. Today's figures come from the maintained counters; a past
    day counts the visits screened by then."""
    today = timezone.localdate()
    day = day or today
    ids = open_campaign_ids(day=day, prefix=prefix)
    households = Division.objects.filter(code=prefix).values_list("household_count", flat=True).first() or 0
    if not ids:
        return CoverageSummary(prefix, households, 0, 0, 0)
    areas = Campaign.objects.filter(pk__in=ids).values_list("division_code", flat=True)
    # The part of each campaign's area that lies under the prefix.
    covered = {a if a.startswith(prefix) else prefix for a in areas}
    in_campaigns = sum(Division.objects.filter(code__in=covered).values_list("household_count", flat=True))
    lo, hi = prefix_range(prefix)
    if day >= today:
        agg = CoverageCount.objects.filter(campaign_id__in=ids, division_code__gte=lo, division_code__lt=hi).aggregate(
            s=Sum("screened"), r=Sum("revisit")
        )
        return CoverageSummary(prefix, households, in_campaigns, agg["s"] or 0, agg["r"] or 0)
    visits = Visit.objects.filter(campaign_id__in=ids, division_code__gte=lo, division_code__lt=hi)
    screened = visits.filter(screened_on__lte=day).count()
    revisit = visits.filter(first_at__lt=_day_end(day)).exclude(screened_on__lte=day).count()
    return CoverageSummary(prefix, households, in_campaigns, screened, revisit)


@dataclass
class CoverageOverview:
    totals: list[tuple[Division, CoverageSummary]]  # one per place of the user's jurisdiction
    breakdown: list[tuple[Division, CoverageSummary]]  # the next level down (counties, townships, communities)
    campaigns: list[tuple[Campaign, CoverageRow]]  # open campaigns with their trees


def coverage_overview(*, user, day: dt.date | None = None) -> CoverageOverview:
    """Coverage across the user's jurisdiction today: totals, the next level
    down (only places with a campaign open), and each open campaign's tree."""
    prefixes = scope_prefixes(user, SCREENING_VIEW)
    divisions = {d.code: d for d in Division.objects.filter(code__in=prefixes)}
    totals, breakdown = [], []
    for prefix in prefixes:
        if prefix not in divisions:
            continue
        totals.append((divisions[prefix], coverage_summary(prefix=prefix, day=day)))
        if len(prefix) < 12:
            for child in Division.objects.filter(parent_code=prefix).exclude(level="grid").order_by("code"):
                if open_campaign_ids(day=day, prefix=child.code):
                    breakdown.append((child, coverage_summary(prefix=child.code, day=day)))
    campaigns = [
        (c, campaign_coverage(campaign=c, user=user, depth=1))
        for c in campaign_list(user=user).filter(active_campaigns_q(day, prefix=""))[:20]
    ]
    return CoverageOverview(totals, breakdown, campaigns)


def _day_end(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


# ---------------------------------------------------------------- returnees


@dataclass(frozen=True)
class ReturneeFilters:
    measure: str = ""
    division: str = ""
    q: str = ""
    since: dt.date | None = None


def returnee_list(*, user, filters: ReturneeFilters | None = None) -> QuerySet[Returnee]:
    filters = filters or ReturneeFilters()
    qs = scope_filter(Returnee.objects.select_related("person"), user, SCREENING_VIEW)
    if filters.measure:
        qs = qs.filter(measure=filters.measure)
    if filters.division:
        qs = qs.under(require_division(user, filters.division, SCREENING_VIEW))
    if filters.since:
        qs = qs.filter(arrived_on__gte=filters.since)
    q = (filters.q or "").strip()[:60]
    if q:
        lo, hi = prefix_range(q)
        qs = qs.filter(person__name__gte=lo, person__name__lt=hi)
    return qs.order_by("-confirmed_at", "-id")


def returnee_get(*, user, pk) -> Returnee:
    return get_for_user(Returnee.objects.select_related("person", "arrival"), user, SCREENING_VIEW, pk=pk)


# ---------------------------------------------------------------- counts for the command level


@dataclass(frozen=True)
class ScreeningCounts:
    """Counts for one division prefix and day, for roll-ups and the dashboard."""

    arrivals_new: int  # arrivals that entered the queue that day
    self_reports: int  # of which self-reported
    arrivals_handled: int  # arrivals handled (confirmed or dismissed) that day
    arrivals_pending: int  # waiting in the queue at the end of that day (now, for today)
    returnees: int  # returnees confirmed that day
    households: int
    households_in_campaigns: int
    households_screened: int
    households_revisit: int

    @property
    def coverage_percent(self) -> float:
        """Over the households in running campaigns' areas."""
        return (
            round(100.0 * self.households_screened / self.households_in_campaigns, 1)
            if self.households_in_campaigns
            else 0.0
        )

    @property
    def coverage_percent_of_households(self) -> float:
        """Over every household under the prefix."""
        return round(100.0 * self.households_screened / self.households, 1) if self.households else 0.0


def _range(prefix: str) -> dict:
    lo, hi = prefix_range(prefix)
    return {"division_code__gte": lo, "division_code__lt": hi}


def arrivals_pending_count(*, prefix: str, day: dt.date | None = None) -> int:
    """Arrivals waiting at the end of ``day``; for today, simply the pending ones."""
    today = timezone.localdate()
    day = day or today
    r = _range(prefix)
    if day >= today:
        return Arrival.objects.filter(status=ArrivalStatus.PENDING, **r).count()
    entered = Arrival.objects.filter(created_on__lte=day, **r)
    return entered.count() - entered.filter(handled_on__lte=day).count()


def screening_counts(*, prefix: str, day: dt.date | None = None) -> ScreeningCounts:
    """Exact counts under a division prefix for a day, each one index range scan
    (equality on the status or day, range on the code) or maintained counters."""
    day = day or timezone.localdate()
    r = _range(prefix)
    new = Arrival.objects.filter(created_on=day, **r)
    cov = coverage_summary(prefix=prefix, day=day)
    return ScreeningCounts(
        arrivals_new=new.count(),
        self_reports=new.filter(source=ArrivalSource.SELF_REPORT).count(),
        arrivals_handled=Arrival.objects.filter(handled_on=day, **r).count(),
        arrivals_pending=arrivals_pending_count(prefix=prefix, day=day),
        returnees=Returnee.objects.filter(confirmed_on=day, **r).count(),
        households=cov.households,
        households_in_campaigns=cov.in_campaigns,
        households_screened=cov.screened,
        households_revisit=cov.revisit,
    )


def screening_counts_for_user(*, user, prefix: str, day: dt.date | None = None) -> ScreeningCounts:
    """``screening_counts`` for a prefix inside the user's jurisdiction (else 404)."""
    if not is_code(prefix) or not user_can_see_code(user, prefix, SCREENING_VIEW):
        from django.http import Http404

        raise Http404
    return screening_counts(prefix=prefix, day=day)


def screening_indicator_counts(*, division: str, day: dt.date) -> dict[str, int]:
    """``screening_counts`` in the indicators' shape (fangkong.core.indicators).
    ``screening_coverage``: households screened per 100 households of the
    division (whole percent, rounded down: never overstated)."""
    c = screening_counts(prefix=division, day=day)
    return {
        "arrivals_pending": c.arrivals_pending,
        "arrivals_handled": c.arrivals_handled,
        "self_reports": c.self_reports,
        "returnees": c.returnees,
        "screening_coverage": 100 * c.households_screened // c.households if c.households else 0,
    }
