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
