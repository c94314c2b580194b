"""Two-person approval: request, decide (approve/reject), cancel."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.scoping import get_for_user, has_capability
from fangkong.audit.services import record
from fangkong.core.services import status_change_record
from fangkong.lib.text import reason_text

from . import registry
from .models import ApprovalRequest, ApprovalStatus


@transaction.atomic
def approval_request(*, user, kind: str, obj, reason: str, payload: dict | None = None) -> ApprovalRequest:
    """Ask for a second person's approval of ``kind`` on ``obj``."""
    registry.get(kind)
    reason = reason_text(reason)
    try:
        with transaction.atomic():
            approval = ApprovalRequest.objects.create(
                kind=kind,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                division_code=obj.division_code,
                payload=payload or {},
                reason=reason,
                requested_by=user,
            )
    except IntegrityError:
        raise ValidationError(_("该事项已有待审批的申请。")) from None
    status_change_record(actor=user, obj=approval, to_status=ApprovalStatus.PENDING, reason=reason)
    record(user, "create", approval, reason=reason, detail={"kind": kind})
    return approval


@transaction.atomic
def approval_decide(*, user, approval: ApprovalRequest, approve: bool, reason: str) -> ApprovalRequest:
    """Approve or reject. The decider must be another user with the kind's
    capability at the request's division; approving applies the change."""
    approval = get_for_user(ApprovalRequest.objects.select_for_update(), user, pk=approval.pk)
    kind = registry.get(approval.kind)
    if approval.status != ApprovalStatus.PENDING:
        raise ValidationError(_("该申请已处理，不能重复审批。"))
    if approval.requested_by_id == user.pk:
        raise PermissionDenied(_("不能审批自己提出的申请，需由另一名有权限的人员审批。"))
    if not has_capability(user, kind.capability, approval.division_code):
        raise PermissionDenied(_("您没有审批此类事项的权限。"))
    reason = reason_text(reason)
    old = approval.status
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    approval.decided_by, approval.decided_at, approval.decision_reason = user, timezone.now(), reason
    approval.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    status_change_record(actor=user, obj=approval, from_status=old, to_status=approval.status, reason=reason)
    record(user, "update", approval, reason=reason, detail={"kind": approval.kind, "decision": approval.status})
    if approve:
        kind.apply(approval=approval, decider=user)
    elif kind.on_reject is not None:
        kind.on_reject(approval=approval, decider=user)
    return approval


@transaction.atomic
def approval_cancel(*, user, approval: ApprovalRequest, reason: str = "") -> ApprovalRequest:
    approval = get_for_user(ApprovalRequest.objects.select_for_update(), user, pk=approval.pk)
    if approval.requested_by_id != user.pk:
        raise PermissionDenied(_("只能撤回自己提出的申请。"))
    if approval.status != ApprovalStatus.PENDING:
        raise ValidationError(_("该申请已处理，不能撤回。"))
    approval.status = ApprovalStatus.CANCELLED
    approval.decided_at = timezone.now()
    approval.save(update_fields=["status", "decided_at"])
    status_change_record(
        actor=user, obj=approval, from_status=ApprovalStatus.PENDING, to_status=ApprovalStatus.CANCELLED, reason=reason
    )
    record(user, "update", approval, reason=reason, detail={"kind": approval.kind, "decision": "cancelled"})
    return approval


def approval_withdraw_for(*, user, obj, kinds, reason: str) -> int:
    """The object a request is about has moved on (a follow-up ended): its pending
    requests of ``kinds`` are withdrawn (``cancelled``, with the reason), so no
    one decides on a stale change. Runs inside the caller's transaction. Returns
    how many."""
    pending = list(
        ApprovalRequest.objects.select_for_update().filter(
            kind__in=list(kinds),
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            status=ApprovalStatus.PENDING,
        )
    )
    for approval in pending:
        approval.status, approval.decided_at = ApprovalStatus.CANCELLED, timezone.now()
        approval.decision_reason = reason[:200]
        approval.save(update_fields=["status", "decided_at", "decision_reason"])
        status_change_record(
            actor=user,
            obj=approval,
            from_status=ApprovalStatus.PENDING,
            to_status=ApprovalStatus.CANCELLED,
            reason=reason,
        )
        record(user, "update", approval, reason=reason, detail={"kind": approval.kind, "decision": "withdrawn"})
    return len(pending)
