"""The public self-report page (主动配合登记): no login, phone first. A
resident reports their own or a family member's arrival; it lands in the
destination community's queue. Rate-limited per client, CSRF-protected, with
a honeypot field; the confirmation shows nothing personal back but masked
values."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fangkong.core.forms import apply_errors
from fangkong.core.http import client_ip
from fangkong.core.throttle import Throttled
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.regions.models import Division
from fangkong.regions.selectors import division_names

from . import services
from .choices import TravelMode
from .forms import SelfReportForm
from .origins import cities_of, provinces

_DONE_KEY = "screening_self_report_done"


def _client(request) -> str:
    # The client's own address, also behind the reverse proxy
    # (FANGKONG_TRUSTED_PROXIES); a header the client sent itself is not believed.
    return client_ip(request) or "unknown"


def _counties():
    return list(Division.objects.filter(parent_code=settings.FANGKONG_CITY_CODE, level="county").order_by("code"))


def _children(parent: str, level: str):
    city = settings.FANGKONG_CITY_CODE
    if not (parent.isdigit() and parent.startswith(city)):
        return []
    return list(Division.objects.filter(parent_code=parent, level=level).order_by("code").only("code", "short_name"))


def _page(request, form, *, status=200, limited=""):
    data = form.data if form.is_bound else {}
    county, township = data.get("county", ""), data.get("township", "")
    return render(
        request,
        "screening/report_form.html",
        {
            "form": form,
            "provinces": provinces(),
            "cities": cities_of((data.get("province") or "")[:2]),
            "counties": _counties(),
            "townships": _children(county, "township") if county else [],
            "communities": _children(township, "community") if township else [],
            "travel_modes": TravelMode.choices,
            "limited": limited,
        },
        status=status,
    )


def _mask_name(name: str) -> str:
    name = (name or "").strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


@never_cache
def report(request):
    if request.method != "POST":
        return _page(request, SelfReportForm())
    form = SelfReportForm(request.POST)
    try:
        services.self_report_throttle(client=_client(request))
    except Throttled as exc:
        response = _page(request, form, status=429, limited=str(exc))
        response["Retry-After"] = str(exc.retry_after)
        return response
    if (request.POST.get("website") or "").strip():
        # A bot filled in the field people never see: thank it, keep nothing.
        request.session[_DONE_KEY] = {"name": "", "doc": "", "phone": "", "place": "", "date": ""}
        return redirect("report:done")
    if not form.is_valid():
        return _page(request, form, status=400)
    d = form.cleaned_data
    report = services.SelfReport(
        name=d["name"],
        doc_number=d["doc_number"],
        phone=d["phone"],
        origin_code=d.get("city") or d["province"],
        arrived_on=d["arrived_on"],
        destination_code=d["destination_code"],
        address=d["address"],
        travel_mode=d.get("travel_mode", ""),
        travel_number=d.get("travel_number", ""),
        reporter=d["reporter"],
    )
    try:
        arrival = services.self_report_submit(report=report, request=request)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "origin_code" in exc.error_dict:
            exc = ValidationError({("province" if k == "origin_code" else k): v for k, v in exc.message_dict.items()})
        apply_errors(form, exc)
        return _page(request, form, status=400)
    place = division_names([arrival.division_code[:12]]).get(arrival.division_code[:12])
    request.session[_DONE_KEY] = {
        "name": _mask_name(d["name"]),
        "doc": mask_id_number(d["doc_number"]),
        "phone": mask_phone(d["phone"]),
        "place": place or "",
        "date": d["arrived_on"].isoformat(),
    }
    return redirect("report:done")


@never_cache
def report_done(request):
    done = request.session.pop(_DONE_KEY, None)
    if done is None:
        return redirect("report:form")
    return render(request, "screening/report_done.html", {"done": done})


@require_GET
def report_places(request):
    """htmx: the townships of a county or the communities of a township (names
    of places are public)."""
    if "township" in request.GET:
        parent, level = request.GET.get("township", ""), "community"
    else:
        parent, level = request.GET.get("county", ""), "township"
    items = _children(parent[:9], level)
    return render(request, "screening/_place_options.html", {"items": items, "level": level})


@require_GET
def report_cities(request):
    return render(
        request,
        "screening/_city_options.html",
        {"cities": cities_of((request.GET.get("province") or "")[:2]), "selected": ""},
    )
