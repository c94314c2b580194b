from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUpKind(models.TextChoices):
    HOME_QUARANTINE = "home_quarantine", _("居家隔离")
    CENTRAL_QUARANTINE = "central_quarantine", _("集中隔离")
    HEALTH_MONITORING = "health_monitoring", _("健康监测")
    MEDICAL_OBSERVATION = "medical_observation", _("医学观察")


class FollowUpStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    EXTENDED = "extended", _("已延期")
    ESCALATED = "escalated", _("已转诊")
    RELEASED = "released", _("已解除")
    TRANSFERRED = "transferred", _("已转移")
    # Central quarantine whose second person rejected it (approvals): ended with the reason.
    REVOKED = "revoked", _("已撤销（审批未通过）")


class ApprovalState(models.TextChoices):
    """Whether a second person has confirmed a measure that needs one (central
    quarantine). Blank: none is needed."""

    NONE = "", _("无需审批")
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已审批")


# How strict a measure is: a change to a lower rank (or an earlier end) weakens
# it and needs a second person, like a release.
STRICTNESS = {"health_monitoring": 1, "home_quarantine": 2, "medical_observation": 2, "central_quarantine": 3}


# A person is under the measure while the follow-up is in one of these.
OPEN_STATUSES = (FollowUpStatus.ACTIVE, FollowUpStatus.EXTENDED, FollowUpStatus.ESCALATED)


class CheckStatus(models.TextChoices):
    DUE = "due", _("待检测")
    DONE = "done", _("已检测")
    # Not done when the follow-up ended by transfer: kept, never overdue again.
    MISSED = "missed", _("未检测（已转移）")
    # The slot's window had not opened when the follow-up ended.
    CANCELLED = "cancelled", _("已取消")


class Symptom(models.TextChoices):
    FEVER = "fever", _("发热")
    COUGH = "cough", _("咳嗽")
    FATIGUE = "fatigue", _("乏力")
    SORE_THROAT = "sore_throat", _("咽痛")
    DIARRHOEA = "diarrhoea", _("腹泻")
    SMELL_TASTE = "smell_taste", _("嗅觉/味觉减退")
    BREATH = "breath", _("呼吸困难")


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    PICKED_UP = "picked_up", _("医疗机构已接收")
    CLOSED = "closed", _("已关闭")


class DeliveryCategory(models.TextChoices):
    FOOD = "food", _("食品")
    MEDICINE = "medicine", _("药品")
    NECESSITIES = "necessities", _("生活用品")
    OTHER = "other", _("其他")


class DeliveryStatus(models.TextChoices):
    OPEN = "open", _("待接单")
    TAKEN = "taken", _("配送中")
    DELIVERED = "delivered", _("已送达")
    CANCELLED = "cancelled", _("已取消")


OPEN_DELIVERY_STATUSES = (DeliveryStatus.OPEN, DeliveryStatus.TAKEN)

# Person tags that make a household eligible for care deliveries without a measure.
VULNERABLE_TAGS = ("tag_elderly_alone", "tag_low_income", "tag_disabled")
