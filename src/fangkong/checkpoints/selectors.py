"""Reads for checkpoints, always scoped to the acting user (a record outside
the jurisdiction is the same 404 as a missing one), and the counts the
command level reads for any division prefix and day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.roles import (
    CAPABILITIES,
    CHECKPOINTS_MANAGE,
    CHECKPOINTS_REGISTER,
    CHECKPOINTS_VIEW,
)
from fangkong.accounts.scoping import get_for_user, in_scope, require_division, scope_filter
from fangkong.core.rowsql import RowSelect
from fangkong.lib.codes import prefix_range
from fangkong.lib.documents import DOC_RIC, parse_resident_id
from fangkong.people.identity import document_index
from fangkong.people.models import Person
from fangkong.regions.models import Division
from fangkong.regions.selectors import division_names

from .choices import Direction, Status
from .models import Checkpoint, Passage, RiskArea, Shift, WorkNorm

# ---------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class CheckpointFilters:
    q: str = ""
    level: str = ""
    status: str = ""
    division: str = ""


def checkpoint_list(*, user, filters: CheckpointFilters | None = None) -> QuerySet:
    f = filters or CheckpointFilters()
    qs = scope_filter(Checkpoint.objects.all(), user, CHECKPOINTS_VIEW)
    if f.division:
        qs = qs.under(require_division(user, f.division, CHECKPOINTS_VIEW))
    if f.level:
        qs = qs.filter(level=f.level)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.q:
        qs = qs.filter(name__contains=f.q.strip()[:50])
    return qs.order_by("level", "division_code", "name")


_CHECKPOINT_BY_ID = RowSelect(Checkpoint, {"id": "="})


def checkpoint_get(*, user, pk: int) -> Checkpoint:
    # Every registration reads its checkpoint: a statement built once.
    return in_scope(_CHECKPOINT_BY_ID.one(pk), user, CHECKPOINTS_VIEW)


def shift_get(*, user, pk: int) -> Shift:
    return get_for_user(
        Shift.objects.select_related("checkpoint").prefetch_related("staff"), user, CHECKPOINTS_VIEW, pk=pk
    )


def passage_get(*, user, pk: int) -> Passage:
    return get_for_user(Passage.objects.select_related("checkpoint"), user, CHECKPOINTS_VIEW, pk=pk)


def work_norms(*, level: str) -> list[WorkNorm]:
    return list(WorkNorm.objects.filter(level=level, active=True).order_by("position", "id"))


# ---------------------------------------------------------------- roster


def shift_staff_candidates(*, checkpoint: Checkpoint):
    """Accounts that may be put on a checkpoint's roster: an active assignment
    with a checkpoint role whose division covers the checkpoint or lies in it."""
    code = checkpoint.division_code
    covering = [code[:n] for n in (4, 6, 9, 12, 15) if n <= len(code)]
    q = Q(assignments__division_id__in=covering) | Q(assignments__division__code__startswith=code)
    roles = [r for r, caps in CAPABILITIES.items() if CHECKPOINTS_REGISTER in caps or CHECKPOINTS_MANAGE in caps]
    return (
        User.objects.filter(q, is_active=True, assignments__active=True, assignments__role__in=roles)
        .distinct()
        .order_by("username")
    )


def shifts_between(*, checkpoint: Checkpoint, start: dt.datetime, end: dt.datetime) -> list[Shift]:
    """Shifts of a checkpoint overlapping [start, end), with their staff."""
    return list(
        Shift.objects.filter(checkpoint=checkpoint, starts_at__lt=end, ends_at__gt=start)
        .prefetch_related("staff")
        .order_by("starts_at", "id")
    )


def on_duty(*, checkpoint: Checkpoint, at: dt.datetime | None = None) -> list[Shift]:
    at = at or timezone.now()
    return [s for s in shifts_between(checkpoint=checkpoint, start=at, end=at + dt.timedelta(microseconds=1))]


def my_shifts(*, user, at: dt.datetime | None = None, hours_ahead: int = 12, limit: int = 6) -> list[Shift]:
    """The user's own shifts under way at ``at`` or starting within
    ``hours_ahead``, at checkpoints where the user may register passages: a
    checkpoint worker's way in after signing in."""
    at = at or timezone.now()
    qs = Shift.objects.filter(staff=user, ends_at__gt=at, starts_at__lt=at + dt.timedelta(hours=hours_ahead))
    return list(
        scope_filter(qs, user, CHECKPOINTS_REGISTER).select_related("checkpoint").order_by("starts_at", "id")[:limit]
    )


def registrable_checkpoints(*, user, limit: int = 8) -> tuple[list[Checkpoint], int]:
    """Open checkpoints where the user may register passages (the first
    ``limit``, city level first), and how many there are in all."""
    qs = scope_filter(Checkpoint.objects.filter(status=Status.OPEN), user, CHECKPOINTS_REGISTER)
    return list(qs.order_by("level", "division_code", "name")[:limit]), qs.count()


@dataclass(frozen=True)
class Gap:
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 1)


def roster_gaps(
    *, checkpoint: Checkpoint, start: dt.datetime | None = None, hours: int = 48, shifts: list[Shift] | None = None
) -> list[Gap]:
    """Stretches of the next ``hours`` when nobody is on the roster of an open
    checkpoint (a closed one needs nobody)."""
    if checkpoint.status != Status.OPEN:
        return []
    start = start or timezone.now()
    end = start + dt.timedelta(hours=hours)
    if shifts is None:
        shifts = shifts_between(checkpoint=checkpoint, start=start, end=end)
    gaps: list[Gap] = []
    cursor = start
    for s in sorted(shifts, key=lambda s: s.starts_at):
        if s.starts_at > cursor:
            gaps.append(Gap(cursor, min(s.starts_at, end)))
        cursor = max(cursor, s.ends_at)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append(Gap(cursor, end))
    return [g for g in gaps if g.ends_at - g.starts_at >= dt.timedelta(minutes=1)]


# ---------------------------------------------------------------- passages


@dataclass(frozen=True)
class PassageFilters:
    day: dt.date | None = None
    direction: str = ""
    flagged: bool = False
    plate: str = ""


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local (Asia/Shanghai) day as an aware half-open interval."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def passage_list(*, user, checkpoint: Checkpoint | None = None, filters: PassageFilters | None = None) -> QuerySet:
    """Passages in the user's jurisdiction (one checkpoint's, if given), newest first."""
    f = filters or PassageFilters()
    qs = scope_filter(Passage.objects.all(), user, CHECKPOINTS_VIEW)
    if checkpoint is not None:
        qs = qs.filter(checkpoint=checkpoint)
    if f.day:
        lo, hi = day_bounds(f.day)
        qs = qs.filter(registered_at__gte=lo, registered_at__lt=hi)
    if f.direction in Direction.values:
        qs = qs.filter(direction=f.direction)
    if f.flagged:
        qs = qs.flagged()
    if f.plate:
        qs = qs.filter(plate__contains=f.plate.strip().upper()[:12])
    return qs.order_by("-registered_at", "-id")


def passage_counts(*, prefix: str, day: dt.date) -> dict[str, int]:
    """Passages registered on ``day`` at checkpoints under the division ``prefix``:
    total, inbound, outbound, flagged (fever or risk area), fever, risk_area.

    Exact (counted from the rows) and one index range: (registered_on,
    division_code), covering on PostgreSQL. Unscoped: the caller (the command
    level) decides whose counts these are."""
    lo, hi = prefix_range(prefix)
    row = Passage.objects.filter(registered_on=day, division_code__gte=lo, division_code__lt=hi).aggregate(
        total=Count("pk"),
        inbound=Count("pk", filter=Q(direction=Direction.IN)),
        outbound=Count("pk", filter=Q(direction=Direction.OUT)),
        flagged=Count("pk", filter=Q(fever=True) | Q(risk_area=True)),
        fever=Count("pk", filter=Q(fever=True)),
        risk_area=Count("pk", filter=Q(risk_area=True)),
    )
    return {k: int(v or 0) for k, v in row.items()}


# ---------------------------------------------------------------- risk areas and lookups


def risk_area_list(*, day: dt.date | None = None, include_past: bool = False) -> list[RiskArea]:
    """Risk areas, current ones (on ``day``, default today) first; names of
    places are not personal data, so every signed-in user sees the list."""
    day = day or timezone.localdate()
    qs = RiskArea.objects.all()
    if not include_past:
        qs = qs.exclude(ends_on__lt=day)
    return sorted(qs, key=lambda a: (not a.is_current(day), a.level != "high", a.origin_code))


def destination_search(*, q: str, limit: int = 12) -> list[dict]:
    """Communities (and grids) of the whole city by name or code, for the
    destination picker. Unscoped on purpose: a traveller may be bound for any
    community, and the names of places are not personal data."""
    q = "".join((q or "").split())[:30]
    if not q:
        return []
    city = settings.FANGKONG_CITY_CODE
    qs = Division.objects.under(city).filter(level__in=["community", "grid"])
    qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(Q(short_name__contains=q) | Q(name__contains=q))
    found = list(qs.order_by("level", "code").only("code", "short_name", "level")[: max(1, min(limit, 50))])
    parents = division_names({d.code[:9] for d in found} | {d.code[:6] for d in found})
    return [
        {
            "code": d.code,
            "name": d.short_name,
            "place": " ".join(p for p in (parents.get(d.code[:6]), parents.get(d.code[:9])) if p),
        }
        for d in found
    ]


def destination_describe(code: str) -> str:
    """County, township and community names of a destination code."""
    names = division_names([code[:6], code[:9], code[:12], code])
    parts = [names.get(c) for c in dict.fromkeys([code[:6], code[:9], code[:12], code]) if c]
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class PersonHint:
    """What a checkpoint may learn from an exact, valid ID number: sex and birth
    date (printed in the number itself) and, for a registered person, the name
    and the masked phone."""

    valid: bool
    message: str = ""
    sex: str = ""
    birth_date: dt.date | None = None
    age: int | None = None
    known: bool = False
    name: str = ""
    phone_masked: str = ""


def person_hint(*, doc_number: str) -> PersonHint:
    from django.core.exceptions import ValidationError

    try:
        parsed = parse_resident_id(doc_number)
    except ValidationError as exc:
        return PersonHint(valid=False, message=str(exc.messages[0]))
    today = timezone.localdate()
    b = parsed.birth_date
    age = today.year - b.year - ((today.month, today.day) < (b.month, b.day))
    row = Person.objects.filter(doc_index=document_index(DOC_RIC, parsed.number)).values("name", "phone_masked").first()
    return PersonHint(
        valid=True,
        sex=parsed.sex,
        birth_date=b,
        age=age,
        known=row is not None,
        name=row["name"] if row else "",
        phone_masked=row["phone_masked"] if row else "",
    )


def checkpoint_indicator_counts(*, division: str, day: dt.date) -> dict[str, int]:
    """``passage_counts`` in the indicators' shape (fangkong.core.indicators):
    passages, passages_flagged, passages_fever."""
    c = passage_counts(prefix=division, day=day)
    return {"passages": c["total"], "passages_flagged": c["flagged"], "passages_fever": c["fever"]}
