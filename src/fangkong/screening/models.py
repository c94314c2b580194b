from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import DivisionScoped
from fangkong.people.models import RecordedIdentity

from .choices import ArrivalSource, ArrivalStatus


class Arrival(DivisionScoped, RecordedIdentity):
    """Someone arriving in a community from elsewhere, to be handled by its grid
    workers: from a checkpoint passage, a self-report, a door-to-door visit or a
    list sent down from above. ``division_code`` is the destination community
    (or grid). Flagged arrivals (fever, risk-area origin) go to the top."""

    origin_code = models.CharField(_("来源地代码"), max_length=12, blank=True)
    origin_name = models.CharField(_("来源地"), max_length=60, blank=True)
    arrived_on = models.DateField(_("抵达日期"), default=timezone.localdate)
    source = models.CharField(_("来源"), max_length=12, choices=ArrivalSource.choices)
    source_ref = models.CharField(max_length=40, blank=True, help_text="e.g. passage:123")
    flagged = models.BooleanField(default=False, db_index=True)
    flags = models.CharField(max_length=60, blank=True, help_text="comma-separated ArrivalFlag values")
    temperature = models.DecimalField(_("体温"), max_digits=3, decimal_places=1, null=True, blank=True)
    travel_mode = models.CharField(_("交通方式"), max_length=20, blank=True)
    travel_number = models.CharField(_("车次/航班/车牌"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ArrivalStatus.choices, default=ArrivalStatus.PENDING,
                              db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    reports = models.PositiveIntegerField(default=1, help_text="how many reports were merged into this one")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False)

    class Meta:
        indexes = [
            models.Index(fields=["division_code", "status", "flagged"]),
            models.Index(fields=["division_code", "arrived_on"]),
        ]

    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f]
