from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from fangkong.accounts.roles import AUDIT_VIEW
from fangkong.accounts.scoping import has_capability
from fangkong.core.dates import parse_day
from fangkong.core.exports import xlsx_download

from .choices import Action
from .selectors import AuditFilters, audit_list

EXPORT_LIMIT = 100_000


def _date(value: str):
    """A typed day (core.dates: 2000-01-01..2100-12-31), else None."""
    try:
        return parse_day(value) if value else None
    except ValidationError:
        return None


def _filters(request) -> AuditFilters:
    g = request.GET
    return AuditFilters(
        username=g.get("user", "")[:150], action=g.get("action", "") if g.get("action") in Action.values else "",
        object_type=g.get("object_type", "")[:40], object_id=g.get("object_id", "")[:40],
        date_from=_date(g.get("from", "")), date_to=_date(g.get("to", "")),
    )


@login_required
def audit_list_view(request):
    if not has_capability(request.user, AUDIT_VIEW):
        raise PermissionDenied
    filters = _filters(request)
    page = Paginator(audit_list(user=request.user, filters=filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"page": page, "filters": filters, "actions": Action.choices,
                                               "query": query.urlencode()})


@login_required
def audit_export(request):
    if not has_capability(request.user, AUDIT_VIEW):
        raise PermissionDenied
    filters = _filters(request)
    qs = audit_list(user=request.user, filters=filters)[:EXPORT_LIMIT]
    labels = dict(Action.choices)
    rows = (
        (timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_username, e.get_role_display(),
         e.actor_division_code, str(labels.get(e.action, e.action)), e.object_type, e.object_id, e.division_code,
         e.reason, ", ".join(f"{k}={v}" for k, v in e.detail.items()))
        for e in qs.iterator(chunk_size=2000)
    )
    return xlsx_download(request, title="审计记录", headers=["时间", "用户", "角色", "用户辖区", "操作", "对象类型", "对象ID",
                                                          "对象所在区划", "原因", "说明"],
                         rows=rows, kind="audit", object_type="audit.auditentry", filename="audit")
