from __future__ import annotations

from django.db.models import QuerySet

from fangkong.accounts.scoping import get_for_user, scope_filter

from .models import ApprovalRequest, ApprovalStatus


def approval_list(*, user, status: str = ApprovalStatus.PENDING) -> QuerySet:
    qs = scope_filter(ApprovalRequest.objects.select_related("requested_by", "decided_by"), user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-id")


def approval_get(*, user, pk) -> ApprovalRequest:
    return get_for_user(ApprovalRequest.objects.select_related("requested_by", "decided_by"), user, pk=pk)


def approval_pending_for(*, obj, kind: str) -> ApprovalRequest | None:
    return ApprovalRequest.objects.filter(
        kind=kind, object_type=obj._meta.label_lower, object_id=str(obj.pk), status=ApprovalStatus.PENDING
    ).first()
