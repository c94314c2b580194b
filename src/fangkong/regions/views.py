from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import DIVISIONS_EDIT
from fangkong.accounts.scoping import has_capability

from . import selectors, services


@login_required
def browse(request):
    roots = selectors.division_roots(user=request.user)
    if len(roots) == 1:
        return redirect("regions:division", code=roots[0].code)
    return render(request, "regions/roots.html", {"roots": roots})


@login_required
def division(request, code: str):
    d = selectors.division_get(user=request.user, code=code)
    children = selectors.division_children(user=request.user, code=code) if d.level != "grid" else []
    crumbs = [c for c in selectors.division_breadcrumbs(code=code)]
    return render(
        request,
        "regions/division.html",
        {
            "division": d,
            "children": children,
            "crumbs": crumbs,
            "can_split": d.level == "community" and has_capability(request.user, DIVISIONS_EDIT, d.code),
        },
    )


@login_required
@require_POST
def grid_create(request, code: str):
    d = selectors.division_get(user=request.user, code=code)
    if not has_capability(request.user, DIVISIONS_EDIT, d.code):
        raise PermissionDenied
    names = [n for n in request.POST.get("names", "").splitlines() if n.strip()]
    try:
        created = services.grids_create(community_code=d.code, names=names or [""])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        from fangkong.audit.services import record

        for g in created:
            record(request.user, "create", g, request=request)
        messages.success(request, _("已新增 %(n)d 个网格。") % {"n": len(created)})
    return redirect("regions:division", code=d.code)


@login_required
def search(request):
    """Search-as-you-type for pickers: JSON list of divisions in scope."""
    levels = [lvl for lvl in request.GET.getlist("level") if lvl]
    items = selectors.division_search(user=request.user, q=request.GET.get("q", ""), levels=levels)
    return JsonResponse({"results": [{"code": d.code, "name": d.short_name, "level": d.level} for d in items]})
