from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import AUDIT_VIEW
from fangkong.accounts.scoping import has_capability
from fangkong.core.dates import parse_day
from fangkong.core.exports import xlsx_download

from .choices import Action
from .objects import describe_detail, describe_objects, kind_choices, kind_label
from .selectors import AuditFilters, audit_list, audit_person, audit_place
from .services import record

EXPORT_LIMIT = 100_000


def _date(value: str):
    """A typed day (core.dates: 2000-01-01..2100-12-31), else None."""
    try:
        return parse_day(value) if value else None
    except ValidationError:
        return None


def _filters(request) -> tuple[AuditFilters, str, list[str]]:
    """The filters from the query string, the place's name, and what could not be understood."""
    g = request.GET
    problems = []
    place_code = place_name = ""
    if g.get("place", "").strip():
        found = audit_place(user=request.user, text=g["place"])
        if found is None:
            problems.append(_("没有找到该区划（或不在您的辖区内）：请填写区划代码或名称。"))
        else:
            place_code, place_name = found
    filters = AuditFilters(
        username=g.get("user", "")[:150],
        action=g.get("action", "") if g.get("action") in Action.values else "",
        object_type=g.get("object_type", "")[:40],
        object_id=g.get("object_id", "")[:40],
        date_from=_date(g.get("from", "")),
        date_to=_date(g.get("to", "")),
        place=place_code,
        denied=g.get("denied") == "1",
    )
    return filters, place_name, problems


def _require(request):
    if not has_capability(request.user, AUDIT_VIEW):
        raise PermissionDenied


@login_required
def audit_list_view(request):
    _require(request)
    person_error = typed = ""
    if request.method == "POST":
        # An ID number is looked up by its blind index and never put in a URL:
        # the list is then filtered by the person's record id.
        typed = request.POST.get("doc_number", "")[:40]
        person = audit_person(user=request.user, doc_number=typed)
        record(
            request.user,
            "search",
            object_type="people.person",
            detail={"kind": "doc", "results": int(person is not None), "via": "audit"},
            request=request,
        )
        if person is not None:
            query = urlencode({"object_type": "people.person", "object_id": person.pk})
            return redirect(f"{reverse('audit:list')}?{query}")
        person_error = _("没有找到该身份证号的人员（或其不在您的辖区内）。")
    filters, place_name, problems = _filters(request)
    qs = audit_list(user=request.user, filters=filters) if not problems else audit_list(user=request.user).none()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    shown = describe_objects(request.user, page.object_list)
    rows = [(e, shown[e.pk], describe_detail(e.detail)) for e in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "actions": Action.choices,
            "kinds": kind_choices(),
            "query": query.urlencode(),
            "place": request.GET.get("place", "")[:100],
            "place_name": place_name,
            "problems": problems,
            "person_error": person_error,
            "typed": typed,
            "object_label": kind_label(filters.object_type) if filters.object_type else "",
        },
    )


@login_required
def audit_export(request):
    _require(request)
    filters, _place_name, problems = _filters(request)
    qs = audit_list(user=request.user, filters=filters) if not problems else audit_list(user=request.user).none()
    qs = qs[:EXPORT_LIMIT]
    labels = dict(Action.choices)

    def rows():
        for e in qs.iterator(chunk_size=2000):
            obj = f"{kind_label(e.object_type)} #{e.object_id}" if e.object_id else kind_label(e.object_type)
            yield (
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_username,
                e.get_role_display(),
                e.actor_division_code,
                str(labels.get(e.action, e.action)),
                obj,
                e.division_code,
                e.reason,
                "; ".join(f"{k}: {v}" for k, v in describe_detail(e.detail)),
            )

    return xlsx_download(
        request,
        title="审计记录",
        headers=["时间", "用户", "角色", "用户辖区", "操作", "对象", "对象所在区划", "原因", "说明"],
        rows=rows(),
        kind="audit",
        object_type="audit.auditentry",
        filename="audit",
    )
