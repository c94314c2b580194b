"""Who must agree to a change of measure.

* **Strictness.** Centralized quarantine > home quarantine = medical
  observation > health monitoring (``choices.STRICTNESS``). A change *weakens*
  a measure when the new kind is lighter or the new planned end is earlier
  than the current one. Stricter changes, and equal ones that end no earlier,
  apply at once.
* **Weakening** (a transfer to a lighter measure, a shorter period) goes
  through the rules of a release and a second person: no overdue check, no
  fever in the last days, no open referral; the new measure may not be shorter
  than the policy's days for its kind; and another user with the edit
  capability approves (approval kind ``followup_weaken``). Nothing changes
  until then.
* **Imposing centralized quarantine** takes effect at once (the person is
  taken to the site) but must be confirmed by a second person within
  ``FANGKONG_CENTRAL_APPROVAL_HOURS`` (setting or environment, default 24):
  approval kind ``central_quarantine``. Until then the follow-up shows as
  待审批 (unapproved) on its page, the lists and the today page; past the time
  it is listed as overdue. A rejection ends it (``revoked``) with the reason;
  a lighter measure it replaced by a transfer resumes until its planned end.
  A central quarantine already decided by two persons (screening's stricter
  measure, an approved weakening, or a transfer from an approved central
  quarantine) needs no second confirmation.
"""

from __future__ import annotations

import datetime as dt
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.approvals.models import ApprovalStatus
from fangkong.approvals.registry import Description
from fangkong.lib.masking import mask_name

from .choices import STRICTNESS, ApprovalState, FollowUpKind
from .models import FollowUp

WEAKEN_KIND = "followup_weaken"
CENTRAL_KIND = "followup_central"
RELEASE_KIND = "quarantine_release"
CHANGE_KINDS = (RELEASE_KIND, WEAKEN_KIND)
ALL_KINDS = (RELEASE_KIND, WEAKEN_KIND, CENTRAL_KIND)
DEFAULT_APPROVAL_HOURS = 24


def approval_hours() -> int:
    value = (
        getattr(settings, "FANGKONG_CENTRAL_APPROVAL_HOURS", None)
        or os.environ.get("FANGKONG_CENTRAL_APPROVAL_HOURS")
        or DEFAULT_APPROVAL_HOURS
    )
    try:
        hours = int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"FANGKONG_CENTRAL_APPROVAL_HOURS: {value!r} is not a whole number") from None
    if not 1 <= hours <= 24 * 7:
        raise ImproperlyConfigured("FANGKONG_CENTRAL_APPROVAL_HOURS: between 1 and 168")
    return hours


def is_weaker(current: FollowUp, kind: str, planned_end: dt.date) -> bool:
    """A lighter measure, or one that ends before the current planned end."""
    return STRICTNESS[kind] < STRICTNESS[current.kind] or planned_end < current.planned_end


def check_minimum(kind: str, days: int, *, starting: bool = False) -> None:
    """A weakening change, or a new measure (``starting``), may not give the
    measure fewer days than the policy."""
    from .services import policy_days

    minimum = policy_days(kind)
    if days < minimum:
        message = (
            _("开始%(kind)s时，天数不能少于政策规定的 %(n)s 天。")
            if starting
            else _("减轻或缩短措施时，新措施（%(kind)s）不能少于政策规定的 %(n)s 天。")
        )
        raise ValidationError({"days": message % {"kind": FollowUpKind(kind).label, "n": minimum}}, code="below_policy")


def pending_change(followup: FollowUp):
    """The open release or weakening request on ``followup``, if any."""
    from fangkong.approvals.models import ApprovalRequest

    return ApprovalRequest.objects.filter(
        kind__in=CHANGE_KINDS,
        object_type=followup._meta.label_lower,
        object_id=str(followup.pk),
        status=ApprovalStatus.PENDING,
    ).first()


# ---------------------------------------------------------------- central quarantine


def central_approval_start(*, user, followup: FollowUp, reason: str, approval=None) -> None:
    """A new central quarantine: confirmed already (decided by two persons), or
    pending a second person's confirmation with its due time. Called by
    services._create_followup in the starting transaction."""
    from fangkong.approvals.services import approval_request

    prior = followup.transferred_from
    if (approval is not None and approval.status == ApprovalStatus.APPROVED) or (
        prior is not None and prior.kind == FollowUpKind.CENTRAL_QUARANTINE and prior.approval == ApprovalState.APPROVED
    ):
        followup.approval = ApprovalState.APPROVED
        followup.save(update_fields=["approval"])
        return
    due = timezone.now() + dt.timedelta(hours=approval_hours())
    if prior is not None and prior.approval == ApprovalState.PENDING and prior.approval_due:
        due = prior.approval_due  # a transfer does not restart the clock
    followup.approval, followup.approval_due = ApprovalState.PENDING, due
    followup.save(update_fields=["approval", "approval_due"])
    approval_request(
        user=user,
        kind=CENTRAL_KIND,
        obj=followup,
        reason=reason,
        payload={
            "site_name": followup.site_name,
            "start_date": followup.start_date.isoformat(),
            "planned_end": followup.planned_end.isoformat(),
            "due": due.isoformat(),
        },
    )


def central_approve(*, approval, decider) -> None:
    from fangkong.audit.services import record
    from fangkong.core.services import status_change_record

    followup = FollowUp.objects.select_for_update().get(pk=int(approval.object_id))
    if not followup.is_open or followup.approval != ApprovalState.PENDING:
        return  # ended meanwhile: nothing left to confirm
    followup.approval = ApprovalState.APPROVED
    followup.save(update_fields=["approval"])
    status_change_record(
        actor=decider,
        obj=followup,
        from_status=followup.status,
        to_status=followup.status,
        reason=_("集中隔离经 %(decider)s 审批确认：%(reason)s")
        % {"decider": decider.display(), "reason": approval.decision_reason},
    )
    record(
        decider,
        "update",
        followup,
        reason=approval.decision_reason,
        detail={"central_approved": True, "approval": approval.pk},
    )


def central_reject(*, approval, decider) -> None:
    """The second person rejects the central quarantine: it ends (revoked) with
    the reason; a lighter measure it replaced resumes until its planned end."""
    from .services import followup_revoke

    followup = FollowUp.objects.select_for_update().get(pk=int(approval.object_id))
    if not followup.is_open or followup.approval != ApprovalState.PENDING:
        return
    followup_revoke(decider=decider, followup=followup, approval=approval)


# ---------------------------------------------------------------- describing requests (approval cards)


def _describe_followup(approval, change: str, lines: list[str]) -> Description:
    f = FollowUp.objects.select_related("person").filter(pk=int(approval.object_id)).first()
    if f is None:
        return Description(summary=change)
    who = " ".join(x for x in (mask_name(f.person.name), f.person.doc_masked) if x)
    lines = [
        _("现措施：%(kind)s %(start)s 至 %(end)s（%(status)s）")
        % {
            "kind": f.get_kind_display(),
            "start": f.start_date.isoformat(),
            "end": f.planned_end.isoformat(),
            "status": f.get_status_display(),
        },
        *lines,
    ]
    return Description(summary=f"{who} · {change}", details=tuple(lines), url=reverse("followups:detail", args=[f.pk]))


def describe_release(approval) -> Description:
    return _describe_followup(approval, _("解除措施"), [])


def describe_weaken(approval) -> Description:
    p = approval.payload or {}
    kind = FollowUpKind(p["kind"]).label if p.get("kind") in FollowUpKind.values else p.get("kind", "")
    days = p.get("days")
    lines = [_("改为：%(kind)s %(n)s 天（自批准之日起）") % {"kind": kind, "n": days}]
    if p.get("site_name"):
        lines.append(_("隔离点：%(s)s") % {"s": p["site_name"]})
    return _describe_followup(approval, _("减轻/缩短措施 → %(kind)s") % {"kind": kind}, lines)


def describe_central(approval) -> Description:
    p = approval.payload or {}
    lines = [_("隔离点：%(s)s") % {"s": p.get("site_name", "")}]
    if p.get("due"):
        due = timezone.localtime(dt.datetime.fromisoformat(p["due"]))
        lines.append(_("应于 %(due)s 前审批") % {"due": due.strftime("%Y-%m-%d %H:%M")})
    return _describe_followup(approval, _("确认集中隔离"), lines)
