"""Writes for follow-ups: start, extend, transfer, release (two-person),
health checks, referrals and care deliveries. Each service: acting user first,
keyword-only arguments, one transaction, scoped (outside the user's
jurisdiction is a 404), an audit entry, status history for status changes,
and the FollowUpDayCount roll-up kept exact in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import FOLLOWUPS_EDIT, FOLLOWUPS_POLICY, REFERRALS_PICK_UP
from fangkong.accounts.scoping import get_for_user, has_capability, require_capability
from fangkong.audit.services import record
from fangkong.core.batch import CREATED, DUPLICATE, ERROR, BatchResult
from fangkong.core.services import status_change_record
from fangkong.lib.punctuation import punct
from fangkong.lib.vitals import FEVER_FROM, is_fever, parse_temperature
from fangkong.people.models import Person

from . import measures, schedule, tally
from .choices import (
    OPEN_DELIVERY_STATUSES,
    OPEN_STATUSES,
    VULNERABLE_TAGS,
    CheckStatus,
    DeliveryCategory,
    DeliveryStatus,
    FollowUpKind,
    FollowUpStatus,
    ReferralStatus,
    Symptom,
)
from .models import (
    DEFAULT_DAYS,
    KIND_COLUMN,
    DeliveryRequest,
    FollowUp,
    HealthCheck,
    MeasurePolicy,
    Referral,
)

RELEASE_KIND = measures.RELEASE_KIND
WEAKEN_KIND = measures.WEAKEN_KIND
CENTRAL_KIND = measures.CENTRAL_KIND
MAX_DAYS = 60
MAX_EXTEND_DAYS = 30
# How far back a follow-up may be dated (from the arrival day) and ahead.
MAX_BACKDATE_DAYS = 30
MAX_FUTURE_DAYS = 7


def _text(
    value: str, field: str, *, required: bool = False, max_length: int = 200, label: str = "", min_length: int = 2
) -> str:
    value = " ".join((value or "").split())
    if required and len(value) < min_length:
        if min_length == 1:
            raise ValidationError({field: _("请填写%(label)s。") % {"label": label or _("原因")}})
        raise ValidationError({field: _("请填写%(label)s（至少2个字）。") % {"label": label or _("原因")}})
    if len(value) > max_length:
        raise ValidationError({field: _("不能超过%(n)s个字。") % {"n": max_length}})
    return value


def _client_key(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 64 or not value.isprintable():
        raise ValidationError({"client_key": _("客户端编号无效（最多64个字符）。")})
    return value


def policy_days(kind: str) -> int:
    """The current duration of a measure (MeasurePolicy, default 14 days)."""
    days = MeasurePolicy.objects.filter(kind=kind).values_list("days", flat=True).first()
    return days or DEFAULT_DAYS


@transaction.atomic
def measure_policy_set(*, user, kind: str, days: int, request=None) -> MeasurePolicy:
    """HQ sets how many days a measure lasts from now on (running follow-ups keep theirs)."""
    require_capability(user, FOLLOWUPS_POLICY)
    if kind not in FollowUpKind.values:
        raise ValidationError({"kind": _("措施无效。")})
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("天数应在 1 到 %(n)s 之间。") % {"n": MAX_DAYS}})
    policy, _created = MeasurePolicy.objects.select_for_update().get_or_create(kind=kind)
    old = policy.days
    policy.days, policy.updated_at, policy.updated_by = days, timezone.now(), user
    policy.save(update_fields=["days", "updated_at", "updated_by"])
    record(user, "update", policy, detail={"kind": kind, "from": old, "to": days}, division_code="", request=request)
    return policy


# ---------------------------------------------------------------- follow-ups


def _schedule_checks(followup: FollowUp, first_day: dt.date, days: int, changes: tally.Changes) -> int:
    now = timezone.now()
    rows = [
        HealthCheck(
            followup=followup,
            division_code=followup.division_code,
            slot_date=s.day,
            slot=s.index,
            window_start=s.window_start,
            window_end=s.window_end,
        )
        for s in schedule.slots(first_day, days, not_ended_before=now)
    ]
    HealthCheck.objects.bulk_create(rows, batch_size=500)
    for r in rows:
        changes.add(followup.division_code, r.slot_date, "checks_due")
    return len(rows)


def _clean_start(*, kind, reason, place, site_name, start_date, days) -> tuple:
    errors: dict[str, list[str]] = {}

    def bad(field, message):
        errors.setdefault(field, []).append(message)

    if kind not in FollowUpKind.values:
        bad("kind", _("请选择措施：居家隔离、集中隔离、健康监测或医学观察。"))
    try:
        reason = _text(reason, "reason", required=True)
    except ValidationError as exc:
        bad("reason", exc.message_dict["reason"][0])
    try:
        place = _text(place, "place")
        site_name = _text(site_name, "site_name", max_length=100)
    except ValidationError as exc:
        for f, m in exc.message_dict.items():
            bad(f, m[0])
    if kind == FollowUpKind.CENTRAL_QUARANTINE and not site_name:
        bad("site_name", _("集中隔离须填写隔离点名称。"))
    today = timezone.localdate()
    start_date = start_date or today
    if not isinstance(start_date, dt.date) or isinstance(start_date, dt.datetime):
        bad("start_date", _("日期格式应为 2020-01-31。"))
    elif start_date < today - dt.timedelta(days=MAX_BACKDATE_DAYS):
        bad("start_date", _("开始日期不能早于 %(n)s 天前。") % {"n": MAX_BACKDATE_DAYS})
    elif start_date > today + dt.timedelta(days=MAX_FUTURE_DAYS):
        bad("start_date", _("开始日期不能晚于 %(n)s 天后。") % {"n": MAX_FUTURE_DAYS})
    if days is None and kind in FollowUpKind.values:
        days = policy_days(kind)
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS):
        bad("days", _("天数应在 1 到 %(n)s 之间。") % {"n": MAX_DAYS})
    if errors:
        raise ValidationError(errors)
    return reason, place, site_name, start_date, days


def _create_followup(
    *,
    user,
    person: Person,
    kind,
    reason,
    place,
    site_name,
    start_date,
    days,
    source_ref,
    changes: tally.Changes,
    transferred_from=None,
    approval=None,
) -> FollowUp:
    if not place and kind == FollowUpKind.HOME_QUARANTINE and person.household_id:
        place = person.household.address[:200]
    try:
        with transaction.atomic():
            followup = FollowUp.objects.create(
                division_code=person.division_code,
                person=person,
                kind=kind,
                reason=reason,
                place=place,
                site_name=site_name,
                start_date=start_date,
                planned_end=start_date + dt.timedelta(days=days),
                days=days,
                source_ref=(source_ref or "")[:40],
                transferred_from=transferred_from,
                created_at=timezone.now(),
                created_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        raise _already_under_measure(person) from None
    changes.add(followup.division_code, start_date, f"started_{KIND_COLUMN[kind]}")
    _schedule_checks(followup, start_date, days, changes)
    status_change_record(actor=user, obj=followup, to_status=FollowUpStatus.ACTIVE, reason=reason)
    if kind == FollowUpKind.CENTRAL_QUARANTINE:
        measures.central_approval_start(user=user, followup=followup, reason=reason, approval=approval)
    return followup


def _already_under_measure(person) -> ValidationError:
    current = FollowUp.objects.filter(person=person, status__in=OPEN_STATUSES).first()
    if current is None:
        return ValidationError(_("此人已有进行中的措施。"))
    return ValidationError(
        {
            "kind": _("此人自 %(date)s 起已在%(kind)s中，不能重复开始；如需改变措施请使用“转移”。")
            % {"date": current.start_date.isoformat(), "kind": current.get_kind_display()}
        },
        code="already_open",
    )


@transaction.atomic
def followup_start(
    *,
    user,
    person: Person,
    kind: str,
    reason: str,
    place: str = "",
    site_name: str = "",
    start_date: dt.date | None = None,
    days: int | None = None,
    source_ref: str = "",
    approval=None,
    request=None,
) -> FollowUp:
    """Put ``person`` under a measure (home/central quarantine, health monitoring,
    medical observation) from ``start_date`` (default today) for ``days`` days
    (default: the current MeasurePolicy, 14), scheduling a health check for every
    check window of every day. Slots whose window has already ended are not
    scheduled. Raises ValidationError (per field) for bad input or when the
    person is already under a measure; 404 outside the user's jurisdiction.
    Central quarantine starts at once and asks a second person to confirm it
    (see ``measures``) unless ``approval`` is an approved request that already
    decided it (screening's stricter measure)."""
    person = get_for_user(Person.objects.select_related("household"), user, FOLLOWUPS_EDIT, pk=person.pk)
    reason, place, site_name, start_date, days = _clean_start(
        kind=kind, reason=reason, place=place, site_name=site_name, start_date=start_date, days=days
    )
    measures.check_minimum(kind, days, starting=True)  # no one-day quarantine
    if FollowUp.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        raise _already_under_measure(person)
    changes = tally.Changes()
    followup = _create_followup(
        user=user,
        person=person,
        kind=kind,
        reason=reason,
        place=place,
        site_name=site_name,
        start_date=start_date,
        days=days,
        source_ref=source_ref,
        changes=changes,
        approval=approval,
    )
    changes.apply()
    record(
        user,
        "create",
        followup,
        reason=reason,
        request=request,
        detail={"kind": kind, "days": days, "source": (source_ref or "").split(":")[0]},
    )
    return followup


def _locked_followup(user, followup: FollowUp) -> FollowUp:
    followup = get_for_user(FollowUp.objects.select_for_update(), user, FOLLOWUPS_EDIT, pk=followup.pk)
    if not followup.is_open:
        raise ValidationError(_("该措施已结束（%(status)s），不能再操作。") % {"status": followup.get_status_display()})
    return followup


@transaction.atomic
def followup_extend(*, user, followup: FollowUp, days: int, reason: str, request=None) -> FollowUp:
    """Extend the period by ``days`` (with a reason), scheduling the added days' checks."""
    followup = _locked_followup(user, followup)
    reason = _text(reason, "reason", required=True)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_EXTEND_DAYS:
        raise ValidationError({"days": _("延长天数应在 1 到 %(n)s 之间。") % {"n": MAX_EXTEND_DAYS}})
    if followup.days + days > MAX_DAYS * 2:
        raise ValidationError({"days": _("总天数过长，请核实。")})
    changes = tally.Changes()
    first_new_day = followup.planned_end
    _schedule_checks(followup, first_new_day, days, changes)
    followup.planned_end = first_new_day + dt.timedelta(days=days)
    followup.days += days
    followup.extended_days += days
    old = followup.status
    if followup.status != FollowUpStatus.ESCALATED:
        followup.status = FollowUpStatus.EXTENDED
    followup.save(update_fields=["planned_end", "days", "extended_days", "status"])
    changes.apply()
    status_change_record(
        actor=user,
        obj=followup,
        from_status=old,
        to_status=followup.status,
        reason=_("延长%(n)s天：%(reason)s") % {"n": days, "reason": reason},
    )
    record(user, "update", followup, reason=reason, request=request, detail={"extend_days": days})
    return followup


def _end_checks(followup: FollowUp, changes: tally.Changes) -> None:
    """The follow-up ends early (transfer): checks whose window has not ended are
    cancelled; due ones whose window ended are kept as missed."""
    now = timezone.now()
    due = HealthCheck.objects.filter(followup=followup, status=CheckStatus.DUE)
    for check in due.only("id", "slot_date", "window_end", "division_code"):
        if check.window_end > now:
            changes.add(check.division_code, check.slot_date, "checks_due", -1)
        else:
            changes.add(check.division_code, check.slot_date, "checks_missed")
    due.filter(window_end__gt=now).update(status=CheckStatus.CANCELLED)
    due.filter(window_end__lte=now).update(status=CheckStatus.MISSED)


def _end_followup(user, followup: FollowUp, to_status: str, reason: str, changes: tally.Changes) -> None:
    """End an open follow-up before its release (transfer, revoke): the checks
    to come are cancelled, the day count and the status history follow, and
    requests about it still pending are withdrawn."""
    from fangkong.approvals.services import approval_withdraw_for

    today = timezone.localdate()
    _end_checks(followup, changes)
    old_status = followup.status
    followup.status, followup.ended_on = to_status, today
    followup.save(update_fields=["status", "ended_on"])
    changes.add(followup.division_code, today, f"ended_{KIND_COLUMN[followup.kind]}")
    status_change_record(actor=user, obj=followup, from_status=old_status, to_status=to_status, reason=reason)
    approval_withdraw_for(
        user=user,
        obj=followup,
        kinds=measures.ALL_KINDS,
        reason=_("措施已结束（%(status)s）") % {"status": FollowUpStatus(to_status).label},
    )


def _replace(
    *, user, old: FollowUp, kind, reason, place, site_name, days, to_status=FollowUpStatus.TRANSFERRED, approval=None
) -> FollowUp:
    """End ``old`` (locked, open) and start ``kind`` today for ``days`` days; an
    open referral moves to the new follow-up."""
    today = timezone.localdate()
    changes = tally.Changes()
    _end_followup(user, old, to_status, reason, changes)
    person = Person.objects.select_related("household").get(pk=old.person_id)
    new = _create_followup(
        user=user,
        person=person,
        kind=kind,
        reason=reason,
        place=place,
        site_name=site_name,
        start_date=today,
        days=days,
        source_ref=f"followup:{old.pk}",
        changes=changes,
        transferred_from=old,
        approval=approval,
    )
    moved = Referral.objects.filter(followup=old, status__in=[ReferralStatus.OPEN, ReferralStatus.PICKED_UP])
    if moved.update(followup=new):
        new.status = FollowUpStatus.ESCALATED
        new.save(update_fields=["status"])
        status_change_record(
            actor=user,
            obj=new,
            from_status=FollowUpStatus.ACTIVE,
            to_status=FollowUpStatus.ESCALATED,
            reason=_("转诊未关闭，随转移带入"),
        )
    changes.apply()
    return new


@transaction.atomic
def followup_transfer(
    *,
    user,
    followup: FollowUp,
    kind: str,
    reason: str,
    place: str = "",
    site_name: str = "",
    days: int | None = None,
    request=None,
):
    """Change the measure: end this follow-up as transferred and start the new
    one today (e.g. home → central quarantine). ``days`` defaults to what
    remains of the old period (at least one).

    A stricter change, or an equal one that ends no earlier, applies at once
    and returns the new FollowUp. A change that weakens the measure (a lighter
    kind or an earlier end, see ``measures``) returns a pending ApprovalRequest
    (kind ``followup_weaken``) and changes nothing until another user approves
    it; it is refused (ValidationError) while a release's conditions fail (an
    overdue check, fever in the last days, an open referral) or when ``days``
    is below the policy's days for the new kind. An open referral moves to
    the new follow-up."""
    old = _locked_followup(user, followup)
    today = timezone.localdate()
    defaulted = days is None
    if defaulted:
        days = max(1, (old.planned_end - today).days)
    reason, place, site_name, _start, days = _clean_start(
        kind=kind, reason=reason, place=place, site_name=site_name, start_date=today, days=days
    )
    if measures.is_weaker(old, kind, today + dt.timedelta(days=days)):
        if defaulted:
            days = max(days, policy_days(kind))
        return _weaken_request(
            user=user,
            followup=old,
            kind=kind,
            reason=reason,
            place=place,
            site_name=site_name,
            days=days,
            request=request,
        )
    new = _replace(user=user, old=old, kind=kind, reason=reason, place=place, site_name=site_name, days=days)
    record(user, "update", old, reason=reason, request=request, detail={"transfer_to": kind, "new": new.pk})
    return new


def _weaken_request(*, user, followup: FollowUp, kind, reason, place, site_name, days, request=None):
    from fangkong.approvals.services import approval_request

    measures.check_minimum(kind, days)
    blockers = release_blockers(followup, early=True)
    if blockers:
        raise ValidationError(blockers, code="release_rules")
    approval = approval_request(
        user=user,
        kind=WEAKEN_KIND,
        obj=followup,
        reason=reason,
        payload={"kind": kind, "days": days, "place": place, "site_name": site_name},
    )
    record(
        user,
        "update",
        followup,
        reason=reason,
        request=request,
        detail={"transfer_requested": kind, "days": days, "approval": approval.pk},
    )
    return approval


def followup_weaken_apply(*, approval, decider) -> None:
    """Approval callback (in approval_decide's transaction): make the weakening
    change, after checking the release rules and the policy again."""
    old = FollowUp.objects.select_for_update().get(pk=int(approval.object_id))
    if not old.is_open:
        raise ValidationError(_("该措施已结束（%(status)s），不能再操作。") % {"status": old.get_status_display()})
    p = approval.payload
    measures.check_minimum(p["kind"], p["days"])
    blockers = release_blockers(old, early=True)
    if blockers:
        raise ValidationError(blockers)
    reason = _("%(requester)s 申请，%(decider)s 批准：%(reason)s") % {
        "requester": approval.requested_by.display(),
        "decider": decider.display(),
        "reason": approval.reason,
    }
    new = _replace(
        user=decider,
        old=old,
        kind=p["kind"],
        reason=reason,
        place=p.get("place", ""),
        site_name=p.get("site_name", ""),
        days=p["days"],
        approval=approval,
    )
    record(
        decider,
        "update",
        old,
        reason=approval.decision_reason,
        detail={"transfer_to": p["kind"], "new": new.pk, "approval": approval.pk},
    )


def followup_revoke(*, decider, followup: FollowUp, approval) -> FollowUp | None:
    """A second person rejected the central quarantine (``measures.central_reject``):
    it ends as revoked with the reason. If it replaced a lighter measure whose
    planned end is still ahead, that measure resumes until then (returned)."""
    reason = _("%(decider)s 驳回集中隔离：%(reason)s") % {
        "decider": decider.display(),
        "reason": approval.decision_reason,
    }
    prior = followup.transferred_from
    today = timezone.localdate()
    new = None
    if prior is not None and prior.kind != FollowUpKind.CENTRAL_QUARANTINE and prior.planned_end > today:
        new = _replace(
            user=decider,
            old=followup,
            kind=prior.kind,
            reason=reason,
            place=prior.place,
            site_name=prior.site_name,
            days=(prior.planned_end - today).days,
            to_status=FollowUpStatus.REVOKED,
        )
    else:
        changes = tally.Changes()
        _end_followup(decider, followup, FollowUpStatus.REVOKED, reason, changes)
        changes.apply()
    record(
        decider,
        "update",
        followup,
        reason=approval.decision_reason,
        detail={"revoked": True, "approval": approval.pk, "resumed": new.pk if new else None},
    )
    return new


def release_blockers(followup: FollowUp, *, early: bool = False) -> list[str]:
    """Why this follow-up cannot be released yet (empty: it can). Release needs the
    period over, every scheduled check done, no fever in the last days of the
    period and no open fever-clinic referral. ``early`` (a weakening change
    before the end): the checks due so far done, no fever in the last days up
    to today, no open referral, and no other release or change pending."""
    blockers = []
    if not followup.is_open:
        blockers.append(_("该措施已结束。"))
        return blockers
    today = timezone.localdate()
    due = HealthCheck.objects.filter(followup=followup, status=CheckStatus.DUE)
    if early:
        overdue = due.filter(window_end__lte=timezone.now()).count()
        if overdue:
            blockers.append(_("还有 %(n)s 次逾期未测的健康检测。") % {"n": overdue})
        if measures.pending_change(followup) is not None:
            blockers.append(_("已有待审批的解除或变更申请。"))
    else:
        if today < followup.planned_end:
            blockers.append(_("期限未满：计划 %(date)s 解除。") % {"date": followup.planned_end.isoformat()})
        not_done = due.count()
        if not_done:
            blockers.append(_("还有 %(n)s 次健康检测未完成。") % {"n": not_done})
    since = (min(today, followup.planned_end) if early else followup.planned_end) - dt.timedelta(
        days=schedule.NO_FEVER_DAYS
    )
    recent = HealthCheck.objects.filter(followup=followup, status=CheckStatus.DONE, slot_date__gte=since)
    if recent.filter(temperature__gte=FEVER_FROM).exists() or recent.filter(symptoms__contains=Symptom.FEVER).exists():
        blockers.append(_("最后 %(n)s 天内有发热记录。") % {"n": schedule.NO_FEVER_DAYS})
    if Referral.objects.filter(followup=followup, status__in=[ReferralStatus.OPEN, ReferralStatus.PICKED_UP]).exists():
        blockers.append(_("有尚未关闭的发热门诊转诊。"))
    return blockers


@transaction.atomic
def followup_release_request(*, user, followup: FollowUp, reason: str, request=None):
    """Ask for release. Refused while ``release_blockers`` says so; otherwise a
    two-person approval (kind ``quarantine_release``) that another user with
    the edit capability at the follow-up's division must approve. The
    requester can never approve it (approvals enforces this)."""
    from fangkong.approvals.services import approval_request

    followup = _locked_followup(user, followup)
    blockers = release_blockers(followup)
    if measures.pending_change(followup) is not None:
        blockers.append(_("已有待审批的解除或变更申请。"))
    if blockers:
        raise ValidationError(blockers)
    return approval_request(
        user=user,
        kind=RELEASE_KIND,
        obj=followup,
        reason=reason,
        payload={"kind": followup.kind, "planned_end": followup.planned_end.isoformat()},
    )


def followup_release_apply(*, approval, decider) -> None:
    """Approval callback (in approval_decide's transaction): release, after
    checking the conditions again — they may have changed since the request."""
    followup = FollowUp.objects.select_for_update().get(pk=int(approval.object_id))
    blockers = release_blockers(followup)
    if blockers:
        raise ValidationError(blockers)
    today = timezone.localdate()
    old = followup.status
    followup.status, followup.ended_on = FollowUpStatus.RELEASED, today
    followup.save(update_fields=["status", "ended_on"])
    tally.bump_one(followup.division_code, today, **{f"ended_{KIND_COLUMN[followup.kind]}": 1})
    status_change_record(
        actor=decider,
        obj=followup,
        from_status=old,
        to_status=FollowUpStatus.RELEASED,
        reason=_("%(requester)s 申请，%(decider)s 批准：%(reason)s")
        % {
            "requester": approval.requested_by.display(),
            "decider": decider.display(),
            "reason": approval.decision_reason,
        },
    )
    from fangkong.approvals.services import approval_withdraw_for

    approval_withdraw_for(
        user=decider,
        obj=followup,
        kinds=(CENTRAL_KIND, WEAKEN_KIND),
        reason=_("措施已结束（%(status)s）") % {"status": FollowUpStatus.RELEASED.label},
    )
    record(
        decider, "update", followup, reason=approval.decision_reason, detail={"release": True, "approval": approval.pk}
    )


# ---------------------------------------------------------------- health checks


def _parse_symptoms(values) -> list[str]:
    if isinstance(values, str):
        values = [v for v in values.split(",") if v]
    values = [str(v).strip() for v in (values or [])]
    bad = [v for v in values if v not in Symptom.values]
    if bad:
        raise ValidationError(
            {"symptoms": _("症状无效：只能从发热、咳嗽、乏力、咽痛、腹泻、嗅觉/味觉减退、呼吸困难中选择。")}
        )
    return [s for s in Symptom.values if s in values]  # canonical order, no duplicates


def is_abnormal(temperature: Decimal | None, symptoms: list[str]) -> bool:
    """Fever (≥ 37.3 °C) or any listed symptom: an escalation."""
    return bool(symptoms) or is_fever(temperature)


def _already_recorded(check: HealthCheck) -> ValidationError:
    who = check.recorded_by.display() if check.recorded_by_id and check.recorded_by else _("他人")
    when = timezone.localtime(check.recorded_at).strftime("%m-%d %H:%M") if check.recorded_at else ""
    return ValidationError(
        _("该时段的健康检测已由 %(who)s 于 %(when)s 登记（体温 %(t)s ℃），不能重复登记。")
        % {"who": who, "when": when, "t": check.temperature},
        code="already_recorded",
    )


@transaction.atomic
def health_check_record(
    *, user, check: HealthCheck, temperature, symptoms=(), note: str = "", client_key: str | None = None, request=None
) -> tuple[HealthCheck, bool]:
    """Record one scheduled check: temperature (35.0–42.0 °C), symptoms, note.

    Returns (check, created). A retry with the same ``client_key`` returns the
    first result (created False). Two different submissions for the same slot:
    exactly one wins (the row is locked), the other gets a ValidationError
    saying who recorded it when. Late recording is allowed and marked ``late``.
    Fever or a symptom raises a referral (see ``referral_raise``)."""
    key = _client_key(client_key)
    if key:
        prior = HealthCheck.objects.filter(client_key=key).first()
        if prior is not None:
            prior = get_for_user(HealthCheck.objects.select_related("recorded_by"), user, FOLLOWUPS_EDIT, pk=prior.pk)
            if prior.pk != check.pk:
                raise ValidationError({"client_key": _("该客户端编号已用于另一次检测。")})
            return prior, False
    temperature = parse_temperature(temperature)
    symptoms = _parse_symptoms(symptoms)
    note = _text(note, "note")
    check = get_for_user(HealthCheck.objects.select_for_update(), user, FOLLOWUPS_EDIT, pk=check.pk)
    if check.status == CheckStatus.DONE:
        if key and check.client_key == key:
            return check, False
        check = HealthCheck.objects.select_related("recorded_by").get(pk=check.pk)
        raise _already_recorded(check)
    if check.status != CheckStatus.DUE:
        raise ValidationError(_("该次检测已%(status)s，不能登记。") % {"status": check.get_status_display()})
    now = timezone.now()
    if now < check.window_start:
        raise ValidationError(
            _("还未到检测时间：%(start)s 起可以登记。")
            % {"start": timezone.localtime(check.window_start).strftime("%m-%d %H:%M")}
        )
    check.status, check.temperature, check.symptoms, check.note = (
        CheckStatus.DONE,
        temperature,
        ",".join(symptoms),
        note,
    )
    check.recorded_at, check.recorded_by, check.late, check.client_key = now, user, now > check.window_end, key
    try:
        with transaction.atomic():
            check.save(
                update_fields=[
                    "status",
                    "temperature",
                    "symptoms",
                    "note",
                    "recorded_at",
                    "recorded_by",
                    "late",
                    "client_key",
                ]
            )
    except IntegrityError:  # the same key, a different check, at the same instant
        raise ValidationError({"client_key": _("该客户端编号已用于另一次检测。")}) from None
    tally.bump_one(check.division_code, check.slot_date, checks_done=1, checks_late=int(check.late))
    abnormal = is_abnormal(temperature, symptoms)
    record(user, "update", check, request=request, detail={"late": check.late, "abnormal": abnormal})
    if abnormal:
        referral_raise(user=user, check=check, request=request)
    return check, True


def referral_raise(*, user, check: HealthCheck, request=None) -> Referral:
    """Escalate an abnormal check: open a fever-clinic referral for its follow-up,
    or count the check on the referral already open. The follow-up becomes
    ``escalated``. Runs inside health_check_record's transaction."""
    followup = FollowUp.objects.select_for_update().get(pk=check.followup_id)
    existing = (
        Referral.objects.select_for_update()
        .filter(followup=followup, status__in=[ReferralStatus.OPEN, ReferralStatus.PICKED_UP])
        .first()
    )
    if existing is not None:
        existing.checks_count += 1
        if check.temperature is not None and (existing.temperature is None or check.temperature > existing.temperature):
            existing.temperature = check.temperature
        merged = [s for s in Symptom.values if s in set(existing.symptoms.split(",")) | set(check.symptom_list())]
        existing.symptoms = ",".join(merged)
        existing.save(update_fields=["checks_count", "temperature", "symptoms"])
        return existing
    parts = []
    if is_fever(check.temperature):
        parts.append(_("发热 %(t)s ℃") % {"t": check.temperature})
    if check.symptoms:
        parts.append(punct("、").join(check.symptom_labels()))
    referral = Referral.objects.create(
        division_code=check.division_code,
        followup=followup,
        person_id=followup.person_id,
        health_check=check,
        temperature=check.temperature,
        symptoms=check.symptoms,
        reason=punct("；").join(parts)[:200],
        opened_at=timezone.now(),
    )
    status_change_record(actor=user, obj=referral, to_status=ReferralStatus.OPEN, reason=referral.reason)
    tally.bump_one(referral.division_code, timezone.localdate(), referrals_opened=1)
    if followup.is_open and followup.status != FollowUpStatus.ESCALATED:
        old = followup.status
        followup.status = FollowUpStatus.ESCALATED
        followup.save(update_fields=["status"])
        status_change_record(
            actor=user, obj=followup, from_status=old, to_status=FollowUpStatus.ESCALATED, reason=referral.reason
        )
    record(user, "create", referral, request=request, detail={"auto": True})
    return referral


def _back_from_escalated(user, followup: FollowUp, reason: str) -> None:
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if followup.status == FollowUpStatus.ESCALATED:
        new = FollowUpStatus.EXTENDED if followup.extended_days else FollowUpStatus.ACTIVE
        followup.status = new
        followup.save(update_fields=["status"])
        status_change_record(
            actor=user, obj=followup, from_status=FollowUpStatus.ESCALATED, to_status=new, reason=reason
        )


@transaction.atomic
def referral_close(*, user, referral: Referral, outcome: str, request=None) -> Referral:
    """Close a referral with its outcome. The community closes open ones; once a
    clinic has picked one up, only clinic staff close it. The follow-up goes
    back from escalated to active (or extended)."""
    referral = get_for_user(Referral.objects.select_for_update(), user, pk=referral.pk)
    outcome = _text(outcome, "outcome", required=True, label=_("处理结果"))
    if referral.status == ReferralStatus.OPEN:
        require_capability(user, FOLLOWUPS_EDIT, referral.division_code)
    elif referral.status == ReferralStatus.PICKED_UP:
        if not has_capability(user, REFERRALS_PICK_UP, referral.division_code):
            raise PermissionDenied(_("医疗机构已接收该转诊，只能由医疗机构关闭。"))
    else:
        raise ValidationError(_("该转诊已关闭。"))
    old = referral.status
    referral.status, referral.closed_at, referral.closed_by, referral.outcome = (
        ReferralStatus.CLOSED,
        timezone.now(),
        user,
        outcome,
    )
    referral.save(update_fields=["status", "closed_at", "closed_by", "outcome"])
    today = timezone.localdate()
    tally.bump_one(
        referral.division_code, today, referrals_closed=1, referrals_left_open=1 if old == ReferralStatus.OPEN else 0
    )
    status_change_record(actor=user, obj=referral, from_status=old, to_status=ReferralStatus.CLOSED, reason=outcome)
    _back_from_escalated(user, referral.followup, _("转诊已关闭：%(o)s") % {"o": outcome})
    record(user, "update", referral, reason=outcome, request=request, detail={"status": "closed"})
    return referral


@transaction.atomic
def referral_pick_up(*, user, referral: Referral, note: str = "", request=None) -> Referral:
    """A clinic takes over an open referral (the medical module calls this)."""
    referral = get_for_user(Referral.objects.select_for_update(), user, pk=referral.pk)
    require_capability(user, REFERRALS_PICK_UP, referral.division_code)
    if referral.status != ReferralStatus.OPEN:
        raise ValidationError(_("该转诊已被接收或已关闭。"))
    note = _text(note, "note")
    referral.status, referral.picked_up_at, referral.picked_up_by = ReferralStatus.PICKED_UP, timezone.now(), user
    referral.save(update_fields=["status", "picked_up_at", "picked_up_by"])
    tally.bump_one(referral.division_code, timezone.localdate(), referrals_left_open=1)
    status_change_record(
        actor=user, obj=referral, from_status=ReferralStatus.OPEN, to_status=ReferralStatus.PICKED_UP, reason=note
    )
    record(user, "update", referral, reason=note, request=request, detail={"status": "picked_up"})
    return referral


# ---------------------------------------------------------------- care deliveries


def delivery_eligibility(person: Person) -> FollowUp | None | bool:
    """The open follow-up that makes ``person`` eligible, True for a vulnerable
    person without one, False if neither."""
    followup = FollowUp.objects.filter(person=person, status__in=OPEN_STATUSES).first()
    if followup is not None:
        return followup
    return any(getattr(person, t) for t in VULNERABLE_TAGS)


@transaction.atomic
def delivery_request_create(
    *,
    user,
    person: Person,
    category: str,
    items: str,
    needed_by: dt.datetime,
    note: str = "",
    client_key: str | None = None,
    request=None,
) -> tuple[DeliveryRequest, bool]:
    """A care delivery for a person under a measure or in a vulnerable household
    (elderly alone, low-income, disabled). Returns (request, created); a retry
    with the same ``client_key`` returns the first one."""
    from fangkong.core.services import idempotent_create

    key = _client_key(client_key)
    person = get_for_user(Person.objects.all(), user, FOLLOWUPS_EDIT, pk=person.pk)
    if key:
        prior = DeliveryRequest.objects.filter(client_key=key).first()
        if prior is not None:
            if prior.person_id != person.pk:
                raise ValidationError({"client_key": _("该客户端编号已用于另一条需求。")})
            return prior, False
    errors: dict[str, list[str]] = {}
    if category not in DeliveryCategory.values:
        errors["category"] = [_("请选择类别：食品、药品、生活用品或其他。")]
    try:
        items = _text(items, "items", required=True, label=_("物品"), min_length=1)
        note = _text(note, "note")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    now = timezone.now()
    if not isinstance(needed_by, dt.datetime):
        errors["needed_by"] = [_("请填写需送达时间。")]
    else:
        if timezone.is_naive(needed_by):
            needed_by = timezone.make_aware(needed_by)
        if needed_by < now - dt.timedelta(minutes=5):
            errors["needed_by"] = [_("需送达时间不能早于现在。")]
        elif needed_by > now + dt.timedelta(days=30):
            errors["needed_by"] = [_("需送达时间不能晚于30天后。")]
    eligible = delivery_eligibility(person)
    if eligible is False:
        errors.setdefault("person", []).append(
            _("只能为正在隔离/监测的人员或独居老人、低保户、残疾人家庭登记配送需求。")
        )
    if errors:
        raise ValidationError(errors)

    def create():
        return DeliveryRequest.objects.create(
            division_code=person.division_code,
            person=person,
            followup=eligible if isinstance(eligible, FollowUp) else None,
            category=category,
            items=items,
            needed_by=needed_by,
            note=note,
            requested_at=now,
            requested_by=user,
            client_key=key,
        )

    delivery, created = idempotent_create(DeliveryRequest, key, create)
    if created:
        tally.bump_one(delivery.division_code, timezone.localdate(), deliveries_requested=1)
        status_change_record(actor=user, obj=delivery, to_status=DeliveryStatus.OPEN, reason=items)
        record(user, "create", delivery, request=request, detail={"category": category})
    return delivery, created


def _locked_delivery(user, delivery: DeliveryRequest) -> DeliveryRequest:
    delivery = get_for_user(DeliveryRequest.objects.select_for_update(), user, pk=delivery.pk)
    require_capability(user, FOLLOWUPS_EDIT, delivery.division_code)
    return delivery


@transaction.atomic
def delivery_take(*, user, delivery: DeliveryRequest, volunteer_name: str = "", request=None) -> DeliveryRequest:
    """A worker (or a volunteer, by name, recorded by the worker) takes the delivery."""
    delivery = _locked_delivery(user, delivery)
    if delivery.status != DeliveryStatus.OPEN:
        raise ValidationError(_("该需求已被接单或已结束。"))
    volunteer_name = _text(volunteer_name, "volunteer_name", max_length=50)
    delivery.status, delivery.taken_at, delivery.taken_by, delivery.volunteer_name = (
        DeliveryStatus.TAKEN,
        timezone.now(),
        user,
        volunteer_name,
    )
    delivery.save(update_fields=["status", "taken_at", "taken_by", "volunteer_name"])
    status_change_record(
        actor=user, obj=delivery, from_status=DeliveryStatus.OPEN, to_status=DeliveryStatus.TAKEN, reason=volunteer_name
    )
    record(user, "update", delivery, request=request, detail={"status": "taken"})
    return delivery


@transaction.atomic
def delivery_mark_delivered(*, user, delivery: DeliveryRequest, note: str = "", request=None) -> DeliveryRequest:
    delivery = _locked_delivery(user, delivery)
    if delivery.status not in OPEN_DELIVERY_STATUSES:
        raise ValidationError(_("该需求已结束。"))
    old = delivery.status
    now = timezone.now()
    delivery.status, delivery.delivered_at, delivery.delivered_by = DeliveryStatus.DELIVERED, now, user
    fields = ["status", "delivered_at", "delivered_by"]
    if delivery.taken_at is None:
        delivery.taken_at, delivery.taken_by = now, user
        fields += ["taken_at", "taken_by"]
    note = _text(note, "note")
    if note:
        delivery.note = note
        fields.append("note")
    delivery.save(update_fields=fields)
    tally.bump_one(delivery.division_code, timezone.localdate(), deliveries_done=1)
    status_change_record(actor=user, obj=delivery, from_status=old, to_status=DeliveryStatus.DELIVERED, reason=note)
    record(user, "update", delivery, request=request, detail={"status": "delivered"})
    return delivery


@transaction.atomic
def delivery_cancel(*, user, delivery: DeliveryRequest, reason: str, request=None) -> DeliveryRequest:
    delivery = _locked_delivery(user, delivery)
    reason = _text(reason, "reason", required=True)
    if delivery.status not in OPEN_DELIVERY_STATUSES:
        raise ValidationError(_("该需求已结束。"))
    old = delivery.status
    delivery.status, delivery.cancelled_at = DeliveryStatus.CANCELLED, timezone.now()
    delivery.save(update_fields=["status", "cancelled_at"])
    tally.bump_one(delivery.division_code, timezone.localdate(), deliveries_cancelled=1)
    status_change_record(actor=user, obj=delivery, from_status=old, to_status=DeliveryStatus.CANCELLED, reason=reason)
    record(user, "update", delivery, reason=reason, request=request, detail={"status": "cancelled"})
    return delivery


# ---------------------------------------------------------------- batches (a phone that was offline)

MAX_BATCH = 500


def health_check_record_batch(*, user, items: list[dict], request=None) -> list[BatchResult]:
    """Record up to 500 checks at once (``items``: check_id, temperature, symptoms,
    note, client_key — the key is required here). Each item is recorded by
    health_check_record in its own transaction, so a bad item never stops the
    good ones and no row lock is held across the batch; every item gets a result."""
    from django.http import Http404

    if len(items) > MAX_BATCH:
        raise ValidationError({"items": _("每批最多%(n)d条。") % {"n": MAX_BATCH}})
    results = []
    for i, item in enumerate(items):
        key = (item.get("client_key") or "").strip()
        if not key:
            results.append(
                BatchResult(i, key, ERROR, errors={"client_key": [_("批量上传的每条记录都须有 client_key。")]})
            )
            continue
        try:
            check, created = health_check_record(
                user=user,
                check=HealthCheck(pk=item["check_id"]),
                temperature=item.get("temperature"),
                symptoms=item.get("symptoms") or [],
                note=item.get("note") or "",
                client_key=key,
                request=request,
            )
        except Http404:
            results.append(BatchResult(i, key, ERROR, errors={"check_id": [_("没有这次检测，或不在您的辖区内。")]}))
        except PermissionDenied as exc:
            results.append(BatchResult(i, key, ERROR, errors={"__all__": [str(exc)]}))
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            results.append(BatchResult(i, key, ERROR, errors=errors))
        else:
            referral = None
            if is_abnormal(check.temperature, check.symptom_list()):
                referral = Referral.objects.filter(followup_id=check.followup_id).order_by("-opened_at").first()
            results.append(BatchResult(i, key, CREATED if created else DUPLICATE, record=check, related=referral))
    return results
