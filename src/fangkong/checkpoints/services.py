"""Writes for checkpoints: the registry and its status history, work norms,
duty rosters and their checklists, risk areas, and passages.

Each service takes the acting user first and keyword-only arguments, runs in
one transaction, checks the actor's capability at the record's division and
writes an audit entry. An inbound passage bound for a community of the city
puts an arrival into that community's queue through
screening.services.arrivals_record in the same transaction, when the queue
rule HQ keeps wants it (screening.rules.passage_queues: not a resident
passing their own gate)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.roles import CHECKPOINTS_MANAGE, CHECKPOINTS_REGISTER, RISK_AREAS_EDIT
from fangkong.accounts.scoping import (
    get_for_user,
    has_capability,
    require_capability,
    user_can_see_code,
)
from fangkong.audit.services import entry, record, record_all
from fangkong.core.batch import CREATED, DUPLICATE, ERROR, BatchResult
from fangkong.core.rowsql import RowSelect, insert
from fangkong.core.services import idempotent_create, status_change_record
from fangkong.lib.plates import parse_plate
from fangkong.lib.text import clean_text, reason_text
from fangkong.lib.vitals import is_fever, parse_temperature
from fangkong.people.identity import recorded_identity
from fangkong.people.models import Person
from fangkong.regions.models import Division
from fangkong.regions.selectors import city_code, city_places
from fangkong.screening.rules import arrival_flags, passage_queues, queue_rule
from fangkong.screening.services import ArrivalIn, arrivals_record

from . import selectors
from .choices import (
    LEVEL_MIN_CODE_LENGTH,
    Direction,
    Kind,
    Level,
    Outcome,
    Purpose,
    RiskLevel,
    Status,
)
from .models import Checkpoint, Passage, RiskArea, Shift, ShiftCheck, WorkNorm
from .origins import origin_lineage, origin_resolve

MAX_BATCH = 500
MAX_CARLOAD = 60  # a coach
MAX_SHIFT = dt.timedelta(hours=24)
# A tablet that was offline may send passages registered this long ago.
MAX_BACKDATE = dt.timedelta(days=30)
MAX_CLOCK_SKEW = dt.timedelta(minutes=10)

# Stands in for a blank name while the registry is asked for it; no real
# name contains these brackets.
_NAME_PENDING = "〔待查〕"


def _require(actor, capability: str, code: str) -> None:
    require_capability(actor, capability, code, _("您没有在此卡点进行该操作的权限。"))


# ---------------------------------------------------------------- checkpoints


def _checkpoint_place(actor, level: str, division_code: str) -> Division:
    code = (division_code or "").strip()
    if level not in Level.values:
        raise ValidationError({"level": _("请选择卡点级别。")})
    division = Division.objects.filter(code=code).first() if code.isdigit() else None
    if division is None or not code.startswith(city_code()):
        raise ValidationError({"division_code": _("请选择本市的区划。")})
    if len(code) < LEVEL_MIN_CODE_LENGTH[level]:
        raise ValidationError(
            {
                "division_code": {
                    Level.COUNTY: _("县级卡点须设在县区或其下的区划。"),
                    Level.COMMUNITY: _("村/社区卡点须设在村/社区（或其网格）。"),
                }.get(level, _("区划级别不符。"))
            }
        )
    _require(actor, CHECKPOINTS_MANAGE, code)
    return division


def _checkpoint_fields(*, name: str, kind: str, location: str, note: str) -> dict:
    errors: dict[str, list[str]] = {}
    name = clean_text(name, 100)
    if len(name) < 2:
        errors["name"] = [_("请填写卡点名称。")]
    if kind not in Kind.values:
        errors["kind"] = [_("请选择卡点类型。")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "kind": kind, "location": clean_text(location, 200), "note": clean_text(note, 200)}


@transaction.atomic
def checkpoint_create(
    *, actor, level: str, division_code: str, name: str, kind: str, location: str = "", note: str = "", request=None
) -> Checkpoint:
    """A new checkpoint, open from now (the first line of its status history)."""
    division = _checkpoint_place(actor, level, division_code)
    fields = _checkpoint_fields(name=name, kind=kind, location=location, note=note)
    checkpoint = Checkpoint.objects.create(
        level=level, division_code=division.code, status=Status.OPEN, created_by=actor, **fields
    )
    status_change_record(actor=actor, obj=checkpoint, to_status=Status.OPEN, reason=_("设立卡点"))
    record(actor, "create", checkpoint, request=request, detail={"level": level, "kind": kind})
    return checkpoint


@transaction.atomic
def checkpoint_update(
    *, actor, checkpoint: Checkpoint, name: str, kind: str, location: str = "", note: str = "", request=None
) -> Checkpoint:
    checkpoint = get_for_user(Checkpoint.objects.select_for_update(), actor, pk=checkpoint.pk)
    _require(actor, CHECKPOINTS_MANAGE, checkpoint.division_code)
    fields = _checkpoint_fields(name=name, kind=kind, location=location, note=note)
    changed = [f for f, v in fields.items() if getattr(checkpoint, f) != v]
    for f in changed:
        setattr(checkpoint, f, fields[f])
    if changed:
        checkpoint.save(update_fields=changed)
        record(actor, "update", checkpoint, request=request, detail={"fields": ",".join(changed)})
    return checkpoint


@transaction.atomic
def checkpoint_status_change(*, actor, checkpoint: Checkpoint, to_status: str, reason: str, request=None) -> Checkpoint:
    """Open or close a checkpoint, with the reason; the history keeps every change."""
    checkpoint = get_for_user(Checkpoint.objects.select_for_update(), actor, pk=checkpoint.pk)
    _require(actor, CHECKPOINTS_MANAGE, checkpoint.division_code)
    if to_status not in Status.values:
        raise ValidationError({"status": _("状态无效。")})
    if to_status == checkpoint.status:
        raise ValidationError({"status": _("卡点已经是“%(s)s”状态。") % {"s": checkpoint.get_status_display()}})
    reason = reason_text(reason)
    from_status = checkpoint.status
    checkpoint.status, checkpoint.status_changed_at = to_status, timezone.now()
    checkpoint.save(update_fields=["status", "status_changed_at"])
    status_change_record(actor=actor, obj=checkpoint, from_status=from_status, to_status=to_status, reason=reason)
    record(actor, "update", checkpoint, reason=reason, request=request, detail={"status": to_status})
    return checkpoint


# ---------------------------------------------------------------- work norms


def _require_city_manager(actor) -> None:
    if not has_capability(actor, CHECKPOINTS_MANAGE, city_code()):
        raise PermissionDenied(_("卡点工作规范由市指挥部统一制定。"))


@transaction.atomic
def work_norm_create(*, actor, level: str, text: str, request=None) -> WorkNorm:
    """Add an item to a level's work norms (city command HQ only)."""
    _require_city_manager(actor)
    if level not in Level.values:
        raise ValidationError({"level": _("请选择卡点级别。")})
    text = clean_text(text, 200)
    if len(text) < 4:
        raise ValidationError({"text": _("请填写规范内容（至少4个字）。")})
    last = WorkNorm.objects.filter(level=level).order_by("-position").values_list("position", flat=True).first()
    norm = WorkNorm.objects.create(level=level, text=text, position=(last or 0) + 1)
    record(actor, "create", norm, division_code=city_code(), request=request)
    return norm


@transaction.atomic
def work_norm_retire(*, actor, norm: WorkNorm, request=None) -> WorkNorm:
    """Take an item off future checklists; shifts that ticked it keep the tick."""
    _require_city_manager(actor)
    norm = WorkNorm.objects.select_for_update().get(pk=norm.pk)
    if norm.active:
        norm.active = False
        norm.save(update_fields=["active"])
        record(actor, "delete", norm, division_code=city_code(), request=request)
    return norm


# ---------------------------------------------------------------- shifts


def _shift_fields(
    *, checkpoint: Checkpoint, starts_at, ends_at, staff_ids: Iterable[int], volunteers: str, shift: Shift | None = None
):
    """Checked fields of a shift (``shift``: the one being changed). A staff
    account cannot be on two shifts at once: the accounts' rows are locked so
    that two managers rostering the same person at the same time cannot both
    succeed."""
    errors: dict[str, list[str]] = {}
    if starts_at is None:
        errors["starts_at"] = [_("请填写开始时间。")]
    if ends_at is None:
        errors["ends_at"] = [_("请填写结束时间。")]
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = [_("结束时间应晚于开始时间。")]
        elif ends_at - starts_at > MAX_SHIFT:
            errors["ends_at"] = [_("一个班次不能超过24小时。")]
    ids = {int(i) for i in staff_ids if str(i).isdigit()}
    staff = list(selectors.shift_staff_candidates(checkpoint=checkpoint).filter(pk__in=ids)) if ids else []
    if len(staff) != len(ids):
        errors["staff"] = [_("所选人员中有人不在本卡点所在辖区，不能排班。")]
    elif staff and "starts_at" not in errors and "ends_at" not in errors:
        errors.update(_double_booked(staff, starts_at, ends_at, shift))
    volunteers = clean_text(volunteers, 300)
    if not staff and not volunteers:
        errors.setdefault("staff", []).append(_("请至少安排一名值守人员（账号或志愿者姓名）。"))
    if errors:
        raise ValidationError(errors)
    return staff, volunteers


def _double_booked(staff: list, starts_at: dt.datetime, ends_at: dt.datetime, shift: Shift | None) -> dict:
    list(User.objects.select_for_update().filter(pk__in=[u.pk for u in staff]).order_by("pk").values_list("pk"))
    taken = (
        Shift.staff.through.objects.filter(user__in=staff, shift__starts_at__lt=ends_at, shift__ends_at__gt=starts_at)
        .exclude(shift_id=shift.pk if shift is not None else None)
        .select_related("user", "shift__checkpoint")
        .order_by("shift__starts_at")[:3]
    )
    messages = [
        _("%(name)s 在 %(checkpoint)s 已有班次（%(start)s – %(end)s），同一人不能同时在两处值守。")
        % {
            "name": t.user.display(),
            "checkpoint": t.shift.checkpoint.name,
            "start": f"{timezone.localtime(t.shift.starts_at):%m-%d %H:%M}",
            "end": f"{timezone.localtime(t.shift.ends_at):%m-%d %H:%M}",
        }
        for t in taken
    ]
    return {"staff": messages} if messages else {}


@transaction.atomic
def shift_create(
    *,
    actor,
    checkpoint: Checkpoint,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    staff_ids: Sequence[int] = (),
    volunteers: str = "",
    request=None,
) -> Shift:
    """Put a shift on a checkpoint's duty roster."""
    checkpoint = get_for_user(Checkpoint.objects.all(), actor, pk=checkpoint.pk)
    _require(actor, CHECKPOINTS_MANAGE, checkpoint.division_code)
    staff, volunteers = _shift_fields(
        checkpoint=checkpoint, starts_at=starts_at, ends_at=ends_at, staff_ids=staff_ids, volunteers=volunteers
    )
    shift = Shift.objects.create(
        checkpoint=checkpoint,
        division_code=checkpoint.division_code,
        starts_at=starts_at,
        ends_at=ends_at,
        volunteers=volunteers,
        created_by=actor,
    )
    shift.staff.set(staff)
    record(actor, "create", shift, request=request, detail={"staff": len(staff)})
    return shift


@transaction.atomic
def shift_update(
    *,
    actor,
    shift: Shift,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    staff_ids: Sequence[int] = (),
    volunteers: str = "",
    request=None,
) -> Shift:
    shift = get_for_user(Shift.objects.select_for_update().select_related("checkpoint"), actor, pk=shift.pk)
    _require(actor, CHECKPOINTS_MANAGE, shift.division_code)
    staff, volunteers = _shift_fields(
        checkpoint=shift.checkpoint,
        starts_at=starts_at,
        ends_at=ends_at,
        staff_ids=staff_ids,
        volunteers=volunteers,
        shift=shift,
    )
    shift.starts_at, shift.ends_at, shift.volunteers = starts_at, ends_at, volunteers
    shift.save(update_fields=["starts_at", "ends_at", "volunteers"])
    shift.staff.set(staff)
    record(actor, "update", shift, request=request, detail={"staff": len(staff)})
    return shift


@transaction.atomic
def shift_delete(*, actor, shift: Shift, reason: str, request=None) -> None:
    shift = get_for_user(Shift.objects.select_for_update(), actor, pk=shift.pk)
    _require(actor, CHECKPOINTS_MANAGE, shift.division_code)
    reason = reason_text(reason)
    if shift.starts_at <= timezone.now():
        raise ValidationError({"reason": _("已开始的班次不能删除（它是值守记录），可修改结束时间。")})
    record(actor, "delete", shift, reason=reason, request=request)
    shift.delete()


def _require_on_shift(actor, shift: Shift) -> None:
    """The shift's own staff, other registering staff of the place, or its managers."""
    if has_capability(actor, CHECKPOINTS_MANAGE, shift.division_code):
        return
    if has_capability(actor, CHECKPOINTS_REGISTER, shift.division_code):
        return
    raise PermissionDenied(_("只有值守人员或卡点管理人员可以填写班次记录。"))


@transaction.atomic
def shift_check(*, actor, shift: Shift, norm: WorkNorm, checked: bool, request=None) -> bool:
    """Tick (or untick) one work norm on a shift's checklist. Returns whether it is ticked."""
    shift = get_for_user(Shift.objects.select_for_update().select_related("checkpoint"), actor, pk=shift.pk)
    _require_on_shift(actor, shift)
    if norm.level != shift.checkpoint.level or not norm.active:
        raise ValidationError({"norm": _("该规范不属于此卡点级别。")})
    existing = ShiftCheck.objects.filter(shift=shift, norm=norm).first()
    if checked and existing is None:
        ShiftCheck.objects.create(shift=shift, norm=norm, norm_text=norm.text, checked_by=actor)
        record(actor, "update", shift, request=request, detail={"checked": norm.pk})
    elif not checked and existing is not None:
        existing.delete()
        record(actor, "update", shift, request=request, detail={"unchecked": norm.pk})
    return checked


@transaction.atomic
def shift_handover(*, actor, shift: Shift, note: str, request=None) -> Shift:
    """Write the shift's handover note for the next shift."""
    shift = get_for_user(Shift.objects.select_for_update(), actor, pk=shift.pk)
    _require_on_shift(actor, shift)
    note = (note or "").replace("\x00", "").strip()
    if len(note) > 2000:
        raise ValidationError({"handover_note": _("交接班记录不能超过2000字。")})
    shift.handover_note = note
    shift.save(update_fields=["handover_note"])
    record(actor, "update", shift, request=request, detail={"handover": True})
    return shift


# ---------------------------------------------------------------- risk areas


@transaction.atomic
def risk_area_create(
    *,
    actor,
    origin_code: str,
    level: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    note: str = "",
    request=None,
) -> RiskArea:
    """Add a risk origin (a province or a city) for a period (HQ)."""
    if not has_capability(actor, RISK_AREAS_EDIT):
        raise PermissionDenied(_("风险地区名单由市指挥部维护。"))
    errors: dict[str, list[str]] = {}
    origin = None
    try:
        origin = origin_resolve(origin_code, field="origin_code")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if level not in RiskLevel.values:
        errors["level"] = [_("请选择风险等级。")]
    if starts_on is None:
        errors["starts_on"] = [_("请填写起始日期。")]
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("截止日期不能早于起始日期。")]
    if errors:
        raise ValidationError(errors)
    area = RiskArea.objects.create(
        origin_code=origin.code,
        origin_name=origin.label,
        level=level,
        starts_on=starts_on,
        ends_on=ends_on,
        note=clean_text(note, 200),
        created_by=actor,
    )
    record(actor, "create", area, division_code=city_code(), request=request, detail={"level": level})
    transaction.on_commit(_clear_risk_cache)
    _clear_risk_cache()
    return area


@transaction.atomic
def risk_area_end(*, actor, risk_area: RiskArea, ends_on: dt.date, request=None) -> RiskArea:
    """Lift a risk area from a date on (the last day it applies)."""
    if not has_capability(actor, RISK_AREAS_EDIT):
        raise PermissionDenied(_("风险地区名单由市指挥部维护。"))
    area = RiskArea.objects.select_for_update().get(pk=risk_area.pk)
    if ends_on is None or ends_on < area.starts_on:
        raise ValidationError({"ends_on": _("截止日期不能早于起始日期。")})
    area.ends_on = ends_on
    area.save(update_fields=["ends_on"])
    record(actor, "update", area, division_code=city_code(), request=request, detail={"ended": True})
    transaction.on_commit(_clear_risk_cache)
    _clear_risk_cache()
    return area


# Reference data read on every registration, kept per process for a few
# seconds: the risk-area list (HQ changes it a few times a day; a change made
# in this process clears it at once, other processes see it within
# RISK_CACHE_SECONDS). (Off under tests: a test's rolled-back risk areas must
# not outlive it.) The city's communities: regions.selectors.city_places.
RISK_CACHE_SECONDS = 0 if settings.TESTING else 10
_risk_cache: dict[dt.date, tuple[float, dict[str, str]]] = {}


def _clear_risk_cache() -> None:
    _risk_cache.clear()


def current_risk_levels(day: dt.date, *, cached: bool = True) -> dict[str, str]:
    """Origin code → the highest current risk level, for every risk area that applies on ``day``."""
    now = time.monotonic()
    hit = _risk_cache.get(day) if cached else None
    if hit is not None and hit[0] > now:
        return hit[1]
    levels: dict[str, str] = {}
    for code, level in (
        RiskArea.objects.filter(starts_on__lte=day).exclude(ends_on__lt=day).values_list("origin_code", "level")
    ):
        if levels.get(code) != RiskLevel.HIGH:
            levels[code] = level
    if cached and RISK_CACHE_SECONDS:
        _risk_cache.clear()
        _risk_cache[day] = (now + RISK_CACHE_SECONDS, levels)
    return levels


def risk_level_for(origin_code: str, levels: dict[str, str]) -> str:
    found = [levels[c] for c in origin_lineage(origin_code) if c in levels]
    if RiskLevel.HIGH in found:
        return RiskLevel.HIGH
    return found[0] if found else ""


# ---------------------------------------------------------------- passages


@dataclass
class PassageIn:
    """One person's passage as typed at the checkpoint (or sent by a tablet)."""

    direction: str
    temperature: object
    doc_number: str = ""
    doc_type: str = "ric"
    name: str = ""
    phone: str = ""
    plate: str = ""
    origin: str = ""  # a code (42, 4201) or a name from the national list
    destination: str = ""  # inbound: a community code of the city; outbound: a province/city
    purpose: str = ""
    note: str = ""
    client_key: str | None = None
    vehicle_group: uuid.UUID | None = None
    registered_at: dt.datetime | None = None


@dataclass
class Registration:
    """What a registration produced: the passages (the first is the person who
    registered, then the rest of the carload), and whether they are new or the
    result of an earlier submission with the same client key."""

    passages: list[Passage]
    created: bool

    @property
    def first(self) -> Passage:
        return self.passages[0]

    @property
    def queued(self) -> int:
        """How many of the passages put an arrival into a community's queue
        (an inbound resident passing their own community's gate does not)."""
        return sum(1 for p in self.passages if p.arrival_id)


@dataclass
class _Lookups:
    """Per-call caches so a carload or a batch costs one query per kind of lookup."""

    today: dt.date
    risk_levels: dict[str, str]
    destinations: dict[str, Division | None] = field(default_factory=dict)
    persons: dict[str, dict] = field(default_factory=dict)
    levels_by_day: dict[dt.date, dict[str, str]] = field(default_factory=dict)

    def risk_levels_on(self, day: dt.date) -> dict[str, str]:
        """The risk levels that apply on ``day`` (today's are loaded already;
        a backdated day of an offline upload is read once per call)."""
        if day == self.today:
            return self.risk_levels
        if day not in self.levels_by_day:
            self.levels_by_day[day] = current_risk_levels(day, cached=False)
        return self.levels_by_day[day]

    def all_risk_levels(self) -> dict[dt.date, dict[str, str]]:
        return {self.today: self.risk_levels, **self.levels_by_day}

    def destination(self, code: str) -> Division | None:
        if code not in self.destinations:
            self.prefetch_destinations([code])
        return self.destinations[code]

    def prefetch_destinations(self, codes: Iterable[str]) -> None:
        wanted = {c for c in codes if c and c not in self.destinations}
        if wanted:
            self.destinations.update(city_places(wanted))

    def prefetch_persons(self, doc_indexes: Iterable[str]) -> None:
        wanted = {d for d in doc_indexes if d and d not in self.persons}
        if not wanted:
            return
        for person in _PERSONS_BY_DOC.rows_in(sorted(wanted)):
            self.persons[person.doc_index] = {f: getattr(person, f) for f in _PERSON_FIELDS}
        for d in wanted:
            self.persons.setdefault(d, {})


# division_code: where the person is registered (the queue rule: a resident
# passing their own community's gate queues no arrival).
_PERSON_FIELDS = ("id", "doc_index", "name", "phone_cipher", "phone_index", "phone_masked", "division_code")
_PERSONS_BY_DOC = RowSelect(Person, {"doc_index": "in"}, fields=_PERSON_FIELDS)


def _lookups() -> _Lookups:
    today = timezone.localdate()
    return _Lookups(today=today, risk_levels=current_risk_levels(today))


def _registered_at(value, now: dt.datetime) -> dt.datetime:
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + MAX_CLOCK_SKEW:
        raise ValidationError({"registered_at": _("登记时间不能晚于当前时间。")})
    if value < now - MAX_BACKDATE:
        raise ValidationError({"registered_at": _("登记时间不能早于30天前。")})
    return value


def _validate(item: PassageIn, *, look: _Lookups, now: dt.datetime) -> dict:
    """Passage field values for one person, or a ValidationError with every
    field's problem at once. No query except through ``look``'s caches."""
    errors: dict[str, list[str]] = {}

    def run(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            for key, messages in (
                exc.message_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.messages)]
            ):
                errors.setdefault(key, []).extend(messages)
            return None

    values: dict = {}
    if item.direction not in Direction.values:
        errors["direction"] = [_("请选择进或出。")]
    inbound = item.direction == Direction.IN
    typed_name = clean_text(item.name, 50)
    identity = run(
        recorded_identity,
        name=typed_name or _NAME_PENDING,
        doc_type=item.doc_type or "ric",
        doc_number=item.doc_number or "",
        phone=item.phone or "",
        link=False,
    )
    temperature = run(parse_temperature, item.temperature)
    plate = ""
    if (item.plate or "").strip():
        try:
            plate = parse_plate(item.plate).number
        except ValidationError as exc:
            errors["plate"] = exc.messages
    origin = None
    if (item.origin or "").strip():
        origin = run(origin_resolve, item.origin)
    elif inbound:
        errors["origin"] = [_("请选择来源地（省或市）。")]
    purpose = item.purpose or ""
    if purpose and purpose not in Purpose.values:
        errors["purpose"] = [_("请选择事由。")]
    destination_code, destination_name, community = "", "", None
    dest = (item.destination or "").strip()
    if inbound:
        if dest:
            community = look.destination(dest)
            if community is None:
                errors["destination"] = [_("目的地必须是本市的村/社区，请从列表中选择。")]
            else:
                destination_code, destination_name = community.code, community.short_name
        elif purpose != Purpose.TRANSIT:
            errors["destination"] = [_("请选择目的地村/社区（过境车辆请选择事由“过境/途经”）。")]
    elif dest:
        going = run(origin_resolve, dest, field="destination")
        if going is not None:
            destination_code, destination_name = going.code, going.label
    registered_at = run(_registered_at, item.registered_at, now)
    client_key = (item.client_key or "").strip() or None
    if client_key and len(client_key) > 64:
        errors["client_key"] = [_("client_key 不能超过64个字符。")]
    if errors:
        raise ValidationError(errors)
    identity.pop("person", None)
    registered_on = timezone.localdate(registered_at)
    levels = look.risk_levels_on(registered_on)
    # The same flags as the arrival it may queue (screening.rules.arrival_flags):
    # fever, and for the inbound a risk-area origin on the day of the passage.
    flags = arrival_flags(
        temperature=temperature,
        origin_code=origin.code if origin and inbound else "",
        arrived_on=registered_on,
        risk_levels=levels,
    )
    risk_level = risk_level_for(origin.code, levels) if "risk_area" in flags else ""
    values.update(identity)
    values.update(
        direction=item.direction,
        registered_at=registered_at,
        registered_on=registered_on,
        plate=plate,
        vehicle_group=item.vehicle_group,
        origin_code=origin.code if origin else "",
        origin_name=origin.label if origin else "",
        destination_code=destination_code,
        destination_name=destination_name,
        temperature=temperature,
        fever="fever" in flags,
        risk_area="risk_area" in flags,
        risk_level=risk_level,
        purpose=purpose,
        note=clean_text(item.note, 200),
        client_key=client_key,
    )
    return values


def _link(rows: list[dict], look: _Lookups) -> list[dict[str, list[str]] | None]:
    """Link each validated row to the registry by its document number (one
    query for all rows): a known person fills a blank name and a blank phone
    (the phone is never shown in full). Returns per-row errors (a blank name
    of someone unknown) or None."""
    look.prefetch_persons(r.get("doc_index") for r in rows)
    problems: list[dict[str, list[str]] | None] = []
    for values in rows:
        known = look.persons.get(values.get("doc_index") or "") or {}
        if known:
            values["person_id"] = known["id"]
            if not values.get("phone_index") and known.get("phone_index"):
                values.update(
                    phone_cipher=known["phone_cipher"],
                    phone_index=known["phone_index"],
                    phone_masked=known["phone_masked"],
                )
        if values["name"] == _NAME_PENDING:
            if known:
                values["name"] = known["name"]
            else:
                problems.append({"name": [_("请填写姓名。")]})
                continue
        problems.append(None)
    return problems


def _checkpoint_for_registering(actor, checkpoint: Checkpoint | int) -> Checkpoint:
    if isinstance(checkpoint, Checkpoint):
        # Already loaded (the page or endpoint looked it up): the scope check
        # needs no query; outside the jurisdiction is the same 404.
        if not user_can_see_code(actor, checkpoint.division_code):
            raise Http404
    else:
        checkpoint = get_for_user(Checkpoint.objects.all(), actor, pk=checkpoint)
    _require(actor, CHECKPOINTS_REGISTER, checkpoint.division_code)
    if not checkpoint.is_open:
        raise ValidationError({"checkpoint": _("该卡点已关闭，不能登记。")})
    return checkpoint


def _save(
    actor, checkpoint: Checkpoint, rows: list[dict], look: _Lookups, request=None, *, audit: list | None = None
) -> list[Passage]:
    """Queue the arrivals of validated passages (inbound, bound for a
    community of the city, as the queue rule says), then insert the passages
    linked to them: a few statements for a carload or a whole upload. Runs
    inside the caller's transaction. With ``audit`` the arrivals' entries go
    into it (a batch writes one entry for the upload); else each passage gets
    its own entry and all are written in one statement."""
    objs = [
        Passage(checkpoint=checkpoint, division_code=checkpoint.division_code, registered_by=actor, **values)
        for values in rows
    ]
    entries: list = [] if audit is None else audit
    _queue_arrivals(actor, checkpoint, objs, look, request=request, audit=entries)
    insert(objs)
    if audit is None:
        entries += [
            entry(actor, "create", p, request=request, detail={"direction": p.direction, "flagged": p.flagged})
            for p in objs
        ]
        record_all(entries)
    return objs


def _bulk_save(
    actor, checkpoint: Checkpoint, pending: list[tuple[int, dict]], look: _Lookups, request=None, *, audit: list
) -> dict[int, Passage] | None:
    """``_save`` for an upload; None if a client key turned out to be taken
    meanwhile (a concurrent upload), with nothing written."""
    entries: list = []
    try:
        with transaction.atomic():
            objs = _save(actor, checkpoint, [values for _i, values in pending], look, request=request, audit=entries)
    except IntegrityError:
        return None
    audit.extend(entries)
    return {i: obj for (i, _values), obj in zip(pending, objs, strict=False)}


def _identity_of(passage: Passage) -> dict:
    return {
        f: getattr(passage, f)
        for f in (
            "person_id",
            "name",
            "sex",
            "birth_date",
            "doc_type",
            "doc_cipher",
            "doc_index",
            "doc_masked",
            "phone_cipher",
            "phone_index",
            "phone_masked",
        )
    }


def _queue_arrivals(
    actor, checkpoint: Checkpoint, passages: list[Passage], look: _Lookups, request=None, *, audit: list
) -> None:
    """Put the inbound passages bound for a community of the city that the
    queue rule (``screening.rules.passage_queues``, set by HQ) wants queued
    into those communities' arrival queues (screening's one door, all at once)
    and set each one's ``arrival``, before the passages are inserted: someone
    from outside the city, from a risk area, with a fever, or not registered
    in that community — not a resident passing their own gate. The arrival
    names the checkpoint as its source; the passages name the arrival. Audit
    entries go into ``audit``. No query of its own: the rule is cached per
    process, the registry's people were loaded by ``_link``."""
    rule = queue_rule()
    inbound = [
        p
        for p in passages
        if p.direction == Direction.IN
        and p.destination_code
        and passage_queues(
            rule,
            origin_code=p.origin_code,
            flags=p.flag_list(),
            destination_code=p.destination_code,
            home_code=(look.persons.get(p.doc_index or "") or {}).get("division_code") or "",
        )
    ]
    if not inbound:
        return
    results = arrivals_record(
        actor=actor,
        request=request,
        audit=audit,
        risk_levels=look.all_risk_levels(),
        items=[
            ArrivalIn(
                division_code=p.destination_code,
                identity=_identity_of(p),
                source="passage",
                source_ref=f"checkpoint:{checkpoint.pk}",
                temperature=p.temperature,
                origin_code=p.origin_code,
                origin_name=p.origin_name,
                arrived_on=p.registered_on,
                travel_mode="car" if p.plate else "",
                travel_number=p.plate,
            )
            for p in inbound
        ],
    )
    for p, (arrival, _created) in zip(inbound, results, strict=False):
        p.arrival = arrival


def _prefixed(errors: ValidationError, prefix: str) -> dict[str, list[str]]:
    return {f"{prefix}{key}": msgs for key, msgs in errors.message_dict.items()}


def passage_register(
    *, actor, checkpoint: Checkpoint | int, passage: PassageIn, passengers: Sequence[PassageIn] = (), request=None
) -> Registration:
    """Register a person passing a checkpoint — and, in one go, the others in
    the same vehicle (``passengers``: their own identity and temperature; the
    plate, direction, origin, destination and purpose are the vehicle's unless
    given). All or nothing: errors for passengers are keyed ``passengers.N.field``.

    A retried submission with the same client key returns the first result
    (the carload's other passages use the key with a ``#N`` suffix); the key
    is looked up once, by core.services.idempotent_create, after validation.
    Validation only reads; every write (passages, audit, arrivals) happens in
    the one transaction idempotent_create opens."""
    checkpoint = _checkpoint_for_registering(actor, checkpoint)
    if len(passengers) > MAX_CARLOAD:
        raise ValidationError({"passengers": _("同车人员最多%(n)d人。") % {"n": MAX_CARLOAD}})
    key = (passage.client_key or "").strip() or None
    now = timezone.now()
    look = _lookups()
    people = [passage]
    group = passage.vehicle_group or (uuid.uuid4() if passengers else None)
    for i, p in enumerate(passengers, start=1):
        people.append(
            PassageIn(
                direction=p.direction or passage.direction,
                temperature=p.temperature,
                doc_number=p.doc_number,
                doc_type=p.doc_type or "ric",
                name=p.name,
                phone=p.phone,
                plate=p.plate or passage.plate,
                origin=p.origin or passage.origin,
                destination=p.destination or passage.destination,
                purpose=p.purpose or passage.purpose,
                note=p.note,
                registered_at=passage.registered_at,
                client_key=f"{key[:60]}#{i}" if key else None,
            )
        )
    errors: dict[str, list[str]] = {}
    rows: list[tuple[str, dict]] = []
    for i, p in enumerate(people):
        prefix = "" if i == 0 else f"passengers.{i - 1}."
        try:
            values = _validate(p, look=look, now=now)
        except ValidationError as exc:
            errors.update(_prefixed(exc, prefix))
            continue
        values["vehicle_group"] = group
        rows.append((prefix, values))
    for (prefix, _values), problem in zip(rows, _link([v for _p, v in rows], look), strict=False):
        if problem:
            errors.update({f"{prefix}{k}": m for k, m in problem.items()})
    if errors:
        raise ValidationError(errors)
    rows = [v for _p, v in rows]

    def create() -> Passage:
        saved = _save(actor, checkpoint, rows, look, request=request)
        create.saved = saved
        return saved[0]

    # Client keys are almost always new: write first and read the earlier
    # result only when the unique key says there is one (the attempt's
    # arrival and audit entries are rolled back with it).
    first, created = idempotent_create(Passage, key, create, check_first=False)
    if not created:
        return _registration_for_key(key) or Registration(passages=[first], created=False)
    return Registration(passages=create.saved, created=True)


def _registration_for_key(key: str) -> Registration | None:
    first = Passage.objects.filter(client_key=key).first()
    if first is None:
        return None
    passages = [first]
    if first.vehicle_group:
        passages = list(Passage.objects.filter(vehicle_group=first.vehicle_group).order_by("id"))
        passages.sort(key=lambda p: p.pk != first.pk)
    return Registration(passages=passages, created=False)


# ---------------------------------------------------------------- batch (offline tablets)


def passage_register_batch(
    *, actor, checkpoint: Checkpoint | int, items: Sequence[PassageIn], request=None
) -> list[BatchResult]:
    """Register up to 500 passages sent by a checkpoint tablet that was offline,
    each with its own client key. Every item gets a result: created, duplicate
    (of a passage already registered with that key — returned), or error with
    per-field reasons. A bad item never stops the good ones. The good ones are
    inserted together and committed once, with one audit entry for the upload;
    every inbound one queues its arrival through screening's one door."""
    checkpoint = _checkpoint_for_registering(actor, checkpoint)
    if len(items) > MAX_BATCH:
        raise ValidationError({"items": _("每批最多%(n)d条。") % {"n": MAX_BATCH}})
    now = timezone.now()
    look = _lookups()
    results: list[BatchResult | None] = [None] * len(items)
    keys = [(item.client_key or "").strip() for item in items]
    existing = {p.client_key: p for p in Passage.objects.filter(client_key__in=[k for k in keys if k])}
    first_index: dict[str, int] = {}
    look.prefetch_destinations((item.destination or "").strip() for item in items if item.direction == Direction.IN)
    valid: list[tuple[int, dict]] = []
    for i, item in enumerate(items):
        key = keys[i]
        if not key:
            results[i] = BatchResult(i, key, ERROR, errors={"client_key": [_("批量上传的每条记录都须有 client_key。")]})
            continue
        if key in existing:
            results[i] = BatchResult(i, key, DUPLICATE, record=existing[key])
            continue
        if key in first_index:
            results[i] = BatchResult(i, key, DUPLICATE)  # filled in once the first is saved
            continue
        first_index[key] = i
        try:
            valid.append((i, _validate(item, look=look, now=now)))
        except ValidationError as exc:
            results[i] = BatchResult(i, key, ERROR, errors=exc.message_dict)
    pending: list[tuple[int, dict]] = []
    for (i, values), problem in zip(valid, _link([v for _i, v in valid], look), strict=False):
        if problem:
            results[i] = BatchResult(i, keys[i], ERROR, errors=problem)
        else:
            pending.append((i, values))
    with transaction.atomic():
        entries: list = []
        created = _bulk_save(actor, checkpoint, pending, look, request=request, audit=entries)
        if created is None:
            # Another upload of some of the same keys got in first: one at a
            # time through the shared client-key door, which sorts it out.
            created = {}
            for i, values in pending:
                passage, is_new = idempotent_create(
                    Passage, keys[i], lambda values=values: _save(actor, checkpoint, [values], look, request=request)[0]
                )
                if is_new:
                    created[i] = passage
                else:
                    results[i] = BatchResult(i, keys[i], DUPLICATE, record=passage)
        for i, passage in created.items():
            results[i] = BatchResult(i, keys[i], CREATED, record=passage)
        ids = sorted(p.pk for p in created.values())
        tally = {s: sum(1 for r in results if r is not None and r.status == s) for s in (CREATED, DUPLICATE, ERROR)}
        # One entry for the upload (who, where, how many, which ids; each
        # passage also names who registered it and when), one per arrival.
        entries.append(
            entry(
                actor,
                "create",
                object_type="checkpoints.passage",
                object_id=ids[0] if ids else "",
                division_code=checkpoint.division_code,
                request=request,
                detail={
                    "batch": len(items),
                    **tally,
                    "first_id": ids[0] if ids else 0,
                    "last_id": ids[-1] if ids else 0,
                },
            )
        )
        record_all(entries)
    by_key = {r.client_key: r.record for r in results if r is not None and r.record is not None}
    for r in results:
        if r is not None and r.status == DUPLICATE and r.record is None:
            r.record = by_key.get(r.client_key)
            if r.record is None:  # the first of the pair failed validation: so does this one
                first = results[first_index[r.client_key]]
                r.status, r.errors = ERROR, first.errors
    return [r for r in results if r is not None]


# ---------------------------------------------------------------- after the passage


@transaction.atomic
def passage_recheck(*, actor, passage: Passage, temperature, outcome: str = "", request=None) -> Passage:
    """Record the second measurement of a feverish traveller and what was done."""
    passage = get_for_user(Passage.objects.select_for_update(), actor, pk=passage.pk)
    _require(actor, CHECKPOINTS_REGISTER, passage.division_code)
    errors: dict[str, list[str]] = {}
    try:
        t = parse_temperature(temperature)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        t = None
    if outcome and outcome not in Outcome.values:
        errors["outcome"] = [_("请选择处置结果。")]
    if is_fever(t) and outcome == Outcome.RELEASED:
        errors["outcome"] = [_("复测仍发热，不能放行：请联系120或发热门诊转运。")]
    if errors:
        raise ValidationError(errors)
    passage.recheck_temperature, passage.outcome = t, outcome
    passage.save(update_fields=["recheck_temperature", "outcome"])
    record(actor, "update", passage, request=request, detail={"recheck": True, "outcome": outcome})
    return passage
