"""Pages of the screening app (排查): the arrivals queue, returnees, door-to-door
campaigns and their coverage. Thin: parse, call one service or selector, render.
The public self-report page is in ``public_views``."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import (
    PEOPLE_REVEAL,
    SCREENING_CAMPAIGN,
    SCREENING_EXPORT,
    SCREENING_HANDLE,
    SCREENING_POLICY,
    SCREENING_VIEW,
)
from fangkong.accounts.scoping import (
    get_for_user,
    has_capability,
    require_capability,
    scope_filter,
    scope_prefixes,
)
from fangkong.audit.services import record
from fangkong.core.dates import parse_day
from fangkong.core.exports import xlsx_download
from fangkong.core.forms import apply_errors
from fangkong.core.paging import querystring_without_page
from fangkong.core.services import status_history
from fangkong.people import number_search
from fangkong.people.models import Household
from fangkong.people.selectors import search_kind
from fangkong.people.services import describe_place
from fangkong.regions.models import Division
from fangkong.regions.selectors import DivisionNames, division_names, places_user_may_manage

from . import selectors, services
from .choices import ArrivalSource, ArrivalStatus, CampaignStatus, Measure, TravelMode, VisitResult
from .forms import (
    ArrivalRuleForm,
    CampaignForm,
    DismissForm,
    FoundPersonFormSet,
    ReturneeForm,
    VisitForm,
)
from .models import Arrival, Returnee
from .origins import cities_of, origin_get, provinces

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def _date(value: str) -> dt.date | None:
    """A typed day (core.dates: 2000-01-01..2100-12-31), else None."""
    try:
        return parse_day(value or "")
    except ValidationError:
        return None


def _names(codes) -> dict[str, str]:
    """Short names of the communities (and grids, townships) of these codes."""
    wanted = set()
    for c in codes:
        wanted |= {c[:9], c[:12], c}
    return division_names(wanted)


# ---------------------------------------------------------------- arrivals

_FILTER_LEVELS = {
    2: ("city", "county"),
    4: ("county", "township"),
    6: ("township", "community"),
    9: ("community", "grid"),
    12: ("grid",),
}


def _place_options(user) -> list[Division]:
    """The places a list can be narrowed to: the two levels below the user's
    jurisdiction (counties and townships for the city, townships and
    communities for a county, …)."""
    options: list[Division] = []
    for p in scope_prefixes(user, SCREENING_VIEW):
        options += places_user_may_manage(
            user, SCREENING_VIEW, levels=_FILTER_LEVELS.get(len(p), ()), under=p, limit=400
        )
    return options


def _arrival_filters(request) -> selectors.ArrivalFilters:
    g = request.GET
    status = g.get("status", ArrivalStatus.PENDING)
    blind, _masked = number_search.blind_for(request)
    return selectors.ArrivalFilters(
        status=status if status in ArrivalStatus.values else "",
        source=g.get("source", ""),
        flagged=g.get("flagged") == "1",
        division=g.get("division", "")[:15],
        q="" if blind else g.get("q", "")[:60],
        since=_date(g.get("since", "")),
        blind=blind,
    )


def _number_in_url() -> str:
    return _("证件号码和电话不能放在网址中：请在页面的搜索框中输入后点“查找”。")


def _name_only() -> str:
    return _("这里按姓名或地址查找；证件号码和电话请在“人员”页面的搜索框中查找（不放在网址中）。")


@login_required
@require_POST
def arrival_search(request):
    """The arrivals search form: an ID number or phone is kept in the session as
    its blind index under a random key (people.number_search); a name goes to ``q``."""
    require_capability(request.user, SCREENING_VIEW)
    p = request.POST
    return number_search.search_redirect(
        request,
        reverse("screening:arrival_list"),
        {k: p.get(k, "")[:15] for k in ("status", "source", "flagged", "division")},
    )


@login_required
def arrival_list(request):
    """The arrivals queue of the user's communities: flagged first, then newest."""
    require_capability(request.user, SCREENING_VIEW)
    refused = number_search.refused(request, _number_in_url())
    filters = _arrival_filters(request)
    from django.core.paginator import Paginator

    qs = Arrival.objects.none() if refused else selectors.arrival_list(user=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    if filters.q or filters.blind:
        record(
            request.user,
            "search",
            object_type="screening.arrival",
            detail={
                "kind": filters.blind[0] if filters.blind else search_kind(filters.q),
                "results": len(page.object_list),
            },
            request=request,
        )
    _blind, masked = number_search.blind_for(request)
    return render(
        request,
        "screening/arrival_list.html",
        {
            "page": page,
            "filters": filters,
            "query": querystring_without_page(request),
            "searched": masked if filters.blind else "",
            "names": _names(a.division_code for a in page),
            "sources": ArrivalSource.choices,
            "statuses": ArrivalStatus.choices,
            "can_export": has_capability(request.user, SCREENING_EXPORT),
            "places": _place_options(request.user),
            "pending": selectors.arrival_queue(user=request.user).count(),
            "flagged_pending": selectors.arrival_queue(user=request.user).filter(flagged=True).count(),
        },
        status=400 if refused else 200,
    )


@login_required
def arrival_export(request):
    require_capability(request.user, SCREENING_EXPORT)
    if refusal := number_search.refuse_download(request, _number_in_url()):
        return refusal
    filters = _arrival_filters(request)
    qs = selectors.arrival_list(user=request.user, filters=filters)[:EXPORT_LIMIT]
    names = DivisionNames()

    def rows():
        for a in qs.iterator(chunk_size=2000):
            yield (
                a.name,
                a.get_sex_display(),
                a.doc_masked,
                a.phone_masked,
                a.origin_name,
                a.arrived_on.isoformat(),
                a.travel_mode_label(),
                a.travel_number,
                names.get(a.division_code[:9], ""),
                names.get(a.division_code[:12], ""),
                a.address,
                a.get_source_display(),
                "、".join(label for _f, label, _g in a.flag_details()),
                str(a.temperature) if a.temperature is not None else "",
                a.get_status_display(),
                timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M"),
            )

    return xlsx_download(
        request,
        title="抵达人员",
        headers=[
            "姓名",
            "性别",
            "证件号码",
            "电话",
            "来源地",
            "抵达日期",
            "交通方式",
            "车次/航班/车牌",
            "乡镇街道",
            "村社区",
            "住址",
            "来源",
            "标记",
            "体温",
            "状态",
            "登记时间",
        ],
        rows=rows(),
        kind="arrivals",
        object_type="screening.arrival",
        filename="arrivals",
    )


@login_required
def arrival_detail(request, pk: int):
    arrival = selectors.arrival_get(user=request.user, pk=pk)
    record(request.user, "view", arrival, request=request)
    can_handle = has_capability(request.user, SCREENING_HANDLE, arrival.division_code)
    return render(
        request,
        "screening/arrival_detail.html",
        {
            "arrival": arrival,
            "place": describe_place(arrival.division_code),
            "history": status_history(arrival),
            "can_handle": can_handle and arrival.status == ArrivalStatus.PENDING,
            "can_reveal": has_capability(request.user, PEOPLE_REVEAL, arrival.division_code) and can_handle,
            "dismiss_form": DismissForm(),
            "returnee": getattr(arrival, "returnee", None) if arrival.status == ArrivalStatus.CONFIRMED else None,
        },
    )


@login_required
@require_POST
def arrival_dismiss(request, pk: int):
    arrival = selectors.arrival_get(user=request.user, pk=pk)
    form = DismissForm(request.POST)
    try:
        services.arrival_dismiss(
            user=request.user, arrival=arrival, reason=request.POST.get("reason", ""), request=request
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(
            request,
            "screening/arrival_detail.html",
            {
                "arrival": arrival,
                "place": describe_place(arrival.division_code),
                "history": status_history(arrival),
                "can_handle": arrival.status == ArrivalStatus.PENDING,
                "dismiss_form": form,
                "open_dismiss": True,
            },
            status=400,
        )
    messages.success(request, _("已处理：%(name)s 不予处理。") % {"name": arrival.name})
    return redirect("screening:arrival_list")


@login_required
@require_POST
def arrival_reveal(request, pk: int):
    arrival = selectors.arrival_get(user=request.user, pk=pk)
    field = request.POST.get("field", "")
    try:
        value = services.arrival_reveal(
            user=request.user, arrival=arrival, field=field, reason=request.POST.get("reason", ""), request=request
        )
    except ValidationError as exc:
        from fangkong.people.views import reveal_error_status

        return render(
            request,
            "screening/_reveal.html",
            {"arrival": arrival, "field": field, "errors": exc.messages, "reason": request.POST.get("reason", "")},
            status=reveal_error_status(request, exc),
        )
    return render(request, "screening/_reveal.html", {"arrival": arrival, "field": field, "value": value})


@login_required
def arrival_rule(request):
    """Which inbound checkpoint passages queue an arrival: every worker may
    read it, the city HQ changes it (with a reason; audited)."""
    require_capability(request.user, SCREENING_VIEW)
    from .models import ArrivalRule
    from .rules import queue_rule

    can_edit = has_capability(request.user, SCREENING_POLICY)
    current = ArrivalRule.objects.filter(pk=ArrivalRule.SINGLETON).first()
    status = 200
    if request.method == "POST":
        require_capability(request.user, SCREENING_POLICY)
        form = ArrivalRuleForm(request.POST)
        if form.is_valid():
            try:
                services.arrival_rule_set(user=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存：此后卡点登记按新规则推送抵达人员。"))
                return redirect("screening:arrival_rule")
        status = 400
    else:
        form = ArrivalRuleForm(initial=vars(queue_rule()))
    return render(
        request, "screening/arrival_rule.html", {"form": form, "can_edit": can_edit, "current": current}, status=status
    )


# ---------------------------------------------------------------- returnee confirmation


def _households_for(user, arrival: Arrival):
    return list(
        scope_filter(Household.objects.all(), user, SCREENING_HANDLE)
        .under(arrival.division_code[:12])
        .order_by("address")[:500]
    )


def _confirm_page(request, arrival, form, *, status=200, duplicate=None):
    data = form.data if form.is_bound else form.initial
    proposal = services.measure_propose(
        origin_code=data.get("origin_code") or arrival.origin_code,
        arrived_on=_date(str(data.get("arrived_on") or "")) or arrival.arrived_on,
        risk_area_contact=str(data.get("risk_area_contact", "")).lower() in ("on", "true", "1"),
        case_contact=str(data.get("case_contact", "")).lower() in ("on", "true", "1"),
    )
    origin = origin_get(data.get("origin_code") or arrival.origin_code)
    return render(
        request,
        "screening/returnee_form.html",
        {
            "arrival": arrival,
            "form": form,
            "proposal": proposal,
            "place": describe_place(arrival.division_code),
            "households": _households_for(request.user, arrival),
            "provinces": provinces(),
            "origin": origin,
            "cities": cities_of(origin.code[:2]) if origin else [],
            "measures": Measure.choices,
        },
        status=status,
    )


@login_required
def arrival_confirm(request, pk: int):
    """Confirm the person behind an arrival as a returnee and decide the measure."""
    arrival = selectors.arrival_get(user=request.user, pk=pk)
    require_capability(request.user, SCREENING_HANDLE, arrival.division_code)
    if arrival.status != ArrivalStatus.PENDING:
        messages.error(request, _("该抵达人员已处理。"))
        return redirect(arrival)
    if request.method != "POST":
        risk = "risk_area" in arrival.flag_list()
        proposal = services.measure_propose(
            origin_code=arrival.origin_code, arrived_on=arrival.arrived_on, risk_area_contact=risk
        )
        form = ReturneeForm(
            initial={
                "risk_area_contact": risk,
                "origin_code": arrival.origin_code,
                "arrived_on": arrival.arrived_on.isoformat(),
                "travel_mode": arrival.travel_mode if arrival.travel_mode in TravelMode.values else "",
                "travel_number": arrival.travel_number,
                "measure": proposal.measure,
                "measure_reason": proposal.reason,
                "place": arrival.address,
            }
        )
        return _confirm_page(request, arrival, form)
    form = ReturneeForm(request.POST)
    if not form.is_valid():
        return _confirm_page(request, arrival, form, status=400)
    d = form.cleaned_data
    household = None
    if d.get("household"):
        household = Household.objects.filter(pk=d["household"]).first() or Household(pk=d["household"])
    try:
        returnee = services.returnee_confirm(
            user=request.user,
            arrival=arrival,
            name=d["name"],
            doc_type=d["doc_type"] or None,
            doc_number=d["doc_number"],
            phone=d["phone"],
            origin_code=d["origin_code"] or None,
            arrived_on=d["arrived_on"],
            travel_mode=d["travel_mode"],
            travel_number=d["travel_number"],
            risk_area_contact=d["risk_area_contact"],
            case_contact=d["case_contact"],
            contact_note=d["contact_note"],
            measure=d["measure"],
            measure_reason=d["measure_reason"],
            household=household,
            place=d["place"],
            site_name=d["site_name"],
            request=request,
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _confirm_page(request, arrival, form, status=400)
    if returnee.measure_state == "awaiting":
        messages.warning(
            request,
            _("已核实返乡人员 %(name)s。所选措施严于规则建议，已提交审批，需另一名工作人员批准后生效。")
            % {"name": returnee.person.name},
        )
    else:
        messages.success(
            request,
            _("已核实返乡人员 %(name)s：%(measure)s。")
            % {"name": returnee.person.name, "measure": returnee.get_measure_display()},
        )
    return redirect(returnee)


@login_required
def measure_proposal(request):
    """htmx: the measure the rules propose for what the form says so far."""
    require_capability(request.user, SCREENING_VIEW)
    g = request.GET
    proposal = services.measure_propose(
        origin_code=g.get("origin_code", "")[:6],
        arrived_on=_date(g.get("arrived_on", "")),
        risk_area_contact=g.get("risk_area_contact") == "on",
        case_contact=g.get("case_contact") == "on",
    )
    return render(request, "screening/_proposal.html", {"proposal": proposal})


@login_required
def origin_cities(request):
    """htmx: the city options of a province (public list, no personal data)."""
    return render(
        request,
        "screening/_city_options.html",
        {
            "cities": cities_of((request.GET.get("province") or request.GET.get("origin_province") or "")[:2]),
            "selected": request.GET.get("city", ""),
        },
    )


# ---------------------------------------------------------------- returnees


def _returnee_filters(request) -> selectors.ReturneeFilters:
    g = request.GET
    measure = g.get("measure", "")
    return selectors.ReturneeFilters(
        measure=measure if measure in Measure.values else "",
        division=g.get("division", "")[:15],
        q=g.get("q", "")[:60],
        since=_date(g.get("since", "")),
    )


@login_required
def returnee_list(request):
    require_capability(request.user, SCREENING_VIEW)
    from django.core.paginator import Paginator

    refused = number_search.refused(request, _name_only())
    filters = _returnee_filters(request)
    qs = Returnee.objects.none() if refused else selectors.returnee_list(user=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    if filters.q:
        record(
            request.user,
            "search",
            object_type="screening.returnee",
            detail={"kind": "name", "results": len(page.object_list)},
            request=request,
        )
    return render(
        request,
        "screening/returnee_list.html",
        {
            "page": page,
            "filters": filters,
            "query": querystring_without_page(request),
            "measures": Measure.choices,
            "names": _names(r.division_code for r in page),
            "can_export": has_capability(request.user, SCREENING_EXPORT),
        },
        status=400 if refused else 200,
    )


@login_required
def returnee_export(request):
    require_capability(request.user, SCREENING_EXPORT)
    if refusal := number_search.refuse_download(request, _name_only()):
        return refusal
    qs = selectors.returnee_list(user=request.user, filters=_returnee_filters(request))[:EXPORT_LIMIT]
    names = DivisionNames()

    def rows():
        for r in qs.iterator(chunk_size=2000):
            p = r.person
            yield (
                p.name,
                p.get_sex_display(),
                p.doc_masked,
                p.phone_masked,
                r.origin_name,
                r.arrived_on.isoformat(),
                r.get_travel_mode_display(),
                r.travel_number,
                "是" if r.risk_area_contact else "否",
                "是" if r.case_contact else "否",
                names.get(r.division_code[:9], ""),
                names.get(r.division_code[:12], ""),
                r.get_proposed_measure_display(),
                r.get_measure_display(),
                r.get_measure_state_display(),
                r.measure_reason,
                r.get_source_display(),
                timezone.localtime(r.confirmed_at).strftime("%Y-%m-%d %H:%M"),
            )

    return xlsx_download(
        request,
        title="返乡人员",
        headers=[
            "姓名",
            "性别",
            "证件号码",
            "电话",
            "来源地",
            "抵达日期",
            "交通方式",
            "车次/航班/车牌",
            "到过风险地区",
            "接触病例",
            "乡镇街道",
            "村社区",
            "建议措施",
            "决定措施",
            "措施状态",
            "决定理由",
            "来源",
            "核实时间",
        ],
        rows=rows(),
        kind="returnees",
        object_type="screening.returnee",
        filename="returnees",
    )


@login_required
def returnee_detail(request, pk: int):
    returnee = selectors.returnee_get(user=request.user, pk=pk)
    record(request.user, "view", returnee, request=request)
    return render(
        request,
        "screening/returnee_detail.html",
        {
            "returnee": returnee,
            "place": describe_place(returnee.division_code),
            "history": status_history(returnee),
        },
    )


# ---------------------------------------------------------------- campaigns


def _campaign_places(user):
    """Townships and communities where the user may start a campaign."""
    return places_user_may_manage(
        user, SCREENING_CAMPAIGN, levels=lambda p: ["township", "community"] if len(p) >= 6 else ["township"], limit=600
    )


@login_required
def campaign_list(request):
    require_capability(request.user, SCREENING_VIEW)
    campaigns = list(selectors.campaign_list(user=request.user)[:100])
    today = timezone.localdate()
    rows = [(c, selectors.coverage_summary(prefix=c.division_code) if c.is_open_on(today) else None) for c in campaigns]
    return render(
        request,
        "screening/campaign_list.html",
        {
            "rows": rows,
            "names": _names(c.division_code for c in campaigns),
            "can_start": has_capability(request.user, SCREENING_CAMPAIGN),
            "today": today,
        },
    )


@login_required
def campaign_create(request):
    require_capability(request.user, SCREENING_CAMPAIGN)
    places = _campaign_places(request.user)
    if request.method != "POST":
        today = timezone.localdate()
        form = CampaignForm(
            initial={
                "starts_on": today,
                "ends_on": today + dt.timedelta(days=2),
                "division_code": places[0].code if len(places) == 1 else "",
            }
        )
        return render(request, "screening/campaign_form.html", {"form": form, "places": places})
    form = CampaignForm(request.POST)
    if form.is_valid():
        try:
            campaign = services.campaign_start(user=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已开始排查：%(name)s。") % {"name": campaign.name})
            return redirect(campaign)
    return render(request, "screening/campaign_form.html", {"form": form, "places": places}, status=400)


@login_required
def campaign_detail(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    return render(
        request,
        "screening/campaign_detail.html",
        {
            "campaign": campaign,
            "tree": selectors.campaign_coverage(campaign=campaign, user=request.user),
            "place": describe_place(campaign.division_code)
            if len(campaign.division_code) >= 12
            else _names([campaign.division_code]).get(campaign.division_code, ""),
            "open": campaign.is_open_on(timezone.localdate()),
            "can_close": campaign.status == CampaignStatus.ACTIVE
            and has_capability(request.user, SCREENING_CAMPAIGN, campaign.division_code),
            "revisits": selectors.visit_revisits(user=request.user).filter(campaign=campaign)[:20],
            "now": timezone.localtime(),
        },
    )


@login_required
def campaign_coverage(request, pk: int):
    """htmx: the live coverage table of one campaign."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    return render(
        request,
        "screening/_campaign_coverage.html",
        {
            "campaign": campaign,
            "tree": selectors.campaign_coverage(campaign=campaign, user=request.user),
            "now": timezone.localtime(),
        },
    )


@login_required
@require_POST
def campaign_close(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    try:
        services.campaign_close(
            user=request.user, campaign=campaign, reason=request.POST.get("reason", ""), request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("排查已结束。"))
    return redirect(campaign)


@login_required
def campaign_households(request, pk: int):
    """The households of a campaign with their visit state, to work through door by door."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    from django.core.paginator import Paginator

    refused = number_search.refused(request, _name_only())
    state = request.GET.get("state", "todo")
    state = state if state in ("todo", "revisit", "done", "") else "todo"
    division = request.GET.get("division", "")[:15]
    qs = selectors.campaign_households(
        user=request.user, campaign=campaign, state=state, division=division, q=request.GET.get("q", "")
    )
    page = Paginator(qs.none() if refused else qs, PAGE_SIZE).get_page(request.GET.get("page"))
    grids = places_user_may_manage(
        request.user, SCREENING_VIEW, levels=["community", "grid"], under=campaign.division_code, limit=300
    )
    return render(
        request,
        "screening/campaign_households.html",
        {
            "campaign": campaign,
            "page": page,
            "state": state,
            "division": division,
            "grids": grids,
            "q": request.GET.get("q", "")[:60],
            "query": querystring_without_page(request),
            "open": campaign.is_open_on(timezone.localdate()),
            "results": VisitResult,
            "names": _names(h.division_code for h in page),
            "can_visit": has_capability(request.user, SCREENING_HANDLE),
        },
        status=400 if refused else 200,
    )


def _safe_next(request) -> str:
    """Where to go back to after saving (e.g. the today page), if it is a path
    on this site; else ""."""
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _visit_page(request, campaign, household, form, formset, *, status=200):
    return render(
        request,
        "screening/visit_form.html",
        {
            "campaign": campaign,
            "household": household,
            "form": form,
            "formset": formset,
            "visit": selectors.visit_get(user=request.user, campaign=campaign, household_id=household.pk),
            "provinces": provinces(),
            "results": VisitResult,
            "next": _safe_next(request),
        },
        status=status,
    )


@login_required
def visit_record(request, pk: int, household_id: int):
    """Record a knock on one household's door (with anyone from elsewhere found)."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    household = get_for_user(Household.objects.all(), request.user, SCREENING_VIEW, pk=household_id)
    if not household.division_code.startswith(campaign.division_code):
        from django.http import Http404

        raise Http404
    if request.method != "POST":
        form = VisitForm(initial={"client_key": uuid.uuid4().hex, "result": request.GET.get("result", "")})
        return _visit_page(request, campaign, household, form, FoundPersonFormSet(prefix="p"))
    form = VisitForm(request.POST)
    formset = FoundPersonFormSet(request.POST, prefix="p")
    # The people found are read only with the result "returnees found" (the
    # page hides them otherwise): what was left in them does not stop the save.
    finding = form.data.get("result") == VisitResult.RETURNEES_FOUND
    if not (form.is_valid() and (formset.is_valid() or not finding)):
        return _visit_page(request, campaign, household, form, formset, status=400)
    found = []
    if finding:
        found = [
            services.FoundReturnee(
                name=f.cleaned_data.get("name", ""),
                doc_number=f.cleaned_data.get("doc_number", ""),
                phone=f.cleaned_data.get("phone", ""),
                origin_code=f.cleaned_data.get("origin_code", ""),
                arrived_on=f.cleaned_data.get("arrived_on"),
                travel_mode=f.cleaned_data.get("travel_mode", ""),
                travel_number=f.cleaned_data.get("travel_number", ""),
            )
            for f in formset
            if not f.is_blank()
        ]
    try:
        visit, recorded = services.visit_record(
            user=request.user,
            campaign=campaign,
            household=household,
            result=form.cleaned_data["result"],
            note=form.cleaned_data["note"],
            returnees=found,
            client_key=form.cleaned_data["client_key"] or None,
            request=request,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for key, msgs in exc.message_dict.items():
                parts = key.split(".")
                if parts[0] == "returnees" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(formset):
                    target = formset.forms[int(parts[1])]
                    for m in msgs:
                        target.add_error(parts[2] if parts[2] in target.fields else None, m)
                else:
                    for m in msgs:
                        form.add_error(key if key in form.fields else None, m)
        else:
            apply_errors(form, exc)
        return _visit_page(request, campaign, household, form, formset, status=400)
    if found:
        messages.success(
            request,
            _("已登记走访：%(addr)s，发现 %(n)d 名返乡人员，已进入待处理抵达人员。")
            % {"addr": household.address, "n": len(found)},
        )
    else:
        messages.success(
            request,
            _("已登记走访：%(addr)s · %(result)s") % {"addr": household.address, "result": visit.get_result_display()},
        )
    return redirect(_safe_next(request) or reverse("screening:campaign_households", args=[campaign.pk]) + "?state=todo")


@login_required
@require_POST
def visit_quick(request, pk: int, household_id: int):
    """One tap from the household list: "nobody home" or "no one from elsewhere"."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    household = get_for_user(Household.objects.all(), request.user, SCREENING_VIEW, pk=household_id)
    result = request.POST.get("result", "")
    if result not in (VisitResult.NOBODY_HOME, VisitResult.NONE_FROM_ELSEWHERE):
        result = ""
    try:
        visit, _recorded = services.visit_record(
            user=request.user,
            campaign=campaign,
            household=household,
            result=result,
            client_key=request.POST.get("client_key") or None,
            request=request,
        )
    except ValidationError as exc:
        if request.htmx:
            return render(
                request,
                "screening/_household_row.html",
                {"h": household, "campaign": campaign, "errors": exc.messages, "open": True, "can_visit": True},
                status=400,
            )
        messages.error(request, " ".join(exc.messages))
        return redirect("screening:campaign_households", pk=campaign.pk)
    if request.htmx:
        household.visit_result, household.visit_attempts = visit.result, visit.attempts
        return render(
            request,
            "screening/_household_row.html",
            {"h": household, "campaign": campaign, "open": True, "can_visit": True, "just_saved": True},
        )
    messages.success(
        request,
        _("已登记走访：%(addr)s · %(result)s") % {"addr": household.address, "result": visit.get_result_display()},
    )
    return redirect("screening:campaign_households", pk=campaign.pk)


# ---------------------------------------------------------------- coverage overview


@login_required
def coverage(request):
    """Screening coverage across the user's jurisdiction, live (htmx refresh)."""
    require_capability(request.user, SCREENING_VIEW)
    overview = selectors.coverage_overview(user=request.user)
    template = "screening/_coverage.html" if request.htmx else "screening/coverage.html"
    return render(request, template, {"overview": overview, "now": timezone.localtime()})


# ---------------------------------------------------------------- returnee-list import


@login_required
def returnee_import(request):
    """Lists of returnees sent down from above go through the shared Excel import
    (fangkong.ledgers) as the kind "returnees" (registered in ``apps.py``)."""
    from fangkong.accounts.roles import SCREENING_IMPORT

    require_capability(request.user, SCREENING_IMPORT)
    return redirect(reverse("ledgers:import") + "?kind=returnees")
