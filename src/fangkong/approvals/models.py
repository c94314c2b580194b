from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.fields import FreeCharField, FreeJSONField
from fangkong.core.models import DivisionScoped


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    CANCELLED = "cancelled", _("已撤回")


class ApprovalRequest(DivisionScoped):
    """Two-person approval: one user asks, another eligible user (never the same)
    approves or rejects, each with a reason. Used for quarantine release, case
    confirmation, bulk status changes, public listings, donation disclosure."""

    kind = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    payload = FreeJSONField(default=dict, blank=True)
    reason = FreeCharField(_("申请理由"), max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = FreeCharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "审批申请")
        verbose_name_plural = pgettext_lazy("models", "审批申请")
        indexes = [
            models.Index(fields=["object_type", "object_id", "status"]),
            models.Index(fields=["division_code"], name="approval_division"),  # the scoped lists (a range)
        ]
        constraints = [
            # At most one open request per object and kind.
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id"],
                condition=models.Q(status="pending"),
                name="approval_one_pending",
            ),
        ]
