"""JSON API for follow-ups: ``/api/v1/followups``.

The same rules as the pages: reads through followups.selectors (scoped; outside
the jurisdiction is a 404), writes through followups.services, capabilities
from accounts.roles (403 without), ID numbers and phones only masked. Errors
map to HTTP in fangkong.api. Recording a check carries a client key, and the
batch endpoint takes up to 500 checks from a phone that was offline, with a
result for every item."""

from __future__ import annotations

import math

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from fangkong.accounts.roles import FOLLOWUPS_EDIT, FOLLOWUPS_VIEW
from fangkong.accounts.scoping import get_for_user, require_capability
from fangkong.audit.services import record
from fangkong.core.api_errors import path_id
from fangkong.core.batch import batch_parse, batch_result
from fangkong.core.schemas import ErrorOut, ValidationErrorOut
from fangkong.people import number_search
from fangkong.people.models import Person

from . import selectors, services
from .models import DeliveryRequest, FollowUp, HealthCheck, Referral
from .schemas import (
    ApprovalOut,
    BatchCheckIn,
    BatchIn,
    BatchOut,
    CheckIn,
    CheckOut,
    CheckPage,
    CheckQuery,
    CountsOut,
    CountsQuery,
    DeliveryIn,
    DeliveryOut,
    DeliveryPage,
    DeliveryQuery,
    ExtendIn,
    FollowUpDetailOut,
    FollowUpIn,
    FollowUpPage,
    FollowUpQuery,
    NoteIn,
    OutcomeIn,
    ReasonIn,
    ReferralOut,
    ReferralPage,
    ReferralQuery,
    TakeIn,
    TransferIn,
)

router = Router(tags=["followups"])

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _paginate(qs, page: int, size: int) -> tuple[list, int, int]:
    count = qs.count()
    pages = max(1, math.ceil(count / size))
    return (list(qs[(page - 1) * size : page * size]) if page <= pages else []), count, pages


def _person(p: Person) -> dict:
    return {"id": p.pk, "name": p.name, "doc_masked": p.doc_masked, "phone_masked": p.phone_masked}


def followup_out(f: FollowUp) -> dict:
    return {
        "id": f.pk,
        "person": _person(f.person),
        "division_code": f.division_code,
        "kind": f.kind,
        "kind_label": f.get_kind_display(),
        "reason": f.reason,
        "place": f.place,
        "site_name": f.site_name,
        "start_date": f.start_date,
        "planned_end": f.planned_end,
        "days": f.days,
        "status": f.status,
        "ended_on": f.ended_on,
        "source_ref": f.source_ref,
        "approval": f.approval,
        "approval_due": f.approval_due if f.unapproved else None,
        "approval_overdue": f.approval_overdue,
    }


def check_out(c: HealthCheck) -> dict:
    return {
        "id": c.pk,
        "followup_id": c.followup_id,
        "division_code": c.division_code,
        "slot_date": c.slot_date,
        "slot": c.slot,
        "window_start": c.window_start,
        "window_end": c.window_end,
        "status": c.status,
        "overdue": c.is_overdue,
        "temperature": c.temperature,
        "symptoms": c.symptom_list(),
        "note": c.note,
        "late": c.late,
        "recorded_at": c.recorded_at,
        "client_key": c.client_key,
    }


def _check_with_person(c: HealthCheck) -> dict:
    return {**check_out(c), "person": _person(c.followup.person), "kind": c.followup.kind}


def referral_out(r: Referral) -> dict:
    return {
        "id": r.pk,
        "followup_id": r.followup_id,
        "person": _person(r.person),
        "division_code": r.division_code,
        "reason": r.reason,
        "temperature": r.temperature,
        "symptoms": [s for s in r.symptoms.split(",") if s],
        "checks_count": r.checks_count,
        "status": r.status,
        "opened_at": r.opened_at,
        "picked_up_at": r.picked_up_at,
        "closed_at": r.closed_at,
        "outcome": r.outcome,
    }


def delivery_out(d: DeliveryRequest) -> dict:
    return {
        "id": d.pk,
        "person": _person(d.person),
        "followup_id": d.followup_id,
        "division_code": d.division_code,
        "category": d.category,
        "items": d.items,
        "needed_by": d.needed_by,
        "overdue": d.is_overdue,
        "status": d.status,
        "volunteer_name": d.volunteer_name,
        "taken_at": d.taken_at,
        "delivered_at": d.delivered_at,
        "note": d.note,
        "client_key": d.client_key,
    }


def _detail(f: FollowUp) -> dict:
    return {
        **followup_out(f),
        "checks": [check_out(c) for c in selectors.followup_checks(followup=f)],
        "release_blockers": services.release_blockers(f) if f.is_open else [],
        "transferred_from_id": f.transferred_from_id,
    }


# ---------------------------------------------------------------- follow-ups


@router.get("", response={200: FollowUpPage, **_ERRORS}, summary="People under a measure in my jurisdiction (paged)")
def followup_list(request, filters: Query[FollowUpQuery]):
    number_search.refuse_api(
        filters.q, _("这里按姓名查找，不接受证件号码或电话；查找人员请用 POST /api/v1/persons/search。")
    )
    require_capability(request.auth, FOLLOWUPS_VIEW)
    qs = selectors.followup_list(
        user=request.auth,
        filters=selectors.FollowUpFilters(
            kind=filters.kind, status=filters.status, division=filters.division, q=filters.q, approval=filters.approval
        ),
    )
    items, count, pages = _paginate(qs, filters.page, filters.page_size)
    if filters.q:
        record(request.auth, "search", object_type="followups.followup", detail={"kind": "name"}, request=request)
    return {"items": [followup_out(f) for f in items], "count": count, "page": filters.page, "pages": pages}


@router.post(
    "",
    response={201: FollowUpDetailOut, **_ERRORS},
    summary="Start a measure for a person (schedules the health checks)",
)
def followup_start(request, payload: FollowUpIn):
    require_capability(request.auth, FOLLOWUPS_EDIT)
    person = get_for_user(Person.objects.all(), request.auth, FOLLOWUPS_EDIT, pk=payload.person_id)
    f = services.followup_start(
        user=request.auth,
        person=person,
        kind=payload.kind,
        reason=payload.reason,
        place=payload.place,
        site_name=payload.site_name,
        start_date=payload.start_date,
        days=payload.days,
        source_ref=payload.source_ref,
        request=request,
    )
    return Status(201, _detail(selectors.followup_get(user=request.auth, pk=f.pk)))


@router.get(
    "/{int:followup_id}",
    response={200: FollowUpDetailOut, **_ERRORS},
    summary="One follow-up with its checks (audited)",
)
def followup_detail(request, followup_id: int):
    f = selectors.followup_get(user=request.auth, pk=path_id(followup_id))
    record(request.auth, "view", f, request=request)
    return _detail(f)


@router.post(
    "/{int:followup_id}/extend",
    response={200: FollowUpDetailOut, **_ERRORS},
    summary="Extend the period, with a reason",
)
def followup_extend(request, followup_id: int, payload: ExtendIn):
    f = selectors.followup_get(user=request.auth, pk=path_id(followup_id))
    services.followup_extend(user=request.auth, followup=f, days=payload.days, reason=payload.reason, request=request)
    return _detail(selectors.followup_get(user=request.auth, pk=f.pk))


@router.post(
    "/{int:followup_id}/transfer",
    response={201: FollowUpDetailOut, 202: ApprovalOut, **_ERRORS},
    summary="Change the measure: a stricter change (e.g. home → central quarantine) ends this one and "
    "starts the new one (201); a weakening one (lighter measure or earlier end) waits for a "
    "second person's approval (202, nothing changed yet)",
)
def followup_transfer(request, followup_id: int, payload: TransferIn):
    f = selectors.followup_get(user=request.auth, pk=path_id(followup_id))
    result = services.followup_transfer(
        user=request.auth,
        followup=f,
        kind=payload.kind,
        reason=payload.reason,
        place=payload.place,
        site_name=payload.site_name,
        days=payload.days,
        request=request,
    )
    if not isinstance(result, FollowUp):
        return Status(202, {"id": result.pk, "kind": result.kind, "status": result.status, "reason": result.reason})
    return Status(201, _detail(selectors.followup_get(user=request.auth, pk=result.pk)))


@router.post(
    "/{int:followup_id}/release",
    response={201: ApprovalOut, **_ERRORS},
    summary="Ask for release: a second person must approve (/approvals)",
)
def followup_release(request, followup_id: int, payload: ReasonIn):
    f = selectors.followup_get(user=request.auth, pk=path_id(followup_id))
    a = services.followup_release_request(user=request.auth, followup=f, reason=payload.reason, request=request)
    return Status(201, {"id": a.pk, "kind": a.kind, "status": a.status, "reason": a.reason})


# ---------------------------------------------------------------- health checks


@router.get(
    "/checks",
    response={200: CheckPage, **_ERRORS},
    summary="Checks overdue, due now, due later today, done or late (paged)",
)
def check_list(request, filters: Query[CheckQuery]):
    require_capability(request.auth, FOLLOWUPS_VIEW)
    qs = selectors.check_list(
        user=request.auth,
        filters=selectors.CheckFilters(state=filters.state, division=filters.division, day=filters.day),
    )
    items, count, pages = _paginate(qs, filters.page, filters.page_size)
    return {"items": [_check_with_person(c) for c in items], "count": count, "page": filters.page, "pages": pages}


@router.post(
    "/checks/{int:check_id}/record",
    response={200: CheckOut, 201: CheckOut, **_ERRORS},
    summary="Record one check (201; a retry with the same client_key: 200 and the first result)",
)
def check_record(request, check_id: int, payload: CheckIn):
    check = selectors.check_get(user=request.auth, pk=path_id(check_id))
    check, created = services.health_check_record(
        user=request.auth,
        check=check,
        temperature=payload.temperature,
        symptoms=payload.symptoms,
        note=payload.note,
        client_key=payload.client_key,
        request=request,
    )
    return Status(201 if created else 200, check_out(check))


@router.post(
    "/checks/batch",
    response={200: BatchOut, **_ERRORS},
    summary="Record up to 500 checks from a phone that was offline; a result for every item",
)
def check_batch(request, payload: BatchIn):
    require_capability(request.auth, FOLLOWUPS_EDIT)
    good, malformed = batch_parse(payload.items, BatchCheckIn)
    results = services.health_check_record_batch(
        user=request.auth, items=[item.model_dump() for _i, item in good], request=request
    )
    out = {}
    for (i, _item), r in zip(good, results, strict=False):
        out[i] = {
            "index": i,
            "client_key": r.client_key,
            "status": r.status,
            "check": check_out(r.record) if r.record is not None else None,
            "referral_id": r.related.pk if r.related is not None else None,
            "errors": r.errors,
        }
    return batch_result(len(payload.items), out, malformed, {"check": None})


# ---------------------------------------------------------------- referrals


@router.get("/referrals", response={200: ReferralPage, **_ERRORS}, summary="Fever-clinic referrals (paged)")
def referral_list(request, filters: Query[ReferralQuery]):
    require_capability(request.auth, FOLLOWUPS_VIEW)
    qs = selectors.referral_list(user=request.auth, status=filters.status, division=filters.division)
    items, count, pages = _paginate(qs, filters.page, filters.page_size)
    return {"items": [referral_out(r) for r in items], "count": count, "page": filters.page, "pages": pages}


@router.get("/referrals/{int:referral_id}", response={200: ReferralOut, **_ERRORS}, summary="One referral (audited)")
def referral_detail(request, referral_id: int):
    r = selectors.referral_get(user=request.auth, pk=path_id(referral_id))
    record(request.auth, "view", r, request=request)
    return referral_out(r)


@router.post(
    "/referrals/{int:referral_id}/close",
    response={200: ReferralOut, **_ERRORS},
    summary="Close a referral with its outcome (community: open ones; clinic: picked-up ones)",
)
def referral_close(request, referral_id: int, payload: OutcomeIn):
    r = selectors.referral_get(user=request.auth, pk=path_id(referral_id))
    return referral_out(
        services.referral_close(user=request.auth, referral=r, outcome=payload.outcome, request=request)
    )


@router.post(
    "/referrals/{int:referral_id}/pick-up",
    response={200: ReferralOut, **_ERRORS},
    summary="A clinic takes over an open referral",
)
def referral_pick_up(request, referral_id: int, payload: NoteIn):
    r = selectors.referral_get(user=request.auth, pk=path_id(referral_id))
    return referral_out(services.referral_pick_up(user=request.auth, referral=r, note=payload.note, request=request))


# ---------------------------------------------------------------- deliveries


@router.get("/deliveries", response={200: DeliveryPage, **_ERRORS}, summary="Care deliveries (paged, overdue first)")
def delivery_list(request, filters: Query[DeliveryQuery]):
    require_capability(request.auth, FOLLOWUPS_VIEW)
    qs = selectors.delivery_list(
        user=request.auth, status=filters.status, division=filters.division, overdue=filters.overdue
    )
    items, count, pages = _paginate(qs, filters.page, filters.page_size)
    return {"items": [delivery_out(d) for d in items], "count": count, "page": filters.page, "pages": pages}


@router.post(
    "/deliveries",
    response={200: DeliveryOut, 201: DeliveryOut, **_ERRORS},
    summary="Request a care delivery (201; a retry with the same client_key: 200)",
)
def delivery_create(request, payload: DeliveryIn):
    require_capability(request.auth, FOLLOWUPS_EDIT)
    person = get_for_user(Person.objects.all(), request.auth, FOLLOWUPS_EDIT, pk=payload.person_id)
    d, created = services.delivery_request_create(
        user=request.auth,
        person=person,
        category=payload.category,
        items=payload.items,
        needed_by=payload.needed_by,
        note=payload.note,
        client_key=payload.client_key,
        request=request,
    )
    return Status(201 if created else 200, delivery_out(selectors.delivery_get(user=request.auth, pk=d.pk)))


@router.get("/deliveries/{int:delivery_id}", response={200: DeliveryOut, **_ERRORS}, summary="One delivery")
def delivery_detail(request, delivery_id: int):
    return delivery_out(selectors.delivery_get(user=request.auth, pk=path_id(delivery_id)))


@router.post(
    "/deliveries/{int:delivery_id}/take",
    response={200: DeliveryOut, **_ERRORS},
    summary="Take a delivery (a volunteer's name may be given)",
)
def delivery_take(request, delivery_id: int, payload: TakeIn):
    d = selectors.delivery_get(user=request.auth, pk=path_id(delivery_id))
    return delivery_out(
        services.delivery_take(user=request.auth, delivery=d, volunteer_name=payload.volunteer_name, request=request)
    )


@router.post(
    "/deliveries/{int:delivery_id}/deliver", response={200: DeliveryOut, **_ERRORS}, summary="Mark a delivery delivered"
)
def delivery_deliver(request, delivery_id: int, payload: NoteIn):
    d = selectors.delivery_get(user=request.auth, pk=path_id(delivery_id))
    return delivery_out(
        services.delivery_mark_delivered(user=request.auth, delivery=d, note=payload.note, request=request)
    )


@router.post(
    "/deliveries/{int:delivery_id}/cancel",
    response={200: DeliveryOut, **_ERRORS},
    summary="Cancel a delivery, with a reason",
)
def delivery_cancel(request, delivery_id: int, payload: ReasonIn):
    d = selectors.delivery_get(user=request.auth, pk=path_id(delivery_id))
    return delivery_out(services.delivery_cancel(user=request.auth, delivery=d, reason=payload.reason, request=request))


# ---------------------------------------------------------------- counts


@router.get(
    "/counts",
    response={200: CountsOut, **_ERRORS},
    summary="Counts for a division in my jurisdiction and a day (command level)",
)
def counts(request, filters: Query[CountsQuery]):
    day = filters.day or timezone.localdate()
    c = selectors.followup_counts_for_user(user=request.auth, prefix=filters.division, day=day)
    return {
        "prefix": filters.division,
        "day": day,
        "in_measure": c.in_measure,
        "started": c.started,
        "ended": c.ended,
        "checks_due": c.checks_due,
        "checks_done": c.checks_done,
        "checks_late": c.checks_late,
        "checks_overdue": c.checks_overdue,
        "checks_missed": c.checks_missed,
        "referrals_opened": c.referrals_opened,
        "referrals_open": c.referrals_open,
        "referrals_closed": c.referrals_closed,
        "deliveries_requested": c.deliveries_requested,
        "deliveries_open": c.deliveries_open,
        "deliveries_done": c.deliveries_done,
    }
