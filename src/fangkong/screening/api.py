"""JSON API for screening: ``/api/v1/screening``.

The same rules as the pages: reads through screening.selectors (scoped; a
record outside the jurisdiction is a 404, like a missing one), writes through
screening.services; views, searches and changes audited; ID numbers and phones
only masked. The self-report endpoint is public (no token) and rate-limited
per client address, like the public page."""

from __future__ import annotations

import math

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from fangkong.accounts.roles import (
    SCREENING_CAMPAIGN,
    SCREENING_HANDLE,
    SCREENING_VIEW,
)
from fangkong.accounts.scoping import (
    get_for_user,
    has_capability,
    require_capability,
    scope_prefixes,
    user_can_see_code,
)
from fangkong.audit.services import record
from fangkong.core.api_errors import path_id
from fangkong.core.schemas import ErrorOut, ValidationErrorOut
from fangkong.people import number_search
from fangkong.people.models import Household
from fangkong.people.selectors import search_kind
from fangkong.people.services import describe_place
from fangkong.regions.selectors import division_names

from . import selectors, services
from .choices import ArrivalStatus
from .models import Arrival, Campaign, Returnee
from .schemas import (
    ArrivalDetailOut,
    ArrivalPage,
    ArrivalQuery,
    ArrivalSearchIn,
    CampaignDetailOut,
    CampaignIn,
    CampaignOut,
    CloseIn,
    ConfirmIn,
    CountQuery,
    CountsOut,
    CoverageOut,
    DismissIn,
    HouseholdVisitPage,
    HouseholdVisitQuery,
    ProposalOut,
    ProposalQuery,
    ReturneeOut,
    ReturneePage,
    ReturneeQuery,
    SelfReportIn,
    SelfReportOut,
    VisitIn,
    VisitOut,
)

router = Router(tags=["screening"])

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _communities(codes) -> dict[str, str]:
    return division_names(c[:12] for c in codes)


def _paginate(qs, page: int, size: int) -> tuple[list, int, int]:
    count = qs.count()
    pages = max(1, math.ceil(count / size))
    return (list(qs[(page - 1) * size : page * size]) if page <= pages else []), count, pages


def arrival_out(a: Arrival, names: dict[str, str]) -> dict:
    return {
        "id": a.pk,
        "name": a.name,
        "sex": a.sex,
        "doc_type": a.doc_type,
        "doc_masked": a.doc_masked,
        "phone_masked": a.phone_masked,
        "origin_code": a.origin_code,
        "origin_name": a.origin_name,
        "arrived_on": a.arrived_on,
        "travel_mode": a.travel_mode,
        "travel_number": a.travel_number,
        "division_code": a.division_code,
        "community": names.get(a.division_code[:12], ""),
        "source": a.source,
        "status": a.status,
        "flagged": a.flagged,
        "flags": [{"flag": f, "label": label, "guidance": guidance} for f, label, guidance in a.flag_details()],
        "temperature": float(a.temperature) if a.temperature is not None else None,
        "reports": a.reports,
        "created_at": a.created_at,
    }


def returnee_out(r: Returnee, names: dict[str, str]) -> dict:
    return {
        "id": r.pk,
        "person_id": r.person_id,
        "name": r.person.name,
        "doc_masked": r.person.doc_masked,
        "phone_masked": r.person.phone_masked,
        "division_code": r.division_code,
        "community": names.get(r.division_code[:12], ""),
        "origin_code": r.origin_code,
        "origin_name": r.origin_name,
        "arrived_on": r.arrived_on,
        "travel_mode": r.travel_mode,
        "travel_number": r.travel_number,
        "risk_area_contact": r.risk_area_contact,
        "case_contact": r.case_contact,
        "proposed_measure": r.proposed_measure,
        "proposed_reason": r.proposed_reason,
        "measure": r.measure,
        "measure_reason": r.measure_reason,
        "measure_state": r.measure_state,
        "followup_id": r.followup_id,
        "source": r.source,
        "arrival_id": r.arrival_id,
        "confirmed_at": r.confirmed_at,
    }


def coverage_row_out(row: selectors.CoverageRow) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "households": row.households,
        "screened": row.screened,
        "revisit": row.revisit,
        "not_visited": row.not_visited,
        "returnees": row.returnees,
        "percent": row.percent,
        "children": [coverage_row_out(c) for c in row.children],
    }


def campaign_out(c: Campaign) -> dict:
    return {
        "id": c.pk,
        "division_code": c.division_code,
        "name": c.name,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "status": c.status,
        "open_today": c.is_open_on(timezone.localdate()),
        "note": c.note,
    }


def _arrival_detail(user, a: Arrival) -> dict:
    returnee = Returnee.objects.filter(arrival=a).values_list("pk", flat=True).first()
    return {
        **arrival_out(a, _communities([a.division_code])),
        "address": a.address,
        "note": a.note,
        "place": describe_place(a.division_code),
        "person_id": a.person_id,
        "dismiss_reason": a.dismiss_reason,
        "handled_at": a.handled_at,
        "returnee_id": returnee,
        "can_handle": a.status == ArrivalStatus.PENDING and has_capability(user, SCREENING_HANDLE, a.division_code),
    }


def _prefix(user, division: str) -> str:
    """The division asked about, inside the user's jurisdiction (else 404);
    by default the user's own (the first, if several)."""
    if division:
        if not user_can_see_code(user, division, SCREENING_VIEW):
            raise Http404
        return division
    prefixes = scope_prefixes(user, SCREENING_VIEW)
    if not prefixes:
        raise Http404
    return prefixes[0]


def _name_only() -> str:
    return _("这里按姓名或地址查找，不接受证件号码或电话；查找人员请用 POST /api/v1/persons/search。")


# ---------------------------------------------------------------- arrivals


@router.get(
    "/arrivals",
    response={200: ArrivalPage, **_ERRORS},
    summary="The arrivals queue of my communities: flagged first, then newest (paged)",
)
def arrival_list(request, filters: Query[ArrivalQuery]):
    """``q`` finds by name (prefix). An ID number or phone in ``q`` is refused
    (422): a URL ends up in histories, proxies and access logs; use
    ``POST /arrivals/search``."""
    number_search.refuse_api(
        filters.q,
        _("证件号码和电话不能放在网址中：请用 POST /api/v1/screening/arrivals/search，把查询内容放在请求正文里。"),
    )
    return _arrival_page(request, filters)


@router.post(
    "/arrivals/search",
    response={200: ArrivalPage, **_ERRORS},
    summary="Search the arrivals queue, the term in the body (ID number, phone or name)",
)
def arrival_search(request, filters: ArrivalSearchIn):
    """``q`` finds by ID number or phone (exact, through the blind index) or by
    name (prefix). Audited as a search (its kind, never the term)."""
    return _arrival_page(request, filters)


def _arrival_page(request, filters) -> dict:
    user = request.auth
    require_capability(user, SCREENING_VIEW)
    qs = selectors.arrival_list(
        user=user,
        filters=selectors.ArrivalFilters(
            status="" if filters.status == "all" else filters.status,
            source=filters.source,
            flagged=filters.flagged,
            division=filters.division,
            q=filters.q,
        ),
    )
    items, count, pages = _paginate(qs, filters.page, filters.page_size)
    if filters.q:
        record(
            user,
            "search",
            object_type="screening.arrival",
            detail={"kind": search_kind(filters.q), "results": len(items)},
            request=request,
        )
    names = _communities(a.division_code for a in items)
    return {
        "items": [arrival_out(a, names) for a in items],
        "count": count,
        "page": filters.page,
        "pages": pages,
        "page_size": filters.page_size,
    }


@router.get("/arrivals/{int:arrival_id}", response={200: ArrivalDetailOut, **_ERRORS}, summary="One arrival (audited)")
def arrival_detail(request, arrival_id: int):
    user = request.auth
    arrival = selectors.arrival_get(user=user, pk=path_id(arrival_id))
    record(user, "view", arrival, request=request)
    return _arrival_detail(user, arrival)


@router.post(
    "/arrivals/{int:arrival_id}/dismiss",
    response={200: ArrivalDetailOut, **_ERRORS},
    summary="Take an arrival off the queue with a reason",
)
def arrival_dismiss(request, arrival_id: int, payload: DismissIn):
    user = request.auth
    arrival = selectors.arrival_get(user=user, pk=path_id(arrival_id))
    arrival = services.arrival_dismiss(user=user, arrival=arrival, reason=payload.reason, request=request)
    return _arrival_detail(user, arrival)


@router.post(
    "/arrivals/{int:arrival_id}/confirm",
    response={201: ReturneeOut, **_ERRORS},
    summary="Confirm the arrival as a returnee and decide the measure",
)
def arrival_confirm(request, arrival_id: int, payload: ConfirmIn):
    user = request.auth
    arrival = selectors.arrival_get(user=user, pk=path_id(arrival_id))
    household = None
    if payload.household_id:
        household = Household.objects.filter(pk=payload.household_id).first() or Household(pk=payload.household_id)
    returnee = services.returnee_confirm(
        user=user,
        arrival=arrival,
        measure=payload.measure,
        measure_reason=payload.measure_reason,
        name=payload.name,
        doc_number=payload.doc_number,
        phone=payload.phone,
        origin_code=payload.origin_code,
        arrived_on=payload.arrived_on,
        travel_mode=payload.travel_mode,
        travel_number=payload.travel_number,
        risk_area_contact=payload.risk_area_contact,
        case_contact=payload.case_contact,
        contact_note=payload.contact_note,
        household=household,
        place=payload.place,
        site_name=payload.site_name,
        request=request,
    )
    return Status(201, returnee_out(returnee, _communities([returnee.division_code])))


@router.get(
    "/measure-proposal", response={200: ProposalOut, **_ERRORS}, summary="The measure the rules propose for a returnee"
)
def measure_proposal(request, query: Query[ProposalQuery]):
    require_capability(request.auth, SCREENING_VIEW)
    p = services.measure_propose(
        origin_code=query.origin_code,
        arrived_on=query.arrived_on,
        risk_area_contact=query.risk_area_contact,
        case_contact=query.case_contact,
    )
    return {"measure": p.measure, "reason": p.reason}


# ---------------------------------------------------------------- self-report (public)


@router.post(
    "/self-report",
    auth=None,
    response={201: SelfReportOut, 429: ErrorOut, 422: ValidationErrorOut},
    summary="A resident reports an arrival (public, rate-limited per client)",
)
def self_report(request, payload: SelfReportIn):
    from .public_views import _client

    services.self_report_throttle(client=_client(request))  # past the limit: 429 (fangkong.api)
    arrival = services.self_report_submit(report=services.SelfReport(**payload.dict()), request=request)
    return Status(
        201,
        {
            "received": True,
            "doc_masked": arrival.doc_masked,
            "phone_masked": arrival.phone_masked,
            "community": _communities([arrival.division_code]).get(arrival.division_code[:12], ""),
        },
    )


# ---------------------------------------------------------------- campaigns and visits


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **_ERRORS},
    summary="Door-to-door campaigns over my places (newest first, at most 200)",
)
def campaign_list(request, status: str = ""):
    user = request.auth
    require_capability(user, SCREENING_VIEW)
    return [campaign_out(c) for c in selectors.campaign_list(user=user, status=status)[:200]]


@router.post(
    "/campaigns",
    response={201: CampaignDetailOut, **_ERRORS},
    summary="Start a campaign over a community or a township",
)
def campaign_create(request, payload: CampaignIn):
    user = request.auth
    require_capability(user, SCREENING_CAMPAIGN)
    c = services.campaign_start(user=user, request=request, **payload.dict())
    return Status(201, {**campaign_out(c), "coverage": coverage_row_out(selectors.campaign_coverage(campaign=c))})


@router.get(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignDetailOut, **_ERRORS},
    summary="One campaign with its live coverage per community and grid",
)
def campaign_detail(request, campaign_id: int):
    user = request.auth
    c = selectors.campaign_get(user=user, pk=path_id(campaign_id))
    return {**campaign_out(c), "coverage": coverage_row_out(selectors.campaign_coverage(campaign=c, user=user))}


@router.post("/campaigns/{int:campaign_id}/close", response={200: CampaignOut, **_ERRORS}, summary="End a campaign")
def campaign_close(request, campaign_id: int, payload: CloseIn):
    user = request.auth
    c = selectors.campaign_get(user=user, pk=path_id(campaign_id))
    return campaign_out(services.campaign_close(user=user, campaign=c, reason=payload.reason, request=request))


@router.get(
    "/campaigns/{int:campaign_id}/households",
    response={200: HouseholdVisitPage, **_ERRORS},
    summary="Households of a campaign with their visit state (paged)",
)
def campaign_households(request, campaign_id: int, filters: Query[HouseholdVisitQuery]):
    number_search.refuse_api(filters.q, _name_only())
    user = request.auth
    c = selectors.campaign_get(user=user, pk=path_id(campaign_id))
    qs = selectors.campaign_households(
        user=user, campaign=c, state=filters.state, division=filters.division, q=filters.q
    )
    items, count, pages = _paginate(qs, filters.page, filters.page_size)
    return {
        "items": [
            {
                "household_id": h.pk,
                "address": h.address,
                "division_code": h.division_code,
                "result": h.visit_result,
                "attempts": h.visit_attempts or 0,
            }
            for h in items
        ],
        "count": count,
        "page": filters.page,
        "pages": pages,
        "page_size": filters.page_size,
    }


@router.post(
    "/campaigns/{int:campaign_id}/visits",
    response={200: VisitOut, 201: VisitOut, **_ERRORS},
    summary="Record a knock on a household's door (client key: a retry returns the first result)",
)
def visit_create(request, campaign_id: int, payload: VisitIn):
    user = request.auth
    c = selectors.campaign_get(user=user, pk=path_id(campaign_id))
    household = get_for_user(Household.objects.all(), user, SCREENING_VIEW, pk=payload.household_id)
    found = [services.FoundReturnee(**f.dict()) for f in payload.returnees]
    visit, recorded = services.visit_record(
        user=user,
        campaign=c,
        household=household,
        result=payload.result,
        note=payload.note,
        returnees=found,
        client_key=payload.client_key,
        request=request,
    )
    body = {
        "id": visit.pk,
        "campaign_id": visit.campaign_id,
        "household_id": visit.household_id,
        "result": visit.result,
        "attempts": visit.attempts,
        "returnees_found": visit.returnees_found,
        "recorded": recorded,
    }
    return Status(201 if recorded else 200, body)


# ---------------------------------------------------------------- coverage and counts


@router.get(
    "/coverage",
    response={200: CoverageOut, **_ERRORS},
    summary="Screening coverage of a division in my jurisdiction on a day (default: mine, today)",
)
def coverage(request, query: Query[CountQuery]):
    user = request.auth
    require_capability(user, SCREENING_VIEW)
    prefix = _prefix(user, query.division)
    day = query.day or timezone.localdate()
    s = selectors.coverage_summary(prefix=prefix, day=day)
    return {
        "division_code": prefix,
        "day": day,
        "households": s.households,
        "households_in_campaigns": s.in_campaigns,
        "screened": s.screened,
        "revisit": s.revisit,
        "percent": s.percent,
        "percent_of_households": s.percent_of_households,
    }


@router.get(
    "/counts",
    response={200: CountsOut, **_ERRORS},
    summary="Arrivals, self-reports, returnees and coverage of a division on a day (command level)",
)
def counts(request, query: Query[CountQuery]):
    user = request.auth
    require_capability(user, SCREENING_VIEW)
    prefix = _prefix(user, query.division)
    day = query.day or timezone.localdate()
    c = selectors.screening_counts(prefix=prefix, day=day)
    return {
        "division_code": prefix,
        "day": day,
        "arrivals_new": c.arrivals_new,
        "self_reports": c.self_reports,
        "arrivals_handled": c.arrivals_handled,
        "arrivals_pending": c.arrivals_pending,
        "returnees": c.returnees,
        "households": c.households,
        "households_in_campaigns": c.households_in_campaigns,
        "households_screened": c.households_screened,
        "households_revisit": c.households_revisit,
        "coverage_percent": c.coverage_percent,
        "coverage_percent_of_households": c.coverage_percent_of_households,
    }


# ---------------------------------------------------------------- returnees


@router.get("/returnees", response={200: ReturneePage, **_ERRORS}, summary="Confirmed returnees (paged)")
def returnee_list(request, filters: Query[ReturneeQuery]):
    number_search.refuse_api(filters.q, _name_only())
    user = request.auth
    require_capability(user, SCREENING_VIEW)
    qs = selectors.returnee_list(
        user=user, filters=selectors.ReturneeFilters(measure=filters.measure, division=filters.division, q=filters.q)
    )
    items, count, pages = _paginate(qs, filters.page, filters.page_size)
    if filters.q:
        record(
            user,
            "search",
            object_type="screening.returnee",
            detail={"kind": "name", "results": len(items)},
            request=request,
        )
    names = _communities(r.division_code for r in items)
    return {
        "items": [returnee_out(r, names) for r in items],
        "count": count,
        "page": filters.page,
        "pages": pages,
        "page_size": filters.page_size,
    }


@router.get("/returnees/{int:returnee_id}", response={200: ReturneeOut, **_ERRORS}, summary="One returnee (audited)")
def returnee_detail(request, returnee_id: int):
    user = request.auth
    r = selectors.returnee_get(user=user, pk=path_id(returnee_id))
    record(user, "view", r, request=request)
    return returnee_out(r, _communities([r.division_code]))
