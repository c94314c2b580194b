from django.db import models
from django.utils.translation import gettext_lazy as _


class ArrivalSource(models.TextChoices):
    PASSAGE = "passage", _("卡点登记")
    SELF_REPORT = "self_report", _("主动登记")
    VISIT = "visit", _("入户排查")
    IMPORT = "import", _("上级名单导入")


class ArrivalStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    CONFIRMED = "confirmed", _("已核实")
    DISMISSED = "dismissed", _("无需处理")


class ArrivalFlag(models.TextChoices):
    FEVER = "fever", _("发热")
    RISK_AREA = "risk_area", _("来自风险地区")


class CampaignStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class VisitResult(models.TextChoices):
    NOBODY_HOME = "nobody_home", _("无人在家（需复访）")
    NONE_FROM_ELSEWHERE = "none", _("无外来人员")
    RETURNEES_FOUND = "returnees", _("发现返乡人员")


# Results that count a household as screened (covered); "nobody home" does not.
SCREENED_RESULTS = (VisitResult.NONE_FROM_ELSEWHERE, VisitResult.RETURNEES_FOUND)


class TravelMode(models.TextChoices):
    TRAIN = "train", _("火车/高铁")
    FLIGHT = "flight", _("飞机")
    BUS = "bus", _("长途客车")
    CAR = "car", _("自驾")
    OTHER = "other", _("其他")


class Measure(models.TextChoices):
    """The measure decided for a returnee. The first three start a follow-up
    (followups.FollowUp kinds of the same name)."""

    HOME_QUARANTINE = "home_quarantine", _("居家隔离")
    CENTRAL_QUARANTINE = "central_quarantine", _("集中隔离")
    HEALTH_MONITORING = "health_monitoring", _("健康监测")
    NONE = "none", _("无需措施")


class MeasureState(models.TextChoices):
    """Where the decided measure stands. A measure stricter than the one the
    rules propose is a manual restriction: it waits for a second person's approval."""

    STARTED = "started", _("已启动")
    AWAITING_APPROVAL = "awaiting", _("待审批")
    REJECTED = "rejected", _("审批未通过")
    NOT_NEEDED = "none", _("无需措施")


# From least to most restrictive.
MEASURE_ORDER = {"none": 0, "health_monitoring": 1, "home_quarantine": 2, "central_quarantine": 3}


# What a flag on an arrival means and what the grid worker does next.
FLAG_GUIDANCE = {
    ArrivalFlag.FEVER: _("卡点测温≥37.3℃：立即电话联系，上门复测体温；仍发热的，按规定送发热门诊，不得自行就医。"),
    ArrivalFlag.RISK_AREA: _("当天上门核实行程和接触史，按规定落实隔离措施。"),
}
