"""Pages for checkpoints. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import (
    CHECKPOINTS_MANAGE,
    CHECKPOINTS_REGISTER,
    CHECKPOINTS_VIEW,
    RISK_AREAS_EDIT,
)
from fangkong.accounts.scoping import has_capability
from fangkong.audit.services import record
from fangkong.core import throttle
from fangkong.core.dates import parse_day
from fangkong.core.exports import xlsx_download
from fangkong.core.forms import apply_errors
from fangkong.core.paging import querystring_without_page
from fangkong.core.services import status_history
from fangkong.regions.models import Division
from fangkong.regions.selectors import city_place_named, division_names, places_user_may_manage

from . import selectors, services
from .choices import Direction, Level, Outcome, Purpose, Status
from .forms import (
    CheckpointEditForm,
    CheckpointForm,
    HandoverForm,
    PassageForm,
    RecheckForm,
    RiskAreaForm,
    ShiftForm,
    StatusForm,
    WorkNormForm,
)
from .guidance import next_steps
from .models import Checkpoint, Passage, RiskArea, WorkNorm
from .origins import origin_list

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def _require_view(user) -> None:
    if not has_capability(user, CHECKPOINTS_VIEW):
        raise PermissionDenied


def _parse_day(value: str | None) -> dt.date:
    """Today by default; a malformed or out-of-range day is a 400 page with the reason."""
    return parse_day(value) if value else timezone.localdate()


# ---------------------------------------------------------------- registry


@login_required
def checkpoint_list(request):
    _require_view(request.user)
    g = request.GET
    filters = selectors.CheckpointFilters(
        q=g.get("q", "")[:50], level=g.get("level", ""), status=g.get("status", ""), division=g.get("division", "")[:15]
    )
    page = Paginator(selectors.checkpoint_list(user=request.user, filters=filters), PAGE_SIZE).get_page(g.get("page"))
    names = division_names(c.division_code for c in page)
    return render(
        request,
        "checkpoints/checkpoint_list.html",
        {
            "page": page,
            "filters": filters,
            "levels": Level.choices,
            "statuses": Status.choices,
            "names": names,
            "query": querystring_without_page(request),
            "can_manage": has_capability(request.user, CHECKPOINTS_MANAGE),
            "can_edit_risk": has_capability(request.user, RISK_AREAS_EDIT),
        },
    )


def _manageable_places(user) -> list[Division]:
    return places_user_may_manage(user, CHECKPOINTS_MANAGE, levels=["city", "county", "township"], limit=200)


@login_required
def checkpoint_create(request):
    if not has_capability(request.user, CHECKPOINTS_MANAGE):
        raise PermissionDenied
    form = CheckpointForm(request.POST or None, initial={"division_code": request.GET.get("division", "")})
    if request.method == "POST" and form.is_valid():
        try:
            cp = services.checkpoint_create(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已设立卡点“%(name)s”。请排班。") % {"name": cp.name})
            return redirect("checkpoints:detail", pk=cp.pk)
    return render(
        request,
        "checkpoints/checkpoint_form.html",
        {"form": form, "places": _manageable_places(request.user)},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def checkpoint_edit(request, pk: int):
    cp = selectors.checkpoint_get(user=request.user, pk=pk)
    if not has_capability(request.user, CHECKPOINTS_MANAGE, cp.division_code):
        raise PermissionDenied
    initial = {"name": cp.name, "kind": cp.kind, "location": cp.location, "note": cp.note}
    form = CheckpointEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkpoint_update(actor=request.user, checkpoint=cp, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("checkpoints:detail", pk=cp.pk)
    return render(
        request,
        "checkpoints/checkpoint_form.html",
        {"form": form, "checkpoint": cp},
        status=400 if form.is_bound and form.errors else 200,
    )


def _checkpoint_counts(cp: Checkpoint, day: dt.date) -> dict[str, int]:
    from django.db.models import Count, Q

    return Passage.objects.filter(checkpoint=cp, registered_on=day).aggregate(
        total=Count("pk"),
        inbound=Count("pk", filter=Q(direction=Direction.IN)),
        outbound=Count("pk", filter=Q(direction=Direction.OUT)),
        flagged=Count("pk", filter=Q(fever=True) | Q(risk_area=True)),
    )


@login_required
def checkpoint_detail(request, pk: int):
    cp = selectors.checkpoint_get(user=request.user, pk=pk)
    now = timezone.now()
    upcoming = selectors.shifts_between(checkpoint=cp, start=now, end=now + dt.timedelta(hours=48))
    on_duty = [s for s in upcoming if s.starts_at <= now < s.ends_at]
    return render(
        request,
        "checkpoints/checkpoint_detail.html",
        {
            "cp": cp,
            "place": selectors.destination_describe(cp.division_code),
            "on_duty": on_duty,
            "upcoming": upcoming,
            "gaps": selectors.roster_gaps(checkpoint=cp, start=now, shifts=upcoming),
            "history": status_history(cp),
            "counts": _checkpoint_counts(cp, timezone.localdate()),
            "recent_shifts": list(cp.shifts.filter(ends_at__lte=now).order_by("-starts_at")[:5]),
            "can_manage": has_capability(request.user, CHECKPOINTS_MANAGE, cp.division_code),
            "can_register": has_capability(request.user, CHECKPOINTS_REGISTER, cp.division_code),
            "status_form": StatusForm(),
            "status_labels": dict(Status.choices),
        },
    )


@login_required
@require_POST
def checkpoint_status(request, pk: int):
    cp = selectors.checkpoint_get(user=request.user, pk=pk)
    to_status = request.POST.get("to_status", "")
    try:
        services.checkpoint_status_change(
            actor=request.user,
            checkpoint=cp,
            to_status=to_status,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("卡点状态已改为“%(s)s”。") % {"s": Status(to_status).label})
    return redirect("checkpoints:detail", pk=cp.pk)


# ---------------------------------------------------------------- roster


def _shift_form_page(request, cp, form, shift=None):
    return render(
        request,
        "checkpoints/shift_form.html",
        {"cp": cp, "form": form, "shift": shift},
        status=400 if form.is_bound and form.errors else 200,
    )


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@login_required
def shift_create(request, pk: int):
    cp = selectors.checkpoint_get(user=request.user, pk=pk)
    if not has_capability(request.user, CHECKPOINTS_MANAGE, cp.division_code):
        raise PermissionDenied
    candidates = selectors.shift_staff_candidates(checkpoint=cp)
    start = request.GET.get("start")
    initial = {}
    if start:
        try:
            s = timezone.localtime(dt.datetime.fromisoformat(start))
            initial = {"starts_at": s, "ends_at": s + dt.timedelta(hours=8)}
        except ValueError:
            pass
    form = ShiftForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.shift_create(
                actor=request.user,
                checkpoint=cp,
                starts_at=_aware(d["starts_at"]),
                ends_at=_aware(d["ends_at"]),
                staff_ids=d["staff"],
                volunteers=d["volunteers"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已排班。"))
            return redirect("checkpoints:detail", pk=cp.pk)
    return _shift_form_page(request, cp, form)


@login_required
def shift_edit(request, pk: int):
    shift = selectors.shift_get(user=request.user, pk=pk)
    cp = shift.checkpoint
    if not has_capability(request.user, CHECKPOINTS_MANAGE, cp.division_code):
        raise PermissionDenied
    candidates = selectors.shift_staff_candidates(checkpoint=cp)
    initial = {
        "starts_at": timezone.localtime(shift.starts_at),
        "ends_at": timezone.localtime(shift.ends_at),
        "staff": [str(u.pk) for u in shift.staff.all()],
        "volunteers": shift.volunteers,
    }
    form = ShiftForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.shift_update(
                actor=request.user,
                shift=shift,
                starts_at=_aware(d["starts_at"]),
                ends_at=_aware(d["ends_at"]),
                staff_ids=d["staff"],
                volunteers=d["volunteers"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("checkpoints:shift", pk=shift.pk)
    return _shift_form_page(request, cp, form, shift)


@login_required
def shift_detail(request, pk: int):
    shift = selectors.shift_get(user=request.user, pk=pk)
    cp = shift.checkpoint
    ticks = {c.norm_id: c for c in shift.checks.select_related("checked_by")}
    norms = selectors.work_norms(level=cp.level)
    retired = [c for nid, c in ticks.items() if nid not in {n.pk for n in norms}]
    may_write = has_capability(request.user, CHECKPOINTS_REGISTER, cp.division_code) or has_capability(
        request.user, CHECKPOINTS_MANAGE, cp.division_code
    )
    return render(
        request,
        "checkpoints/shift_detail.html",
        {
            "shift": shift,
            "cp": cp,
            "items": [(n, ticks.get(n.pk)) for n in norms],
            "retired": retired,
            "handover_form": HandoverForm(initial={"handover_note": shift.handover_note}),
            "may_write": may_write,
            "can_manage": has_capability(request.user, CHECKPOINTS_MANAGE, cp.division_code),
            "done": sum(1 for n in norms if n.pk in ticks),
            "total": len(norms),
        },
    )


@login_required
@require_POST
def shift_check(request, pk: int):
    shift = selectors.shift_get(user=request.user, pk=pk)
    try:
        norm = WorkNorm.objects.get(pk=int(request.POST.get("norm", "0") or 0))
    except (WorkNorm.DoesNotExist, ValueError):
        raise Http404 from None
    try:
        services.shift_check(
            actor=request.user, shift=shift, norm=norm, checked=request.POST.get("checked") == "1", request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("checkpoints:shift", kwargs={"pk": shift.pk}) + "#checklist")


@login_required
@require_POST
def shift_handover(request, pk: int):
    shift = selectors.shift_get(user=request.user, pk=pk)
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            services.shift_handover(
                actor=request.user, shift=shift, note=form.cleaned_data["handover_note"], request=request
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("交接班记录已保存。"))
    return redirect("checkpoints:shift", pk=shift.pk)


@login_required
@require_POST
def shift_delete(request, pk: int):
    shift = selectors.shift_get(user=request.user, pk=pk)
    cp_pk = shift.checkpoint_id
    try:
        services.shift_delete(actor=request.user, shift=shift, reason=request.POST.get("reason", ""), request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("checkpoints:shift", pk=shift.pk)
    messages.success(request, _("班次已删除。"))
    return redirect("checkpoints:detail", pk=cp_pk)


# ---------------------------------------------------------------- registering passages


def new_client_key() -> str:
    return uuid.uuid4().hex


def registration_result(passages: list[Passage], *, retried: bool) -> dict:
    """What the screen shows after a registration: who, the flags, and what to do next."""
    first = passages[0]
    return {
        "passages": passages,
        "flagged": any(p.flagged for p in passages),
        "retried": retried,
        "steps": next_steps(
            fever=any(p.fever for p in passages),
            risk_level="high"
            if any(p.risk_level == "high" for p in passages)
            else ("medium" if any(p.risk_area for p in passages) else ""),
            inbound=first.direction == Direction.IN,
            destination_name=first.destination_name,
            arrival_queued=any(p.arrival_id for p in passages),
        ),
    }


def _registration_context(
    request,
    cp: Checkpoint,
    form: PassageForm,
    *,
    last: list[Passage] | None = None,
    passenger_errors: dict[int, dict[str, list[str]]] | None = None,
    retried: bool = False,
) -> dict:
    rows = form.passenger_rows() if form.is_bound and hasattr(form, "cleaned_data") else []
    count = len(rows)
    if form.is_bound and request.POST.get("action") == "add_passenger":
        count = min(count + 1, 12)
    while len(rows) < count:
        rows.append({"index": len(rows), "doc_number": "", "name": "", "phone": "", "temperature": ""})
    for row in rows:
        row["errors"] = (passenger_errors or {}).get(row["index"], {})
    result = registration_result(last, retried=retried) if last else None
    default_destination = cp.division_code if cp.level == Level.COMMUNITY and len(cp.division_code) >= 12 else ""
    return {
        "cp": cp,
        "form": form,
        "rows": rows,
        "result": result,
        "origins": origin_list,  # used on a cache miss only
        # A fresh key for each empty form; a form sent back with errors keeps its own.
        "client_key": (form.data.get("client_key") or "")[:64] if form.is_bound else new_client_key(),
        "purposes": Purpose.choices,
        "directions": Direction.choices,
        "default_destination": default_destination,
        "default_destination_name": selectors.destination_describe(default_destination) if default_destination else "",
    }


def _form_response(request, cp: Checkpoint, form: PassageForm, *, status: int = 200, **extra):
    """The registration page again (a passenger row added, or errors to fix).
    From the page's script (htmx) only the form is sent back, to replace itself."""
    context = _registration_context(request, cp, form, **extra)
    if request.htmx:
        context["clear_result"] = True  # the last person's result must not stand over this form
        response = render(request, "checkpoints/_passage_form.html", context, status=422 if status == 400 else status)
        response["HX-Retarget"] = "#reg-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "checkpoints/passage_register.html", context, status=status)


@login_required
def passage_register(request, pk: int):
    """The one-screen registration page (a carload in one go).

    Without scripts: POST, then a redirect to the page showing the result and
    an empty form. With the page's script (htmx) a registration is one
    request: the answer is the result alone, with the next client key; the
    script empties the fields for the next person."""
    cp = selectors.checkpoint_get(user=request.user, pk=pk)
    if not has_capability(request.user, CHECKPOINTS_REGISTER, cp.division_code):
        raise PermissionDenied
    if request.method != "POST":
        last, retried = [], False
        group = request.GET.get("done", "")
        if group.isdigit():
            p = Passage.objects.filter(pk=int(group), checkpoint=cp).first()
            if p is not None:
                last = (
                    list(Passage.objects.filter(vehicle_group=p.vehicle_group).order_by("id"))
                    if p.vehicle_group
                    else [p]
                )
                retried = request.GET.get("again") == "1"
        initial = {
            "direction": request.GET.get("direction") or Direction.IN,
            "plate_province": request.GET.get("pp", "豫"),
        }
        if last:
            initial["direction"] = last[0].direction
        form = PassageForm(initial=initial)
        return render(
            request,
            "checkpoints/passage_register.html",
            _registration_context(request, cp, form, last=last, retried=retried),
        )
    form = PassageForm(request.POST)
    form.is_valid()  # every field is optional here; the service says what is missing
    if request.POST.get("action") == "add_passenger":
        return _form_response(request, cp, form)
    destination = form.destination_value()
    if destination and not destination.isdigit() and form.cleaned_data.get("direction") == Direction.IN:
        # A community typed by name (no script picked its code): find it by name.
        place = city_place_named(destination)
        destination = place.code if place else destination
    main, passengers, indexes = form.to_input(destination=destination)
    try:
        reg = services.passage_register(
            actor=request.user, checkpoint=cp, passage=main, passengers=passengers, request=request
        )
    except ValidationError as exc:
        passenger_errors: dict[int, dict[str, list[str]]] = {}
        main_errors: dict[str, list[str]] = {}
        for key, msgs in exc.message_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.messages)]:
            if key.startswith("passengers."):
                _p, n, field = key.split(".", 2)
                passenger_errors.setdefault(indexes[int(n)], {})[field] = msgs
            else:
                main_errors[key] = msgs
        if main_errors:
            apply_errors(form, ValidationError(main_errors))
        if passenger_errors and not main_errors:
            form.add_error(None, _("同车人员信息有误，请检查下方标红的行。"))
        return _form_response(request, cp, form, status=400, passenger_errors=passenger_errors)
    if request.htmx:
        response = render(
            request,
            "checkpoints/_passage_result.html",
            {"result": registration_result(reg.passages, retried=not reg.created), "next_client_key": new_client_key()},
        )
        response["HX-Trigger"] = "passage-registered"
        return response
    query = f"?done={reg.first.pk}&direction={reg.first.direction}&pp={form.cleaned_data.get('plate_province', '')}"
    if not reg.created:
        query += "&again=1"
    return redirect(reverse("checkpoints:register", kwargs={"pk": cp.pk}) + query + "#result")


# A checkpoint registers a few hundred people a day; this many lookups in ten
# minutes from one account is somebody walking through ID numbers.
LOOKUPS_PER_10_MINUTES = 300


def _lookup_limit() -> throttle.Limit:
    # Counted in the database (core.throttle): every server process shares the limit.
    return throttle.Limit(
        "checkpoint.lookup",
        LOOKUPS_PER_10_MINUTES,
        600,
        gettext_lazy("身份证查询过于频繁：每10分钟最多 %(cap)s 次，请 %(seconds)s 秒后再试。"),
    )


@login_required
@require_POST
def person_lookup(request):
    """htmx: what the ID number says (sex, birth date) and, for a registered
    person, the name and masked phone. Exact number only; audited as a search."""
    if not has_capability(request.user, CHECKPOINTS_REGISTER):
        raise PermissionDenied
    # POST, so that the number never appears in a URL or an access log.
    number = (request.POST.get("doc_number") or "").strip()[:40]
    if len("".join(number.split())) < 18:
        return HttpResponse("")
    try:
        throttle.hit(str(request.user.pk), _lookup_limit())
    except throttle.Throttled as exc:
        return HttpResponse(str(exc), status=429, headers={"Retry-After": str(exc.retry_after)})
    hint = selectors.person_hint(doc_number=number)
    if hint.valid:
        record(
            request.user,
            "search",
            object_type="people.person",
            detail={"kind": "doc", "results": int(hint.known), "via": "checkpoint"},
            request=request,
        )
    return render(request, "checkpoints/_person_hint.html", {"hint": hint})


@login_required
def destination_lookup(request):
    """Search-as-you-type over every community of the city (names only)."""
    if not has_capability(request.user, CHECKPOINTS_REGISTER) and not has_capability(request.user, CHECKPOINTS_VIEW):
        raise PermissionDenied
    q = request.GET.get("destination_text") or request.GET.get("q") or ""
    results = selectors.destination_search(q=q)
    if request.headers.get("HX-Request"):
        return render(request, "checkpoints/_destinations.html", {"results": results, "q": q})
    return JsonResponse({"results": results})


# ---------------------------------------------------------------- passages


def _passage_filters(request) -> selectors.PassageFilters:
    g = request.GET
    return selectors.PassageFilters(
        day=_parse_day(g.get("day")),
        direction=g.get("direction", ""),
        flagged=g.get("flagged") == "1",
        plate=g.get("plate", "")[:12],
    )


@login_required
def passage_list(request, pk: int):
    cp = selectors.checkpoint_get(user=request.user, pk=pk)
    filters = _passage_filters(request)
    qs = selectors.passage_list(user=request.user, checkpoint=cp, filters=filters).only(
        "id",
        "registered_at",
        "direction",
        "name",
        "doc_masked",
        "phone_masked",
        "plate",
        "origin_name",
        "destination_name",
        "temperature",
        "fever",
        "risk_area",
        "risk_level",
        "vehicle_group",
        "arrival_id",
        "outcome",
        "division_code",
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    if filters.plate:
        record(
            request.user,
            "search",
            object_type="checkpoints.passage",
            division_code=cp.division_code,
            detail={"kind": "plate", "results": len(page.object_list)},
            request=request,
        )
    return render(
        request,
        "checkpoints/passage_list.html",
        {
            "cp": cp,
            "page": page,
            "filters": filters,
            "query": querystring_without_page(request),
            "counts": _checkpoint_counts(cp, filters.day),
            "can_export": has_capability(request.user, CHECKPOINTS_MANAGE, cp.division_code),
            "prev_day": filters.day - dt.timedelta(days=1),
            "next_day": filters.day + dt.timedelta(days=1),
        },
    )


@login_required
def passage_export(request, pk: int):
    cp = selectors.checkpoint_get(user=request.user, pk=pk)
    if not has_capability(request.user, CHECKPOINTS_MANAGE, cp.division_code):
        raise PermissionDenied
    filters = _passage_filters(request)
    qs = selectors.passage_list(user=request.user, checkpoint=cp, filters=filters)[:EXPORT_LIMIT]

    def rows():
        for p in qs.iterator(chunk_size=2000):
            yield (
                timezone.localtime(p.registered_at).strftime("%Y-%m-%d %H:%M"),
                p.get_direction_display(),
                p.name,
                p.get_sex_display(),
                p.doc_masked,
                p.phone_masked,
                p.plate,
                p.origin_name,
                p.destination_name,
                float(p.temperature),
                _("是") if p.fever else "",
                p.get_risk_level_display() if p.risk_area else "",
                p.get_purpose_display(),
                p.get_outcome_display() if p.outcome else "",
                str(p.vehicle_group or "")[:8],
            )

    headers = [
        _("登记时间"),
        _("方向"),
        _("姓名"),
        _("性别"),
        _("证件号码"),
        _("电话"),
        _("车牌号"),
        _("来源地"),
        _("目的地"),
        _("体温"),
        _("发热"),
        _("风险地区"),
        _("事由"),
        _("处置结果"),
        _("同车组"),
    ]
    return xlsx_download(
        request,
        title=f"{cp.name}通行登记"[:31],
        headers=headers,
        rows=rows(),
        kind="passages",
        object_type="checkpoints.passage",
        division_code=cp.division_code,
        detail={"checkpoint": cp.pk},
        filename=f"passages-{cp.pk}",
        on=filters.day,
    )


@login_required
def passage_detail(request, pk: int):
    passage = selectors.passage_get(user=request.user, pk=pk)
    record(request.user, "view", passage, request=request)
    group = (
        list(
            Passage.objects.filter(vehicle_group=passage.vehicle_group)
            .exclude(pk=passage.pk)
            .only("id", "name", "doc_masked", "temperature", "fever", "risk_area")
        )
        if passage.vehicle_group
        else []
    )
    steps = next_steps(
        fever=passage.fever,
        risk_level=passage.risk_level,
        inbound=passage.direction == Direction.IN,
        destination_name=passage.destination_name,
        arrival_queued=bool(passage.arrival_id),
    )
    return render(
        request,
        "checkpoints/passage_detail.html",
        {
            "p": passage,
            "cp": passage.checkpoint,
            "group": group,
            "steps": steps,
            "destination_place": selectors.destination_describe(passage.destination_code)
            if passage.destination_code[:4] == settings.FANGKONG_CITY_CODE
            else passage.destination_name,
            "recheck_form": RecheckForm(),
            "outcomes": Outcome.choices,
            "can_register": has_capability(request.user, CHECKPOINTS_REGISTER, passage.division_code),
        },
    )


@login_required
@require_POST
def passage_recheck(request, pk: int):
    passage = selectors.passage_get(user=request.user, pk=pk)
    try:
        services.passage_recheck(
            actor=request.user,
            passage=passage,
            temperature=request.POST.get("temperature"),
            outcome=request.POST.get("outcome", ""),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("复测结果已记录。"))
    return redirect("checkpoints:passage", pk=passage.pk)


# ---------------------------------------------------------------- risk areas and norms


@login_required
def risk_area_list(request):
    _require_view(request.user)
    can_edit = has_capability(request.user, RISK_AREAS_EDIT)
    form = RiskAreaForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.risk_area_create(actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已加入风险地区名单。"))
                return redirect("checkpoints:risk_areas")
    today = timezone.localdate()
    areas = selectors.risk_area_list(day=today, include_past=request.GET.get("all") == "1")
    return render(
        request,
        "checkpoints/risk_areas.html",
        {
            "areas": [(a, a.is_current(today)) for a in areas],
            "form": form,
            "can_edit": can_edit,
            "origins": origin_list(),
            "today": today,
            "show_all": request.GET.get("all") == "1",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def risk_area_end(request, pk: int):
    area = RiskArea.objects.filter(pk=pk).first()
    if area is None:
        raise Http404
    try:
        services.risk_area_end(
            actor=request.user, risk_area=area, ends_on=_parse_day(request.POST.get("ends_on")), request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已更新截止日期。"))
    return redirect("checkpoints:risk_areas")


@login_required
def work_norm_list(request):
    _require_view(request.user)
    can_edit = has_capability(request.user, CHECKPOINTS_MANAGE, settings.FANGKONG_CITY_CODE)
    form = WorkNormForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        retire = request.POST.get("retire", "")
        if retire.isdigit():
            norm = WorkNorm.objects.filter(pk=int(retire)).first()
            if norm is None:
                raise Http404
            services.work_norm_retire(actor=request.user, norm=norm, request=request)
            messages.success(request, _("已停用该项规范。"))
            return redirect("checkpoints:norms")
        if form.is_valid():
            try:
                services.work_norm_create(actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已添加。"))
                return redirect("checkpoints:norms")
    levels = [(value, label, selectors.work_norms(level=value)) for value, label in Level.choices]
    return render(
        request,
        "checkpoints/norms.html",
        {"levels": levels, "form": form, "can_edit": can_edit},
        status=400 if form.is_bound and form.errors else 200,
    )
