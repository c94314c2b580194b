"""Writes for screening. ``arrivals_record`` (``arrival_record`` for one) is the one door every source uses
into a community's arrival queue (checkpoints call it for every inbound
passage). Every service: acting user first, keyword-only, one transaction,
an audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.roles import SCREENING_CAMPAIGN, SCREENING_HANDLE, SCREENING_POLICY
from fangkong.accounts.scoping import get_for_user, require_capability, user_can_see_code
from fangkong.audit.services import entry, record, record_all
from fangkong.core import throttle
from fangkong.core.rowsql import RowSelect, insert
from fangkong.core.services import status_change_record
from fangkong.followups.services import followup_start
from fangkong.lib import vault
from fangkong.lib.text import clean_text, identifying_text, reason_text
from fangkong.people.models import Household, Person
from fangkong.regions.models import Division
from fangkong.regions.selectors import city_code, city_place, city_places

from .choices import (
    MEASURE_ORDER,
    SCREENED_RESULTS,
    ArrivalFlag,
    ArrivalSource,
    ArrivalStatus,
    CampaignStatus,
    Measure,
    MeasureState,
    TravelMode,
    VisitResult,
)
from .models import (
    Arrival,
    ArrivalRule,
    Campaign,
    CoverageCount,
    Returnee,
    Visit,
    VisitAttempt,
)
from .origins import origin_get, risk_level
from .rules import arrival_flags, clear_rule_cache

# How long after arriving from elsewhere a measure still applies (days).
OBSERVATION_DAYS = 14
# The longest a campaign may run, and how far back its start may lie.
CAMPAIGN_MAX_DAYS = 60
CAMPAIGN_MAX_BACKDATE_DAYS = 7
# Self-reports: at most this many submissions per client address per minute /
# per day (settings FANGKONG_SELF_REPORT_PER_MINUTE / _PER_DAY).
SELF_REPORT_PER_MINUTE = settings.FANGKONG_SELF_REPORT_PER_MINUTE
SELF_REPORT_PER_DAY = settings.FANGKONG_SELF_REPORT_PER_DAY
# An arrival date may lie at most this far back (self-reports, imports, visits).
ARRIVAL_MAX_AGE_DAYS = 60


def _identifying(errors: dict[str, list[str]], field: str, value: str, limit: int) -> str:
    """Identifying text (address, travel number) normalized as every door does
    (fangkong.lib.text); a refused character is an error on ``field``."""
    try:
        return identifying_text(value)[:limit]
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return ""


# ---------------------------------------------------------------- arrivals


@dataclass
class ArrivalIn:
    """One arrival for ``arrivals_record``: where to, who (RecordedIdentity
    values, see people.identity.recorded_identity), from which source."""

    division_code: str
    identity: dict
    source: str
    arrived_on: dt.date | None = None
    origin_code: str = ""
    origin_name: str = ""
    temperature: Decimal | None = None
    travel_mode: str = ""
    travel_number: str = ""
    source_ref: str = ""
    note: str = ""
    address: str = ""


def arrival_record(
    *,
    actor,
    division_code: str,
    identity: dict,
    source: str,
    arrived_on: dt.date | None = None,
    origin_code: str = "",
    origin_name: str = "",
    temperature: Decimal | None = None,
    travel_mode: str = "",
    travel_number: str = "",
    source_ref: str = "",
    note: str = "",
    address: str = "",
    request=None,
    audit: list | None = None,
) -> tuple[Arrival, bool]:
    """Put an arrival into the destination community's queue: ``arrivals_record``
    for one. Returns (arrival, created)."""
    item = ArrivalIn(
        division_code=division_code,
        identity=identity,
        source=source,
        arrived_on=arrived_on,
        origin_code=origin_code,
        origin_name=origin_name,
        temperature=temperature,
        travel_mode=travel_mode,
        travel_number=travel_number,
        source_ref=source_ref,
        note=note,
        address=address,
    )
    return arrivals_record(actor=actor, items=[item], request=request, audit=audit)[0]


# Every inbound checkpoint registration runs this: a statement built once.
_PENDING_BY_DOC = RowSelect(Arrival, {"doc_index": "in", "status": "="}, order_by=["id"], for_update=True)


def arrivals_record(
    *,
    actor,
    items: Sequence[ArrivalIn],
    request=None,
    audit: list | None = None,
    risk_levels: dict[dt.date, dict[str, str]] | None = None,
) -> list[tuple[Arrival, bool]]:
    """The one door into the communities' arrival queues, for one arrival or
    a whole upload: (arrival, created) for each item, in order.

    Every arrival's flags come from ``rules.arrival_flags`` (fever, a risk-area
    origin on the day of arrival), whatever the source. ``risk_levels``: the
    risk levels of some days, if the caller has them loaded (a day → origin
    code → level, as ``checkpoints.services.current_risk_levels``); other days
    are read once per call.

    A pending arrival for the same document number in the same community is
    merged rather than duplicated (flags united, the highest temperature kept,
    blanks filled in, reports counted) — also between items of the same call.

    Every item is checked before anything is written (ValidationError keyed
    'destination' or 'source'); the writes then happen in the caller's
    transaction (or their own) without a savepoint, in a fixed number of
    statements whatever the number of items (plus one per merge). ``audit``:
    a list to put the audit entries in, for a caller that writes its entries
    together (``audit.services.record_all``); else they are written here."""
    places = city_places([it.division_code for it in items])
    for it in items:
        if it.source not in ArrivalSource.values:
            raise ValidationError({"source": _("来源无效。")})
        if places[(it.division_code or "").strip()] is None:
            raise ValidationError({"destination": _("目的地必须是本市的村/社区。")})
    today = timezone.localdate()
    created_by = actor if getattr(actor, "pk", None) else None
    docs = sorted({it.identity.get("doc_index") for it in items if it.identity.get("doc_index")})
    with transaction.atomic(savepoint=False):
        pending: dict[tuple[str, str], Arrival] = {}
        if docs:
            _lock_identities(docs)
            for a in _PENDING_BY_DOC.rows_in(docs, ArrivalStatus.PENDING):
                pending.setdefault((a.doc_index, a.division_code[:12]), a)
        results: list[tuple[Arrival, bool]] = []
        new: list[Arrival] = []
        merged: dict[int, tuple[Arrival, set[str]]] = {}  # saved arrivals: id(arrival) → (arrival, fields)
        merges: list[tuple[Arrival, str]] = []
        levels_by_day = dict(risk_levels or {})
        for it in items:
            division = places[it.division_code.strip()]
            arrived_on = it.arrived_on or today
            if it.origin_code and arrived_on not in levels_by_day:
                levels_by_day[arrived_on] = _risk_levels_on(arrived_on)
            flags = arrival_flags(
                temperature=it.temperature,
                origin_code=it.origin_code,
                arrived_on=arrived_on,
                risk_levels=levels_by_day.get(arrived_on, {}),
            )
            doc_index = it.identity.get("doc_index") or ""
            key = (doc_index, division.code[:12])
            target = pending.get(key) if doc_index else None
            if target is None:
                arrival = Arrival(
                    division_code=division.code,
                    source=it.source,
                    source_ref=it.source_ref[:40],
                    arrived_on=arrived_on,
                    origin_code=it.origin_code[:12],
                    origin_name=it.origin_name[:60],
                    flags=",".join(flags),
                    flagged=bool(flags),
                    temperature=it.temperature,
                    travel_mode=it.travel_mode[:20],
                    travel_number=it.travel_number[:20],
                    note=it.note[:200],
                    address=clean_text(it.address, 200),
                    created_on=today,
                    created_by=created_by,
                    **it.identity,
                )
                new.append(arrival)
                results.append((arrival, True))
                if doc_index:
                    pending[key] = arrival
                continue
            fields = _arrival_merge(target, it, flags)
            if target.pk is not None:
                merged.setdefault(id(target), (target, set()))[1].update(fields)
            merges.append((target, it.source))
            results.append((target, False))
        insert(new)
        for arrival, fields in merged.values():
            arrival.save(update_fields=sorted(fields))
        entries = [entry(actor, "create", a, request=request, detail={"source": a.source}) for a in new]
        entries += [entry(actor, "update", a, request=request, detail={"merged": source}) for a, source in merges]
        if audit is None:
            record_all(entries)
        else:
            audit.extend(entries)
    return results


def _risk_levels_on(day: dt.date) -> dict[str, str]:
    # Imported here: checkpoints.services imports this module (passages queue arrivals).
    from fangkong.checkpoints.services import current_risk_levels

    # Only today's list is cached per process (the passages' hot path reads it).
    return current_risk_levels(day, cached=day == timezone.localdate())


def _arrival_merge(existing: Arrival, it: ArrivalIn, flags: list[str]) -> list[str]:
    """Merge a new report of the same person into a pending arrival; returns the fields changed."""
    merged = sorted(set(existing.flag_list()) | set(flags))
    existing.flags, existing.flagged = ",".join(merged), bool(merged)
    existing.reports += 1
    changed = ["flags", "flagged", "reports"]
    if it.temperature is not None and (existing.temperature is None or it.temperature > existing.temperature):
        existing.temperature = it.temperature
        changed.append("temperature")
    for field, value, limit in (
        ("origin_code", it.origin_code, 12),
        ("origin_name", it.origin_name, 60),
        ("travel_mode", it.travel_mode, 20),
        ("travel_number", it.travel_number, 20),
        ("address", it.address, 200),
    ):
        if value and not getattr(existing, field):
            setattr(existing, field, value[:limit])
            changed.append(field)
    if it.identity.get("phone_index") and not existing.phone_index:
        for field in ("phone_cipher", "phone_index", "phone_masked"):
            setattr(existing, field, it.identity[field])
        changed += ["phone_cipher", "phone_index", "phone_masked"]
    return changed


def _lock_identities(doc_indexes: list[str]) -> None:
    """Two reports of the same person at the same moment (a checkpoint and a
    self-report) must merge, not both insert: on PostgreSQL transaction-level
    advisory locks on the blind indexes serialize them, taken in one statement
    and in sorted order so two uploads never wait on each other in a circle
    (SQLite's write lock already serializes)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    keys = sorted(
        int.from_bytes(hashlib.blake2b(d.encode(), digest_size=8).digest(), "big", signed=True) for d in doc_indexes
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(k, i)", [keys]
        )


@transaction.atomic
def arrival_rule_set(
    *,
    user,
    everyone: bool,
    outside_city: bool,
    risk_area: bool,
    fever: bool,
    not_registered: bool,
    reason: str,
    request=None,
) -> ArrivalRule:
    """HQ sets which inbound checkpoint passages queue an arrival (``ArrivalRule``;
    the passage is recorded either way). At least one condition; audited with
    the reason and what changed."""
    require_capability(user, SCREENING_POLICY)
    reason = reason_text(reason)
    values = {
        "everyone": bool(everyone),
        "outside_city": bool(outside_city),
        "risk_area": bool(risk_area),
        "fever": bool(fever),
        "not_registered": bool(not_registered),
    }
    if not any(values.values()):
        raise ValidationError({"__all__": _("请至少选择一项：否则卡点登记将不再推送任何抵达人员。")})
    rule, _created = ArrivalRule.objects.select_for_update().get_or_create(pk=ArrivalRule.SINGLETON)
    old = {f: getattr(rule, f) for f in ArrivalRule.FIELDS}
    for f, v in values.items():
        setattr(rule, f, v)
    rule.updated_at, rule.updated_by = timezone.now(), user
    rule.save()
    record(
        user,
        "update",
        rule,
        reason=reason,
        division_code=city_code(),
        request=request,
        detail={"from": ",".join(f for f, v in old.items() if v), "to": ",".join(f for f, v in values.items() if v)},
    )
    transaction.on_commit(clear_rule_cache)
    clear_rule_cache()
    return rule


def _pending_arrival_for_update(user, arrival: Arrival) -> Arrival:
    arrival = get_for_user(Arrival.objects.select_for_update(), user, SCREENING_HANDLE, pk=arrival.pk)
    if arrival.status != ArrivalStatus.PENDING:
        raise ValidationError(
            _("该抵达人员已处理（%(status)s），不能重复处理。") % {"status": arrival.get_status_display()}
        )
    return arrival


def _mark_handled(user, arrival: Arrival, status: str, reason: str) -> None:
    now = timezone.now()
    arrival.status, arrival.handled_at, arrival.handled_on, arrival.handled_by = status, now, timezone.localdate(), user
    arrival.save(update_fields=["status", "handled_at", "handled_on", "handled_by", "dismiss_reason"])
    status_change_record(actor=user, obj=arrival, from_status=ArrivalStatus.PENDING, to_status=status, reason=reason)


@transaction.atomic
def arrival_dismiss(*, user, arrival: Arrival, reason: str, request=None) -> Arrival:
    """Take an arrival off the queue without a returnee (e.g. passing through,
    a duplicate, wrong community), with the reason."""
    arrival = _pending_arrival_for_update(user, arrival)
    reason = reason_text(reason)
    arrival.dismiss_reason = reason
    _mark_handled(user, arrival, ArrivalStatus.DISMISSED, reason)
    record(user, "update", arrival, reason=reason, request=request, detail={"status": ArrivalStatus.DISMISSED})
    return arrival


REVEAL_FIELDS = {"doc_number": "doc_cipher", "phone": "phone_cipher"}


def arrival_reveal(*, user, arrival: Arrival, field: str, reason: str, request=None) -> str:
    """The full document number or phone of an arrival (to call or find the
    person), for a stated reason. Always audited."""
    from fangkong.accounts.roles import PEOPLE_REVEAL
    from fangkong.people.reveals import clean_reason, reveal_record

    arrival = get_for_user(Arrival.objects.all(), user, SCREENING_HANDLE, pk=arrival.pk)
    require_capability(user, PEOPLE_REVEAL, arrival.division_code)
    if field not in REVEAL_FIELDS:
        raise ValidationError({"field": _("只能查看证件号码或电话。")})
    reason = clean_reason(reason)  # the same rules and limits as every reveal
    with transaction.atomic():
        reveal_record(user, arrival, field=field, reason=reason, request=request)
        cipher = getattr(arrival, REVEAL_FIELDS[field])
        return vault.decrypt(cipher) if cipher else ""


# ---------------------------------------------------------------- campaigns


def _campaign_place(user, code: str) -> Division:
    code = (code or "").strip()
    if not code or not user_can_see_code(user, code, SCREENING_CAMPAIGN):
        raise ValidationError({"division_code": _("所选村/社区或乡镇不在您的辖区内。")})
    division = Division.objects.filter(code=code).first()
    if division is None or division.level not in ("community", "township"):
        raise ValidationError({"division_code": _("排查须以村/社区或乡镇街道为单位开展。")})
    return division


def _overlapping(code: str, starts_on: dt.date, ends_on: dt.date, exclude: int | None = None):
    """Active campaigns covering any of the same communities on any of the same days."""
    ancestors = [code[:n] for n in (9, 12) if n <= len(code)]
    qs = Campaign.objects.filter(status=CampaignStatus.ACTIVE, starts_on__lte=ends_on, ends_on__gte=starts_on)
    qs = qs.filter(division_code__in=ancestors) | qs.under(code)
    return qs.exclude(pk=exclude) if exclude else qs


@transaction.atomic
def campaign_start(
    *, user, division_code: str, name: str, starts_on: dt.date, ends_on: dt.date, note: str = "", request=None
) -> Campaign:
    """Start a door-to-door campaign over a community, or over every community of
    a township. Never overlaps another active campaign on the same communities."""
    errors: dict[str, list[str]] = {}
    division = None
    try:
        division = _campaign_place(user, division_code)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    name = clean_text(name, 100)
    if not name:
        errors.setdefault("name", []).append(_("请填写排查名称。"))
    today = timezone.localdate()
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        errors.setdefault("starts_on", []).append(_("请填写开始和结束日期。"))
    else:
        if ends_on < starts_on:
            errors.setdefault("ends_on", []).append(_("结束日期不能早于开始日期。"))
        elif (ends_on - starts_on).days + 1 > CAMPAIGN_MAX_DAYS:
            errors.setdefault("ends_on", []).append(_("一轮排查最长 %(n)d 天。") % {"n": CAMPAIGN_MAX_DAYS})
        if starts_on < today - dt.timedelta(days=CAMPAIGN_MAX_BACKDATE_DAYS):
            errors.setdefault("starts_on", []).append(
                _("开始日期最多只能追溯 %(n)d 天。") % {"n": CAMPAIGN_MAX_BACKDATE_DAYS}
            )
        if ends_on < today:
            errors.setdefault("ends_on", []).append(_("结束日期不能早于今天。"))
    if errors:
        raise ValidationError(errors)
    # Serialize starts within a township: every campaign here locks the same row.
    Division.objects.select_for_update().filter(code=division.code[:9]).first()
    clash = _overlapping(division.code, starts_on, ends_on).first()
    if clash is not None:
        raise ValidationError(
            {
                "division_code": _("该区域已有进行中的排查“%(name)s”（%(start)s 至 %(end)s），时间不能重叠。")
                % {"name": clash.name, "start": clash.starts_on, "end": clash.ends_on}
            }
        )
    campaign = Campaign.objects.create(
        division_code=division.code,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        note=clean_text(note, 200),
        created_by=user,
    )
    status_change_record(actor=user, obj=campaign, to_status=CampaignStatus.ACTIVE, reason=name)
    record(user, "create", campaign, request=request)
    return campaign


@transaction.atomic
def campaign_close(*, user, campaign: Campaign, reason: str = "", request=None) -> Campaign:
    campaign = get_for_user(Campaign.objects.select_for_update(), user, SCREENING_CAMPAIGN, pk=campaign.pk)
    if campaign.status != CampaignStatus.ACTIVE:
        raise ValidationError(_("该排查已结束。"))
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    status_change_record(
        actor=user, obj=campaign, from_status=CampaignStatus.ACTIVE, to_status=CampaignStatus.CLOSED, reason=reason
    )
    record(user, "update", campaign, reason=reason, request=request, detail={"status": CampaignStatus.CLOSED})
    return campaign


# ---------------------------------------------------------------- visits


@dataclass
class FoundReturnee:
    """One person from elsewhere found at a household, as typed at the door."""

    name: str
    doc_number: str
    phone: str = ""
    doc_type: str = "ric"
    origin_code: str = ""
    arrived_on: dt.date | None = None
    travel_mode: str = ""
    travel_number: str = ""


def _coverage_adjust(campaign_id: int, code: str, *, screened: int = 0, revisit: int = 0, returnees: int = 0) -> None:
    if not (screened or revisit or returnees):
        return
    row, _created = CoverageCount.objects.get_or_create(campaign_id=campaign_id, division_code=code)
    CoverageCount.objects.filter(pk=row.pk).update(
        screened=F("screened") + screened, revisit=F("revisit") + revisit, returnees=F("returnees") + returnees
    )


def _household_visits(household_id: int, exclude_code: str = "") -> list[tuple[int, int, str, dict]]:
    """A household's visits as (visit id, campaign id, division code, what each
    counts for in the coverage counters), locked for the caller's transaction."""
    rows = Visit.objects.select_for_update().filter(household_id=household_id)
    if exclude_code:
        rows = rows.exclude(division_code=exclude_code)
    return [
        (
            v["id"],
            v["campaign_id"],
            v["division_code"],
            {
                "screened": int(v["result"] in SCREENED_RESULTS),
                "revisit": int(v["result"] == VisitResult.NOBODY_HOME),
                "returnees": v["returnees_found"] or 0,
            },
        )
        for v in rows.values("id", "campaign_id", "division_code", "result", "returnees_found")
    ]


def coverage_forget_household(*, household_id: int) -> None:
    """Take a household's visits out of the coverage counters (it is being
    deleted; its visits go with it). Runs in the deleting transaction."""
    for _id, campaign_id, code, counts in _household_visits(household_id):
        _coverage_adjust(campaign_id, code, **{k: -n for k, n in counts.items()})


def coverage_move_household(*, household_id: int, to_code: str) -> None:
    """A household moved to another division: its visits now say so, and
    the coverage counters move with them (out of the old place, into the new;
    a campaign's coverage shows only its own area, so a household moved out
    of it drops out). Runs in the moving transaction."""
    visits = _household_visits(household_id, exclude_code=to_code)
    for _id, campaign_id, code, counts in visits:
        _coverage_adjust(campaign_id, code, **{k: -n for k, n in counts.items()})
        _coverage_adjust(campaign_id, to_code, **counts)
    if visits:
        Visit.objects.filter(pk__in=[v[0] for v in visits]).update(division_code=to_code)


def _found_identities(found: list[FoundReturnee]) -> list[tuple[FoundReturnee, dict, str]]:
    """Validate every person found at the door; errors keyed returnees.<i>.<field>."""
    from fangkong.people.identity import recorded_identity

    errors: dict[str, list[str]] = {}
    out = []
    seen: set[str] = set()
    for i, f in enumerate(found):
        try:
            ident = recorded_identity(name=f.name, doc_type=f.doc_type or "ric", doc_number=f.doc_number, phone=f.phone)
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                errors.setdefault(f"returnees.{i}.{field}", []).extend(msgs)
            continue
        if ident.get("doc_index") in seen:
            errors.setdefault(f"returnees.{i}.doc_number", []).append(_("同一证件号码登记了两次。"))
        seen.add(ident.get("doc_index"))
        origin_name = ""
        if f.origin_code:
            origin = origin_get(f.origin_code)
            if origin is None:
                errors.setdefault(f"returnees.{i}.origin_code", []).append(_("来源地无效。"))
            else:
                origin_name = origin.name
        try:
            _check_arrival_date(f.arrived_on)
        except ValidationError as exc:
            errors.setdefault(f"returnees.{i}.arrived_on", []).extend(exc.messages)
        if f.travel_mode and f.travel_mode not in TravelMode.values:
            errors.setdefault(f"returnees.{i}.travel_mode", []).append(_("交通方式无效。"))
        f.travel_number = _identifying(errors, f"returnees.{i}.travel_number", f.travel_number, 20)
        out.append((f, ident, origin_name))
    if errors:
        raise ValidationError(errors)
    return out


def _check_arrival_date(day: dt.date | None) -> None:
    if day is None:
        return
    today = timezone.localdate()
    if day > today:
        raise ValidationError(_("抵达日期不能晚于今天。"))
    if day < today - dt.timedelta(days=ARRIVAL_MAX_AGE_DAYS):
        raise ValidationError(_("抵达日期不能早于 %(n)d 天前。") % {"n": ARRIVAL_MAX_AGE_DAYS})


def visit_record(
    *,
    user,
    campaign: Campaign,
    household: Household,
    result: str,
    note: str = "",
    returnees: list[FoundReturnee] | None = None,
    client_key: str | None = None,
    request=None,
) -> tuple[Visit, bool]:
    """Record one knock on a household's door in a campaign.

    One Visit per campaign and household holds the latest result; each knock is
    a VisitAttempt. "Nobody home" leaves the household waiting for a revisit; a
    household already screened is never set back to "nobody home". People from
    elsewhere found at the door go into the community's arrival queue (source
    "visit"). A retry with the same ``client_key`` returns the first result and
    changes nothing. Returns (visit, recorded)."""
    if client_key is not None:
        client_key = (client_key or "").strip()[:64] or None
    if client_key:
        done = VisitAttempt.objects.filter(client_key=client_key).select_related("visit").first()
        if done is not None:
            return get_for_user(Visit.objects.all(), user, SCREENING_HANDLE, pk=done.visit_id), False
    try:
        return _visit_record(
            user=user,
            campaign=campaign,
            household=household,
            result=result,
            note=note,
            returnees=returnees or [],
            client_key=client_key,
            request=request,
        ), True
    except IntegrityError:
        # A concurrent submission of the same client key won the race.
        done = VisitAttempt.objects.filter(client_key=client_key).first() if client_key else None
        if done is None:
            raise
        return get_for_user(Visit.objects.all(), user, SCREENING_HANDLE, pk=done.visit_id), False


@transaction.atomic
def _visit_record(*, user, campaign, household, result, note, returnees, client_key, request) -> Visit:
    from .selectors import campaign_get

    campaign = campaign_get(user=user, pk=campaign.pk, capability=SCREENING_HANDLE)
    household = get_for_user(Household.objects.all(), user, SCREENING_HANDLE, pk=household.pk)
    if not household.division_code.startswith(campaign.division_code):
        raise ValidationError({"household": _("该户不在本轮排查范围内。")})
    today = timezone.localdate()
    if not campaign.is_open_on(today):
        raise ValidationError(
            _("本轮排查不在进行中（%(start)s 至 %(end)s），不能登记走访。")
            % {"start": campaign.starts_on, "end": campaign.ends_on}
        )
    if result not in VisitResult.values:
        raise ValidationError({"result": _("请选择走访结果。")})
    if result == VisitResult.RETURNEES_FOUND and not returnees:
        raise ValidationError({"returnees": _("请至少登记一名返乡人员。")})
    if result != VisitResult.RETURNEES_FOUND and returnees:
        raise ValidationError({"returnees": _("只有结果为“发现返乡人员”时才登记人员。")})
    found = _found_identities(returnees)
    note = clean_text(note, 200)
    now = timezone.now()

    visit = Visit.objects.select_for_update().filter(campaign=campaign, household=household).first()
    previous = None
    if visit is None:
        try:
            with transaction.atomic():
                visit = Visit.objects.create(
                    campaign=campaign,
                    household=household,
                    division_code=household.division_code,
                    result=result,
                    attempts=0,
                    note=note,
                    first_at=now,
                    last_at=now,
                    last_by=user,
                )
        except IntegrityError:
            # Another worker recorded the first knock at this door a moment ago.
            visit = Visit.objects.select_for_update().get(campaign=campaign, household=household)
            previous = visit.result
    else:
        previous = visit.result

    # Never downgrade a screened household to "nobody home".
    new = previous if (previous in SCREENED_RESULTS and result == VisitResult.NOBODY_HOME) else result
    was_screened, is_screened = previous in SCREENED_RESULTS, new in SCREENED_RESULTS
    screened = int(is_screened) - int(was_screened)
    revisit = int(new == VisitResult.NOBODY_HOME) - int(previous == VisitResult.NOBODY_HOME)

    visit.result, visit.last_at, visit.last_by = new, now, user
    visit.attempts += 1
    visit.returnees_found += len(found)
    if note:
        visit.note = note
    if is_screened and visit.screened_on is None:
        visit.screened_on = today
    visit.save(update_fields=["result", "last_at", "last_by", "attempts", "returnees_found", "note", "screened_on"])
    VisitAttempt.objects.create(visit=visit, result=result, note=note, at=now, by=user, client_key=client_key)
    _coverage_adjust(campaign.pk, visit.division_code, screened=screened, revisit=revisit, returnees=len(found))
    if previous is not None and previous != new:
        status_change_record(actor=user, obj=visit, from_status=previous, to_status=new)
    for f, ident, origin_name in found:
        arrival_record(
            actor=user,
            division_code=household.division_code,
            identity=ident,
            source=ArrivalSource.VISIT,
            arrived_on=f.arrived_on,
            origin_code=f.origin_code if origin_name else "",
            origin_name=origin_name,
            travel_mode=f.travel_mode,
            travel_number=clean_text(f.travel_number, 20),
            source_ref=f"visit:{visit.pk}",
            address=household.address,
            request=request,
        )
    record(
        user,
        "create" if previous is None else "update",
        visit,
        request=request,
        detail={"result": result, "found": len(found)},
    )
    return visit


@transaction.atomic
def coverage_rebuild(*, campaign: Campaign | None = None) -> int:
    """Recompute the coverage counters from the visits (all campaigns, or one).
    Returns how many counter rows now exist for them."""
    from django.db.models import Count, Q, Sum

    campaigns = [campaign.pk] if campaign else list(Campaign.objects.values_list("pk", flat=True))
    CoverageCount.objects.filter(campaign_id__in=campaigns).delete()
    rows = (
        Visit.objects.filter(campaign_id__in=campaigns)
        .values("campaign_id", "division_code")
        .annotate(
            screened=Count("id", filter=Q(result__in=SCREENED_RESULTS)),
            revisit=Count("id", filter=Q(result=VisitResult.NOBODY_HOME)),
            returnees=Sum("returnees_found"),
        )
        .order_by()
    )
    objs = [
        CoverageCount(
            campaign_id=r["campaign_id"],
            division_code=r["division_code"],
            screened=r["screened"],
            revisit=r["revisit"],
            returnees=r["returnees"] or 0,
        )
        for r in rows
    ]
    CoverageCount.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


# ---------------------------------------------------------------- returnees


@dataclass(frozen=True)
class Proposal:
    measure: str
    reason: str


def measure_propose(
    *,
    origin_code: str = "",
    arrived_on: dt.date | None = None,
    risk_area_contact: bool = False,
    case_contact: bool = False,
    today: dt.date | None = None,
) -> Proposal:
    """The measure the rules propose for a returnee, and the rule that applies:

    - contact with a confirmed or suspected case → centralized quarantine;
    - from a current risk area, or been to one, within 14 days → home quarantine;
    - arrived from elsewhere within 14 days → health monitoring;
    - arrived more than 14 days ago with none of the above → no measure."""
    today = today or timezone.localdate()
    arrived_on = arrived_on or today
    recent = (today - arrived_on).days < OBSERVATION_DAYS
    if case_contact:
        return Proposal(Measure.CENTRAL_QUARANTINE, _("接触过确诊或疑似病例：集中隔离医学观察14天。"))
    level = risk_level(origin_code, arrived_on) if recent else ""
    if level:
        label = {"high": _("高风险"), "medium": _("中风险")}.get(level, level)
        return Proposal(
            Measure.HOME_QUARANTINE, _("14天内来自风险地区（%(level)s）：居家隔离14天。") % {"level": label}
        )
    if risk_area_contact and recent:
        return Proposal(Measure.HOME_QUARANTINE, _("14天内到过风险地区：居家隔离14天。"))
    if recent:
        return Proposal(Measure.HEALTH_MONITORING, _("14天内自外地返回：健康监测14天。"))
    return Proposal(Measure.NONE, _("抵达已超过14天，且无风险地区或病例接触史。"))


def _returnee_person(
    user, arrival: Arrival, *, name, doc_type, doc_number, doc_reason, phone, household, request
) -> Person:
    """The registry person for a returnee: the one with this document number
    (moved into the chosen household when registered outside the user's
    jurisdiction), or a new registration."""
    from fangkong.people.services import DuplicatePerson, person_create, person_move, registered_message

    try:
        return person_create(
            user=user,
            name=name,
            doc_type=doc_type,
            doc_number=doc_number,
            doc_reason=doc_reason,
            phone=phone,
            household=household,
            division_code=None if household else arrival.division_code,
            request=request,
        )
    except DuplicatePerson as dup:
        existing = dup.existing
        if dup.in_scope:
            return existing
        if household is None:
            raise ValidationError(
                {
                    "household": registered_message(user, existing.division_code)
                    + _("请选择其现住的本辖区户，将其迁入后再核实。")
                }
            ) from None
        return person_move(
            user=user, person=existing, household=household, reason=_("返乡人员核实：现居本户"), request=request
        )


@transaction.atomic
def returnee_confirm(
    *,
    user,
    arrival: Arrival,
    measure: str,
    measure_reason: str,
    name: str = "",
    doc_type: str | None = None,
    doc_number: str = "",
    doc_reason: str = "",
    phone: str = "",
    origin_code: str | None = None,
    arrived_on: dt.date | None = None,
    travel_mode: str = "",
    travel_number: str = "",
    risk_area_contact: bool = False,
    case_contact: bool = False,
    contact_note: str = "",
    household: Household | None = None,
    place: str = "",
    site_name: str = "",
    request=None,
) -> Returnee:
    """Confirm the person behind a pending arrival as a returnee and decide the
    measure. Blank identity fields keep what the arrival recorded. The person
    is registered if new. The rules propose a measure (``measure_propose``); a
    decided measure no stricter than the proposal starts at once (a follow-up),
    a stricter one is a manual restriction and waits for a second person's
    approval."""
    arrival = _pending_arrival_for_update(user, arrival)
    errors: dict[str, list[str]] = {}

    doc_type = doc_type or arrival.doc_type
    doc_number = (doc_number or "").strip() or (vault.decrypt(arrival.doc_cipher) if arrival.doc_cipher else "")
    phone = (phone or "").strip() or (vault.decrypt(arrival.phone_cipher) if arrival.phone_cipher else "")
    name = (name or "").strip() or arrival.name
    origin_code = arrival.origin_code if origin_code is None else (origin_code or "").strip()
    origin = origin_get(origin_code) if origin_code else None
    if origin_code and origin is None:
        errors.setdefault("origin_code", []).append(_("来源地无效。"))
    origin_name = origin.name if origin else arrival.origin_name
    if not origin_name:
        errors.setdefault("origin_code", []).append(_("请选择来源地。"))
    arrived_on = arrived_on or arrival.arrived_on
    try:
        _check_arrival_date(arrived_on)
    except ValidationError as exc:
        errors.setdefault("arrived_on", []).extend(exc.messages)
    if travel_mode and travel_mode not in TravelMode.values:
        errors.setdefault("travel_mode", []).append(_("交通方式无效。"))
    travel_number = _identifying(errors, "travel_number", travel_number, 20)
    if measure not in Measure.values:
        errors.setdefault("measure", []).append(_("请选择措施。"))
    try:
        measure_reason = reason_text(measure_reason, field="measure_reason")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if measure == Measure.CENTRAL_QUARANTINE and not clean_text(site_name, 100):
        errors.setdefault("site_name", []).append(_("集中隔离请填写隔离点名称。"))
    if household is not None:
        try:
            household = get_for_user(Household.objects.all(), user, SCREENING_HANDLE, pk=household.pk)
        except Exception:
            errors.setdefault("household", []).append(_("所选户不存在或不在您的辖区内。"))
            household = None
        if household is not None and not household.division_code.startswith(arrival.division_code[:12]):
            errors.setdefault("household", []).append(_("所选户不在该抵达人员的目的地村/社区。"))
    if errors:
        raise ValidationError(errors)

    person = _returnee_person(
        user,
        arrival,
        name=name,
        doc_type=doc_type,
        doc_number=doc_number,
        doc_reason=doc_reason or (_("返乡人员核实") if doc_type != "ric" else ""),
        phone=phone,
        household=household,
        request=request,
    )
    # A checkpoint that flagged the origin as a risk area counts as risk-area contact.
    risk_area_contact = bool(risk_area_contact) or ArrivalFlag.RISK_AREA in arrival.flag_list()
    proposal = measure_propose(
        origin_code=origin_code, arrived_on=arrived_on, risk_area_contact=risk_area_contact, case_contact=case_contact
    )
    stricter = MEASURE_ORDER[measure] > MEASURE_ORDER[proposal.measure]
    if measure == Measure.NONE:
        state = MeasureState.NOT_NEEDED
    elif stricter:
        state = MeasureState.AWAITING_APPROVAL
    else:
        state = MeasureState.STARTED
    address = (household.address if household else "") or arrival.address
    returnee = Returnee.objects.create(
        division_code=household.division_code if household else arrival.division_code,
        person=person,
        arrival=arrival,
        source=arrival.source,
        origin_code=origin_code[:12],
        origin_name=origin_name[:60],
        arrived_on=arrived_on,
        travel_mode=travel_mode,
        travel_number=travel_number,
        risk_area_contact=bool(risk_area_contact),
        case_contact=bool(case_contact),
        contact_note=clean_text(contact_note, 200),
        proposed_measure=proposal.measure,
        proposed_reason=proposal.reason[:200],
        measure=measure,
        measure_reason=measure_reason,
        measure_state=state,
        place=clean_text(place, 200) or address,
        site_name=clean_text(site_name, 100),
        confirmed_by=user,
    )
    if arrival.person_id != person.pk:
        arrival.person = person
        arrival.save(update_fields=["person"])
    _mark_handled(user, arrival, ArrivalStatus.CONFIRMED, measure_reason)
    record(
        user,
        "create",
        returnee,
        reason=measure_reason,
        request=request,
        detail={"measure": measure, "proposed": proposal.measure, "state": state},
    )
    if state == MeasureState.STARTED:
        _start_followup(user, returnee, request=request)
    elif state == MeasureState.AWAITING_APPROVAL:
        from fangkong.approvals.services import approval_request

        approval_request(
            user=user,
            kind=APPROVAL_KIND,
            obj=returnee,
            reason=_("措施严于规则建议（建议：%(p)s；决定：%(m)s）：%(r)s")
            % {"p": Measure(proposal.measure).label, "m": Measure(measure).label, "r": measure_reason},
            payload={"measure": measure},
        )
    return returnee


APPROVAL_KIND = "screening.stricter_measure"


def _start_followup(user, returnee: Returnee, *, request=None, approval=None) -> None:
    """Start the follow-up (quarantine or monitoring) the decision calls for.
    Home quarantine and monitoring count from the day of arrival; centralized
    quarantine from today, when the person is taken to the site. ``approval``:
    the approved stricter-measure request, which is the second person's
    confirmation a centralized quarantine otherwise asks for (one approval)."""
    followup = followup_start(
        user=user,
        person=returnee.person,
        kind=returnee.measure,
        reason=returnee.measure_reason,
        place=returnee.place,
        site_name=returnee.site_name,
        start_date=_followup_start_date(returnee),
        source_ref=f"returnee:{returnee.pk}",
        request=request,
        **({"approval": approval} if approval is not None else {}),
    )
    returnee.followup = followup
    returnee.save(update_fields=["followup"])


def _followup_start_date(returnee: Returnee) -> dt.date:
    today = timezone.localdate()
    if returnee.measure == Measure.CENTRAL_QUARANTINE or (today - returnee.arrived_on).days >= OBSERVATION_DAYS:
        return today
    return returnee.arrived_on


def _approval_apply(*, approval, decider) -> None:
    returnee = Returnee.objects.select_for_update().get(pk=int(approval.object_id))
    if returnee.measure_state != MeasureState.AWAITING_APPROVAL:
        return
    returnee.measure_state = MeasureState.STARTED
    returnee.save(update_fields=["measure_state"])
    status_change_record(
        actor=decider,
        obj=returnee,
        from_status=MeasureState.AWAITING_APPROVAL,
        to_status=MeasureState.STARTED,
        reason=approval.decision_reason,
    )
    _start_followup(approval.requested_by, returnee, approval=approval)


def _approval_reject(*, approval, decider) -> None:
    returnee = Returnee.objects.select_for_update().get(pk=int(approval.object_id))
    if returnee.measure_state != MeasureState.AWAITING_APPROVAL:
        return
    returnee.measure_state = MeasureState.REJECTED
    returnee.save(update_fields=["measure_state"])
    status_change_record(
        actor=decider,
        obj=returnee,
        from_status=MeasureState.AWAITING_APPROVAL,
        to_status=MeasureState.REJECTED,
        reason=approval.decision_reason,
    )


def _approval_describe(approval):
    """The approval card: whom (masked), proposed → decided measure, arrival, a link."""
    from django.urls import reverse

    from fangkong.approvals.registry import Description
    from fangkong.lib.masking import mask_name

    returnee = Returnee.objects.select_related("person").filter(pk=int(approval.object_id)).first()
    if returnee is None:
        return None
    who = " ".join(x for x in (mask_name(returnee.person.name), returnee.person.doc_masked) if x)
    details = [
        _("%(origin)s 返回，%(date)s 抵达") % {"origin": returnee.origin_name, "date": returnee.arrived_on.isoformat()}
    ]
    if returnee.site_name:
        details.append(_("隔离点：%(s)s") % {"s": returnee.site_name})
    change = f"{Measure(returnee.proposed_measure).label} → {Measure(returnee.measure).label}"
    return Description(
        summary=f"{who} · {change}",
        details=tuple(details),
        url=reverse("screening:returnee_detail", args=[returnee.pk]),
    )


def register_approval_kind() -> None:
    from django.utils.translation import gettext_lazy

    from fangkong.approvals import registry

    registry.register(
        registry.ApprovalKind(
            code=APPROVAL_KIND,
            label=gettext_lazy("严于规则建议的返乡人员措施"),
            capability=SCREENING_HANDLE,
            apply=_approval_apply,
            on_reject=_approval_reject,
            describe=_approval_describe,
        )
    )


# ---------------------------------------------------------------- self-report


@dataclass(frozen=True)
class SelfReport:
    """What a resident types on the public self-report page."""

    name: str
    doc_number: str
    phone: str
    origin_code: str
    arrived_on: dt.date | None
    destination_code: str
    address: str
    travel_mode: str = ""
    travel_number: str = ""
    reporter: str = "self"  # "self" or "family"
    doc_type: str = "ric"


_TOO_MANY_REPORTS = gettext_lazy("提交太频繁，请 %(seconds)s 秒后再试。如需帮助请直接联系所在村/社区。")


def self_report_limits() -> tuple[throttle.Limit, throttle.Limit]:
    """SELF_REPORT_PER_MINUTE a minute, SELF_REPORT_PER_DAY a (local) day, per client address."""
    return (
        throttle.Limit("self-report.minute", SELF_REPORT_PER_MINUTE, 60, _TOO_MANY_REPORTS),
        throttle.Limit("self-report.day", SELF_REPORT_PER_DAY, 24 * 3600, _TOO_MANY_REPORTS),
    )


def self_report_throttle(*, client: str, now: dt.datetime | None = None) -> None:
    """Count one self-report attempt from ``client`` (an address); raise
    core.throttle.Throttled past the limits. Counted in the database
    (core.throttle), so every server worker shares the limit."""
    throttle.hit(client or "unknown", *self_report_limits(), now=now)


@transaction.atomic
def self_report_submit(*, report: SelfReport, request=None) -> Arrival:
    """A resident reports their own or a family member's arrival (主动配合登记).
    No login: it lands in the destination community's queue as a self-report,
    merged with a pending arrival for the same document number."""
    from fangkong.people.identity import recorded_identity

    errors: dict[str, list[str]] = {}
    ident = None
    try:
        ident = recorded_identity(
            name=report.name, doc_type=report.doc_type or "ric", doc_number=report.doc_number, phone=report.phone
        )
        if not report.name.strip():
            errors.setdefault("name", []).append(_("请填写姓名。"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (report.phone or "").strip():
        errors.setdefault("phone", []).append(_("请填写手机号码，以便社区联系。"))
    origin = origin_get(report.origin_code)
    if origin is None:
        errors.setdefault("origin_code", []).append(_("请选择从哪里来（省/市）。"))
    elif origin.code.startswith(city_code()):
        errors.setdefault("origin_code", []).append(_("来源地不能是本市。"))
    if report.arrived_on is None:
        errors.setdefault("arrived_on", []).append(_("请填写抵达日期。"))
    else:
        try:
            _check_arrival_date(report.arrived_on)
        except ValidationError as exc:
            errors.setdefault("arrived_on", []).extend(exc.messages)
    if report.travel_mode and report.travel_mode not in TravelMode.values:
        errors.setdefault("travel_mode", []).append(_("交通方式无效。"))
    if city_place(report.destination_code) is None:
        errors.setdefault("destination_code", []).append(_("请选择本市的目的地村/社区。"))
    address = _identifying(errors, "address", report.address, 200)
    travel_number = _identifying(errors, "travel_number", report.travel_number, 20)
    if not address and "address" not in errors:
        errors.setdefault("address", []).append(_("请填写在本地的住址。"))
    if errors:
        raise ValidationError(errors)
    note = _("本人申报") if report.reporter != "family" else _("家属代为申报")
    arrival, _created = arrival_record(
        actor=None,
        division_code=report.destination_code,
        identity=ident,
        source=ArrivalSource.SELF_REPORT,
        arrived_on=report.arrived_on,
        origin_code=origin.code,
        origin_name=origin.name,
        travel_mode=report.travel_mode,
        travel_number=travel_number,
        note=note,
        address=address,
        request=request,
    )
    return arrival
