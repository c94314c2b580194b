"""Pages for follow-ups: the grid worker's today page, lists with filters and
Excel export, a follow-up's page with its checks, recording a check, referrals
and care deliveries. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import (
    FOLLOWUPS_EDIT,
    FOLLOWUPS_EXPORT,
    FOLLOWUPS_POLICY,
    FOLLOWUPS_VIEW,
    PEOPLE_VIEW,
    REFERRALS_PICK_UP,
    SCREENING_VIEW,
)
from fangkong.accounts.scoping import get_for_user, has_capability, require_capability
from fangkong.audit.services import record
from fangkong.core.dates import parse_day
from fangkong.core.exports import xlsx_download
from fangkong.core.forms import apply_errors
from fangkong.core.paging import querystring_without_page
from fangkong.core.redirects import safe_next
from fangkong.core.services import status_history
from fangkong.lib.codes import is_code
from fangkong.lib.punctuation import punct
from fangkong.people import number_search
from fangkong.people.models import Person
from fangkong.people.services import describe_place
from fangkong.regions.selectors import DivisionNames, division_names
from fangkong.screening.selectors import arrival_queue, visit_revisits

from . import selectors, services
from .choices import (
    CheckStatus,
    DeliveryStatus,
    FollowUpKind,
    FollowUpStatus,
    ReferralStatus,
)
from .forms import (
    CheckForm,
    DeliveryForm,
    ExtendForm,
    NoteForm,
    OutcomeForm,
    ReasonForm,
    StartForm,
    TakeForm,
    TransferForm,
)
from .models import FollowUp, MeasurePolicy

PAGE_SIZE = 50
TODAY_ITEMS = 8
EXPORT_LIMIT = 100_000


def _require(request, capability, code=None):
    require_capability(request.user, capability, code)


def _next_url(request, default: str) -> str:
    return safe_next(request, default)


def _url(name: str, *args) -> str | None:
    """A link into another app, if that app has the page (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _names(codes) -> dict[str, str]:
    wanted = {c[:12] for c in codes if c} | {c for c in codes if c and len(c) == 15}
    return division_names(wanted)


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _division(request) -> str:
    code = request.GET.get("division", "")[:15]
    return code if is_code(code) else ""


def _error_text(exc) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def _local(ts, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(ts).strftime(fmt) if ts else ""


# ---------------------------------------------------------------- today


@login_required
def today(request):
    """A grid worker's day, in the order they work it: arrivals to handle,
    revisits, checks overdue and due now, escalations, deliveries."""
    user = request.user
    _require(request, FOLLOWUPS_VIEW)
    sections = {}
    screening = has_capability(user, SCREENING_VIEW)
    if screening:
        arrivals = arrival_queue(user=user)
        sections["arrivals"] = {
            "items": list(arrivals[:TODAY_ITEMS]),
            "count": arrivals.count(),
            "all": _url("screening:arrival_list"),
        }
    if screening:
        revisits = visit_revisits(user=user)
        sections["revisits"] = {
            "items": list(revisits[:TODAY_ITEMS]),
            "count": revisits.count(),
            "all": _url("screening:campaign_list"),
        }
    summary = selectors.today_summary(user=user)
    overdue = list(selectors.check_list(user=user, filters=selectors.CheckFilters(state="overdue"))[:TODAY_ITEMS])
    due_now = list(selectors.check_list(user=user, filters=selectors.CheckFilters(state="due_now"))[: TODAY_ITEMS * 2])
    can_edit = has_capability(user, FOLLOWUPS_EDIT)
    # Only what the role can act on: checks, deliveries and confirmations are the
    # community's work; open referrals also a clinic's (it picks them up).
    can_refer = can_edit or has_capability(user, REFERRALS_PICK_UP)
    referrals = list(selectors.referral_list(user=user, status=ReferralStatus.OPEN)[:TODAY_ITEMS]) if can_refer else []
    deliveries = list(selectors.delivery_list(user=user)[:TODAY_ITEMS]) if can_edit else []
    if not can_edit:
        overdue, due_now = [], []
    unapproved = selectors.followup_unapproved(user=user) if can_edit else FollowUp.objects.none()
    return render(
        request,
        "followups/today.html",
        {
            "sections": sections,
            "summary": summary,
            "overdue": overdue,
            "due_now": due_now,
            "referrals": referrals,
            "deliveries": deliveries,
            "now": timezone.now(),
            "unapproved": list(unapproved[:TODAY_ITEMS]),
            "unapproved_count": unapproved.count(),
            "arrival_url": "screening:arrival_detail" if _url("screening:arrival_detail", 1) else "",
            "visit_url": "screening:visit_record" if _url("screening:visit_record", 1, 1) else "",
            "can_edit": can_edit,
            "can_refer": can_refer,
        },
    )


# ---------------------------------------------------------------- follow-ups


def _name_only() -> str:
    return _("这里按姓名或地址查找；证件号码和电话请在“人员”页面的搜索框中查找（不放在网址中）。")


def _followup_filters(request) -> selectors.FollowUpFilters:
    g = request.GET
    status = g.get("status", "open")
    if status not in ("open", "", *FollowUpStatus.values):
        status = "open"
    approval = g.get("approval", "")
    if approval not in ("pending", "overdue"):
        approval = ""
    if status not in ("open", "", *FollowUpStatus.values):
        status = "open"
    return selectors.FollowUpFilters(
        kind=g.get("kind", "") if g.get("kind") in FollowUpKind.values else "",
        status=status,
        division=_division(request),
        q=g.get("q", "")[:50],
        approval=approval,
    )


@login_required
def followup_list(request):
    _require(request, FOLLOWUPS_VIEW)
    refused = number_search.refused(request, _name_only())
    filters = _followup_filters(request)
    page = _page(
        request, FollowUp.objects.none() if refused else selectors.followup_list(user=request.user, filters=filters)
    )
    if filters.q:
        record(request.user, "search", object_type="followups.followup", detail={"kind": "name"}, request=request)
    return render(
        request,
        "followups/followup_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": FollowUpKind.choices,
            "statuses": FollowUpStatus.choices,
            "query": querystring_without_page(request),
            "names": _names(f.division_code for f in page),
            "can_export": has_capability(request.user, FOLLOWUPS_EXPORT),
            "can_edit": has_capability(request.user, FOLLOWUPS_EDIT),
            "today": timezone.localdate(),
        },
        status=400 if refused else 200,
    )


@login_required
def followup_export(request):
    _require(request, FOLLOWUPS_EXPORT)
    if refusal := number_search.refuse_download(request, _name_only()):
        return refusal
    qs = selectors.followup_list(user=request.user, filters=_followup_filters(request))[:EXPORT_LIMIT]
    names = DivisionNames()
    rows = (
        (
            f.person.name,
            f.person.doc_masked,
            f.person.phone_masked,
            names.get(f.division_code[:9], ""),
            names.get(f.division_code[:12], ""),
            f.get_kind_display(),
            f.reason,
            f.site_name or f.place,
            f.start_date.isoformat(),
            f.planned_end.isoformat(),
            f.days,
            f.get_status_display(),
            f.ended_on.isoformat() if f.ended_on else "",
        )
        for f in qs.iterator(chunk_size=2000)
    )
    return xlsx_download(
        request,
        title="隔离与健康监测",
        headers=[
            "姓名",
            "证件号码",
            "电话",
            "乡镇街道",
            "村社区",
            "措施",
            "原因",
            "地点",
            "开始日期",
            "计划解除日期",
            "天数",
            "状态",
            "结束日期",
        ],
        rows=rows,
        kind="followups",
        object_type="followups.followup",
        filename="followups",
    )


def _start_pick(request):
    """The first step of starting a measure: find the person. An ID number or
    phone is searched by POST (``followup_start_search``) and kept in the
    session as its blind index; a GET carrying one is refused (400)."""
    from fangkong.people.selectors import PersonFilters, person_list, search_kind

    if number_search.refused(request, _("证件号码和电话不能放在网址中：请在页面的搜索框中输入后点“查找”。")):
        return render(request, "followups/start_pick.html", {"q": "", "results": []}, status=400)
    blind, masked = number_search.blind_for(request)
    q = "" if blind else request.GET.get("q", "").strip()[:60]
    results = []
    if (q or blind) and has_capability(request.user, PEOPLE_VIEW):
        results = list(person_list(user=request.user, filters=PersonFilters(q=q, blind=blind))[:20])
        record(
            request.user,
            "search",
            object_type="people.person",
            detail={"kind": blind[0] if blind else search_kind(q), "results": len(results)},
            request=request,
        )
    return render(
        request,
        "followups/start_pick.html",
        {"q": q, "results": results, "searching": bool(q or blind), "searched": masked if blind else ""},
    )


@login_required
@require_POST
def followup_start_search(request):
    """The start page's person search: an ID number or phone goes into the
    session as its blind index (people.number_search), a name to ``q``."""
    _require(request, FOLLOWUPS_EDIT)
    return number_search.search_redirect(request, reverse("followups:start"), {})


@login_required
def followup_start(request):
    """Start a measure for a person: pick the person (search), then the measure."""
    _require(request, FOLLOWUPS_EDIT)
    pid = request.GET.get("person") or request.POST.get("person")
    if not (pid and str(pid).isdigit()):
        return _start_pick(request)
    person = get_for_user(Person.objects.select_related("household"), request.user, FOLLOWUPS_EDIT, pk=int(pid))
    current = selectors.followup_open_for_person(user=request.user, person=person)
    form = StartForm(
        request.POST or None,
        initial={
            "kind": FollowUpKind.HOME_QUARANTINE,
            "start_date": timezone.localdate(),
            "place": person.household.address if person.household_id else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            followup = services.followup_start(user=request.user, person=person, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("已开始%(kind)s，已排好 %(n)s 次健康检测。")
                % {"kind": followup.get_kind_display(), "n": followup.checks.count()},
            )
            if followup.unapproved:
                messages.warning(
                    request,
                    _("集中隔离已开始，须由另一名有权限的人员在 %(due)s 前审批确认。")
                    % {"due": _local(followup.approval_due)},
                )
            return redirect("followups:detail", pk=followup.pk)
    policies = {p.kind: p.days for p in MeasurePolicy.objects.all()}
    return render(
        request,
        "followups/start_form.html",
        {
            "form": form,
            "person": person,
            "current": current,
            "policy": [(label, policies.get(k, 14)) for k, label in FollowUpKind.choices],
        },
        status=400 if form.errors else 200,
    )


@login_required
def followup_detail(request, pk: int):
    followup = selectors.followup_get(user=request.user, pk=pk)
    record(request.user, "view", followup, request=request)
    checks = selectors.followup_checks(followup=followup)
    days: dict[dt.date, list] = {}
    for c in checks:
        days.setdefault(c.slot_date, []).append(c)
    from fangkong.approvals.selectors import approval_pending_for

    can_edit = has_capability(request.user, FOLLOWUPS_EDIT, followup.division_code)
    return render(
        request,
        "followups/followup_detail.html",
        {
            "f": followup,
            "days": sorted(days.items()),
            "history": status_history(followup),
            "referrals": followup.referrals.order_by("-opened_at"),
            "deliveries": selectors.delivery_list(user=request.user, status="").filter(person=followup.person)[:20],
            "blockers": services.release_blockers(followup) if followup.is_open else [],
            "pending_release": approval_pending_for(obj=followup, kind=services.RELEASE_KIND),
            "pending_weaken": approval_pending_for(obj=followup, kind=services.WEAKEN_KIND),
            "pending_central": approval_pending_for(obj=followup, kind=services.CENTRAL_KIND)
            if followup.unapproved
            else None,
            "can_edit": can_edit,
            "extend_form": ExtendForm(),
            "release_form": ReasonForm(),
            "transfer_form": TransferForm(initial={"kind": FollowUpKind.CENTRAL_QUARANTINE}),
            "place": describe_place(followup.division_code),
            "now": timezone.now(),
            "done": sum(1 for c in checks if c.status == CheckStatus.DONE),
            "total": sum(1 for c in checks if c.status in (CheckStatus.DONE, CheckStatus.DUE)),
        },
    )


def _followup_action(request, pk, form_class, call, success):
    followup = selectors.followup_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
        return redirect("followups:detail", pk=followup.pk)
    try:
        result = call(followup, form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return redirect("followups:detail", pk=followup.pk)
    messages.success(request, success(result))
    if isinstance(result, FollowUp) and result.unapproved and result.pk != followup.pk:
        messages.warning(
            request,
            _("集中隔离已开始，须由另一名有权限的人员在 %(due)s 前审批确认。") % {"due": _local(result.approval_due)},
        )
    return redirect("followups:detail", pk=result.pk if isinstance(result, FollowUp) else followup.pk)


@login_required
@require_POST
def followup_extend(request, pk: int):
    return _followup_action(
        request,
        pk,
        ExtendForm,
        lambda f, d: services.followup_extend(user=request.user, followup=f, request=request, **d),
        lambda f: _("已延长，新的解除日期：%(date)s。") % {"date": f.planned_end.isoformat()},
    )


@login_required
@require_POST
def followup_transfer(request, pk: int):
    return _followup_action(
        request,
        pk,
        TransferForm,
        lambda f, d: services.followup_transfer(user=request.user, followup=f, request=request, **d),
        lambda r: (
            _("已转为%(kind)s。") % {"kind": r.get_kind_display()}
            if isinstance(r, FollowUp)
            else _("减轻或缩短措施须由另一名有权限的人员审批：已提交申请，批准前措施不变。")
        ),
    )


@login_required
@require_POST
def followup_release(request, pk: int):
    return _followup_action(
        request,
        pk,
        ReasonForm,
        lambda f, d: services.followup_release_request(user=request.user, followup=f, request=request, **d),
        lambda a: _("已提交解除申请，需由另一名有权限的人员（如社区负责人）审批。"),
    )


# ---------------------------------------------------------------- health checks


def _check_filters(request) -> selectors.CheckFilters:
    state = request.GET.get("state", "overdue")
    if state not in selectors.CHECK_STATES:
        state = "overdue"
    day = parse_day(request.GET["day"]) if request.GET.get("day") else None  # else a 400 with the reason
    return selectors.CheckFilters(state=state, division=_division(request), day=day)


CHECK_STATE_LABELS = {
    "overdue": gettext_noop("逾期未测"),
    "due_now": gettext_noop("当前时段待测"),
    "due_today": gettext_noop("今日稍后"),
    "done": gettext_noop("已完成"),
    "late": gettext_noop("补录"),
}


@login_required
def check_list(request):
    _require(request, FOLLOWUPS_VIEW)
    filters = _check_filters(request)
    page = _page(request, selectors.check_list(user=request.user, filters=filters))
    return render(
        request,
        "followups/check_list.html",
        {
            "page": page,
            "filters": filters,
            "states": [(k, _(v)) for k, v in CHECK_STATE_LABELS.items()],
            "query": querystring_without_page(request),
            "names": _names(c.division_code for c in page),
            "can_export": has_capability(request.user, FOLLOWUPS_EXPORT),
            "now": timezone.now(),
            "can_edit": has_capability(request.user, FOLLOWUPS_EDIT),
        },
    )


@login_required
def check_export(request):
    _require(request, FOLLOWUPS_EXPORT)
    filters = _check_filters(request)
    qs = selectors.check_list(user=request.user, filters=filters)[:EXPORT_LIMIT]
    names = DivisionNames()
    rows = (
        (
            c.followup.person.name,
            c.followup.person.doc_masked,
            c.followup.person.phone_masked,
            names.get(c.division_code[:12], ""),
            c.followup.get_kind_display(),
            c.slot_date.isoformat(),
            _("上午") if c.slot == 0 else _("下午") if c.slot == 1 else str(c.slot + 1),
            _local(c.window_end, "%H:%M"),
            c.get_status_display(),
            str(c.temperature) if c.temperature is not None else "",
            "、".join(c.symptom_labels()),
            _local(c.recorded_at),
            _("是") if c.late else "",
        )
        for c in qs.iterator(chunk_size=2000)
    )
    return xlsx_download(
        request,
        title=f"健康检测-{CHECK_STATE_LABELS[filters.state]}",
        headers=[
            "姓名",
            "证件号码",
            "电话",
            "村社区",
            "措施",
            "日期",
            "时段",
            "截止",
            "状态",
            "体温",
            "症状",
            "登记时间",
            "补录",
        ],
        rows=rows,
        kind=f"checks:{filters.state}",
        object_type="followups.healthcheck",
        filename="health-checks",
    )


@login_required
def check_record(request, pk: int):
    check = selectors.check_get(user=request.user, pk=pk)
    _require(request, FOLLOWUPS_EDIT, check.division_code)
    default_next = reverse("followups:today")
    form = CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            check, created = services.health_check_record(
                user=request.user,
                check=check,
                temperature=d["temperature"],
                symptoms=d["symptoms"],
                note=d["note"],
                client_key=d["client_key"] or None,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            abnormal = services.is_abnormal(check.temperature, check.symptom_list())
            if abnormal:
                messages.warning(
                    request,
                    _("%(name)s 体温 %(t)s ℃%(s)s：已生成发热门诊转诊，请尽快处理。")
                    % {
                        "name": check.followup.person.name,
                        "t": check.temperature,
                        "s": punct("，") + punct("、").join(check.symptom_labels()) if check.symptoms else "",
                    },
                )
            elif created:
                messages.success(
                    request,
                    _("已登记 %(name)s %(t)s ℃%(late)s。")
                    % {
                        "name": check.followup.person.name,
                        "t": check.temperature,
                        "late": _("（补录）") if check.late else "",
                    },
                )
            else:
                messages.info(request, _("这次检测已经登记过了。"))
            return redirect(_next_url(request, default_next))
    return render(
        request,
        "followups/check_form.html",
        {
            "form": form,
            "check": check,
            "f": check.followup,
            "now": timezone.now(),
            "next": _next_url(request, default_next),
        },
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- referrals


def _referral_status(request) -> str:
    status = request.GET.get("status", "active")
    return status if status in ("active", "", *ReferralStatus.values) else "active"


@login_required
def referral_list(request):
    _require(request, FOLLOWUPS_VIEW)
    status = _referral_status(request)
    page = _page(request, selectors.referral_list(user=request.user, status=status, division=_division(request)))
    return render(
        request,
        "followups/referral_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ReferralStatus.choices,
            "query": querystring_without_page(request),
            "names": _names(r.division_code for r in page),
            "can_export": has_capability(request.user, FOLLOWUPS_EXPORT),
        },
    )


@login_required
def referral_export(request):
    _require(request, FOLLOWUPS_EXPORT)
    qs = selectors.referral_list(user=request.user, status=_referral_status(request), division=_division(request))[
        :EXPORT_LIMIT
    ]
    names = DivisionNames()
    rows = (
        (
            r.person.name,
            r.person.doc_masked,
            r.person.phone_masked,
            names.get(r.division_code[:12], ""),
            r.reason,
            str(r.temperature) if r.temperature is not None else "",
            r.checks_count,
            r.get_status_display(),
            _local(r.opened_at),
            _local(r.closed_at),
            r.outcome,
        )
        for r in qs.iterator(chunk_size=2000)
    )
    return xlsx_download(
        request,
        title="发热门诊转诊",
        headers=[
            "姓名",
            "证件号码",
            "电话",
            "村社区",
            "转诊原因",
            "最高体温",
            "异常次数",
            "状态",
            "发起时间",
            "关闭时间",
            "处理结果",
        ],
        rows=rows,
        kind="referrals",
        object_type="followups.referral",
        filename="referrals",
    )


@login_required
def referral_detail(request, pk: int):
    referral = selectors.referral_get(user=request.user, pk=pk)
    record(request.user, "view", referral, request=request)
    can_close = (
        referral.status == ReferralStatus.OPEN and has_capability(request.user, FOLLOWUPS_EDIT, referral.division_code)
    ) or (
        referral.status == ReferralStatus.PICKED_UP
        and has_capability(request.user, REFERRALS_PICK_UP, referral.division_code)
    )
    return render(
        request,
        "followups/referral_detail.html",
        {
            "r": referral,
            "history": status_history(referral),
            "form": OutcomeForm(),
            "can_close": can_close,
            "can_pick_up": referral.status == ReferralStatus.OPEN
            and has_capability(request.user, REFERRALS_PICK_UP, referral.division_code),
        },
    )


@login_required
@require_POST
def referral_close(request, pk: int):
    referral = selectors.referral_get(user=request.user, pk=pk)
    form = OutcomeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写处理结果。"))
        services.referral_close(
            user=request.user, referral=referral, outcome=form.cleaned_data["outcome"], request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("转诊已关闭。"))
    return redirect(_next_url(request, reverse("followups:referral_detail", args=[referral.pk])))


@login_required
@require_POST
def referral_pick_up(request, pk: int):
    referral = selectors.referral_get(user=request.user, pk=pk)
    try:
        services.referral_pick_up(
            user=request.user, referral=referral, note=request.POST.get("note", ""), request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已接收转诊。"))
    return redirect("followups:referral_detail", pk=referral.pk)


# ---------------------------------------------------------------- deliveries


def _delivery_status(request) -> str:
    status = request.GET.get("status", "open")
    return status if status in ("open", "", *DeliveryStatus.values) else "open"


@login_required
def delivery_list(request):
    _require(request, FOLLOWUPS_VIEW)
    status, overdue = _delivery_status(request), request.GET.get("overdue") == "1"
    page = _page(
        request, selectors.delivery_list(user=request.user, status=status, division=_division(request), overdue=overdue)
    )
    return render(
        request,
        "followups/delivery_list.html",
        {
            "page": page,
            "status": status,
            "overdue": overdue,
            "statuses": DeliveryStatus.choices,
            "query": querystring_without_page(request),
            "names": _names(d.division_code for d in page),
            "can_export": has_capability(request.user, FOLLOWUPS_EXPORT),
            "now": timezone.now(),
            "can_edit": has_capability(request.user, FOLLOWUPS_EDIT),
        },
    )


@login_required
def delivery_export(request):
    _require(request, FOLLOWUPS_EXPORT)
    qs = selectors.delivery_list(
        user=request.user,
        status=_delivery_status(request),
        division=_division(request),
        overdue=request.GET.get("overdue") == "1",
    )[:EXPORT_LIMIT]
    names = DivisionNames()
    rows = (
        (
            d.person.name,
            d.person.phone_masked,
            names.get(d.division_code[:12], ""),
            d.get_category_display(),
            d.items,
            _local(d.needed_by),
            d.get_status_display(),
            d.volunteer_name or (d.taken_by.display() if d.taken_by else ""),
            _local(d.delivered_at),
            d.note,
        )
        for d in qs.iterator(chunk_size=2000)
    )
    return xlsx_download(
        request,
        title="生活物资配送",
        headers=["姓名", "电话", "村社区", "类别", "物品", "需送达时间", "状态", "配送人", "送达时间", "备注"],
        rows=rows,
        kind="deliveries",
        object_type="followups.deliveryrequest",
        filename="deliveries",
    )


@login_required
def delivery_create(request):
    _require(request, FOLLOWUPS_EDIT)
    pid = request.GET.get("person") or request.POST.get("person") or ""
    if not pid.isdigit():
        messages.error(request, _("请从人员或隔离对象页面发起配送需求。"))
        return redirect("followups:deliveries")
    person = get_for_user(Person.objects.all(), request.user, FOLLOWUPS_EDIT, pk=int(pid))
    initial_needed = timezone.localtime() + dt.timedelta(hours=4)
    form = DeliveryForm(
        request.POST or None, initial={"category": "food", "needed_by": initial_needed.strftime("%Y-%m-%dT%H:%M")}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            delivery, _created = services.delivery_request_create(
                user=request.user,
                person=person,
                category=d["category"],
                items=d["items"],
                needed_by=d["needed_by"],
                note=d["note"],
                client_key=d["client_key"] or None,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记配送需求。"))
            return redirect("followups:delivery_detail", pk=delivery.pk)
    return render(
        request, "followups/delivery_form.html", {"form": form, "person": person}, status=400 if form.errors else 200
    )


@login_required
def delivery_detail(request, pk: int):
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    return render(
        request,
        "followups/delivery_detail.html",
        {
            "d": delivery,
            "history": status_history(delivery),
            "take_form": TakeForm(),
            "note_form": NoteForm(),
            "cancel_form": ReasonForm(),
            "now": timezone.now(),
            "can_edit": has_capability(request.user, FOLLOWUPS_EDIT, delivery.division_code),
        },
    )


def _delivery_action(request, pk, call, success):
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    try:
        call(delivery)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, success)
    return redirect(_next_url(request, reverse("followups:delivery_detail", args=[delivery.pk])))


@login_required
@require_POST
def delivery_take(request, pk: int):
    return _delivery_action(
        request,
        pk,
        lambda d: services.delivery_take(
            user=request.user, delivery=d, volunteer_name=request.POST.get("volunteer_name", ""), request=request
        ),
        _("已接单。"),
    )


@login_required
@require_POST
def delivery_deliver(request, pk: int):
    return _delivery_action(
        request,
        pk,
        lambda d: services.delivery_mark_delivered(
            user=request.user, delivery=d, note=request.POST.get("note", ""), request=request
        ),
        _("已标记送达。"),
    )


@login_required
@require_POST
def delivery_cancel(request, pk: int):
    return _delivery_action(
        request,
        pk,
        lambda d: services.delivery_cancel(
            user=request.user, delivery=d, reason=request.POST.get("reason", ""), request=request
        ),
        _("已取消。"),
    )


# ---------------------------------------------------------------- policy


@login_required
def policy(request):
    """HQ: how many days each measure lasts from now on."""
    can_edit = has_capability(request.user, FOLLOWUPS_POLICY)
    if not has_capability(request.user, FOLLOWUPS_VIEW):
        raise PermissionDenied
    if request.method == "POST":
        _require(request, FOLLOWUPS_POLICY)
        try:
            for kind in FollowUpKind.values:
                value = request.POST.get(kind, "")
                if value.strip():
                    if not value.strip().isdigit():
                        raise ValidationError(_("天数应为整数。"))
                    services.measure_policy_set(user=request.user, kind=kind, days=int(value), request=request)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("已保存，新开始的措施按新天数执行。"))
        return redirect("followups:policy")
    return render(
        request,
        "followups/policy.html",
        {"rows": [(k, label, services.policy_days(k)) for k, label in FollowUpKind.choices], "can_edit": can_edit},
    )
