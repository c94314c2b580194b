from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.paging import querystring_without_page
from fangkong.core.redirects import safe_next

from . import registry, selectors, services
from .models import ApprovalStatus


@login_required
def approval_list(request):
    status = request.GET.get("status", ApprovalStatus.PENDING)
    if status not in ApprovalStatus.values and status != "":
        status = ApprovalStatus.PENDING
    page = Paginator(selectors.approval_list(user=request.user, status=status), 50).get_page(request.GET.get("page"))
    # Each kind describes its own requests (whom, what, dates, a link): the approver decides from the card.
    rows = [(a, registry.describe(a)) for a in page]
    return render(
        request,
        "approvals/list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": ApprovalStatus.choices,
            "labels": registry.labels(),
            "query": querystring_without_page(request),
        },
    )


@login_required
@require_POST
def approval_decide(request, pk: int):
    approval = selectors.approval_get(user=request.user, pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("请选择批准或驳回。"))
        return redirect(safe_next(request, "approvals:list"))
    try:
        services.approval_decide(
            user=request.user, approval=approval, approve=decision == "approve", reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("已批准。") if decision == "approve" else _("已驳回。"))
    return redirect(safe_next(request, "approvals:list"))
