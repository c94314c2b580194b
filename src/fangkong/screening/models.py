from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.fields import FreeCharField
from fangkong.core.models import DivisionScoped
from fangkong.people.models import RecordedIdentity

from .choices import ArrivalSource, ArrivalStatus, CampaignStatus, Measure, MeasureState, TravelMode, VisitResult


class Arrival(DivisionScoped, RecordedIdentity):
    """Someone arriving in a community from elsewhere, to be handled by its grid
    workers: from a checkpoint passage, a self-report, a door-to-door visit or a
    list sent down from above. ``division_code`` is the destination community
    (or grid). Flagged arrivals (fever, risk-area origin) go to the top."""

    origin_code = models.CharField(_("来源地代码"), max_length=12, blank=True)
    origin_name = FreeCharField(_("来源地"), max_length=60, blank=True)
    arrived_on = models.DateField(_("抵达日期"), default=timezone.localdate)
    source = models.CharField(_("来源"), max_length=12, choices=ArrivalSource.choices)
    source_ref = models.CharField(max_length=40, blank=True, help_text="e.g. checkpoint:12, visit:34, import:row5")
    flagged = models.BooleanField(default=False)
    flags = models.CharField(max_length=60, blank=True, help_text="comma-separated ArrivalFlag values")
    temperature = models.DecimalField(_("体温"), max_digits=3, decimal_places=1, null=True, blank=True)
    travel_mode = models.CharField(_("交通方式"), max_length=20, blank=True)
    travel_number = FreeCharField(_("车次/航班/车牌"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ArrivalStatus.choices, default=ArrivalStatus.PENDING)
    note = FreeCharField(_("备注"), max_length=200, blank=True)
    address = FreeCharField(_("住址"), max_length=200, blank=True)
    reports = models.PositiveIntegerField(default=1, help_text="how many reports were merged into this one")
    created_at = models.DateTimeField(default=timezone.now)
    created_on = models.DateField(default=timezone.localdate, help_text="local day it entered the queue")
    # No index on created_by/handled_by: no query looks arrivals up by them.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_on = models.DateField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    dismiss_reason = FreeCharField(_("不予处理原因"), max_length=200, blank=True)

    class Meta:
        # Every index costs each passage that queues an arrival; the queue and the
        # lists scope by a division range (the first two), the counts by a status
        # or day and a range (the next three), the merge of repeated reports looks
        # pending arrivals up by doc_index. No single-column index on division_code
        # or status (these lead with them), none on the boolean flagged. Declared
        # here rather than with db_index so PostgreSQL adds no unused "_like" twin.
        verbose_name = pgettext_lazy("model", "抵达人员")
        verbose_name_plural = pgettext_lazy("models", "抵达人员")
        indexes = [
            models.Index(fields=["division_code", "status", "flagged"]),
            models.Index(fields=["division_code", "arrived_on"]),
            # Command-level counts: equality on the leading column, range on the code.
            models.Index(fields=["status", "division_code"], name="arrival_status_div"),
            models.Index(fields=["created_on", "division_code"], name="arrival_created_div"),
            models.Index(fields=["handled_on", "division_code"], name="arrival_handled_div"),
            models.Index(fields=["doc_index"], name="arrival_doc_index"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.division_code}"

    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f]

    def flag_details(self) -> list[tuple[str, str, str]]:
        """(flag, label, what to do) for each flag, for the queue and the detail page."""
        from .choices import FLAG_GUIDANCE, ArrivalFlag

        return [
            (f, str(ArrivalFlag(f).label), str(FLAG_GUIDANCE.get(f, "")))
            for f in self.flag_list()
            if f in ArrivalFlag.values
        ]

    def travel_mode_label(self) -> str:
        """The travel mode as a person reads it (the column also takes free text)."""
        return str(TravelMode(self.travel_mode).label) if self.travel_mode in TravelMode.values else self.travel_mode

    def get_absolute_url(self) -> str:
        return reverse("screening:arrival_detail", args=[self.pk])


class Campaign(DivisionScoped):
    """A door-to-door screening campaign (入户排查) over a community, or over every
    community of a township, for a date range. ``division_code`` is the community
    or township. Two active campaigns never cover the same community on the
    same day, so a household's coverage is never counted twice."""

    name = FreeCharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE)
    note = FreeCharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "入户排查")
        verbose_name_plural = pgettext_lazy("models", "入户排查")
        indexes = [
            models.Index(fields=["status", "ends_on"]),
            models.Index(fields=["division_code"], name="campaign_division"),
        ]  # the scoped lists (a range)

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day) -> bool:
        return self.status == CampaignStatus.ACTIVE and self.starts_on <= day <= self.ends_on

    def get_absolute_url(self) -> str:
        return reverse("screening:campaign_detail", args=[self.pk])


class Visit(DivisionScoped):
    """One household in one campaign: its latest result. Unique per campaign and
    household; every knock on the door is a VisitAttempt. ``division_code`` is
    the household's (grid or community)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="visits")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="+")
    result = models.CharField(_("结果"), max_length=12, choices=VisitResult.choices)
    attempts = models.PositiveIntegerField(default=1)
    returnees_found = models.PositiveIntegerField(_("发现返乡人数"), default=0)
    note = FreeCharField(_("备注"), max_length=200, blank=True)
    first_at = models.DateTimeField(default=timezone.now)
    last_at = models.DateTimeField(default=timezone.now)
    screened_on = models.DateField(null=True, blank=True, help_text="local day the household was first screened")
    last_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "入户走访")
        verbose_name_plural = pgettext_lazy("models", "入户走访")
        constraints = [models.UniqueConstraint(fields=["campaign", "household"], name="visit_one_per_household")]
        indexes = [
            models.Index(fields=["campaign", "division_code", "result"], name="visit_campaign_div"),
            models.Index(fields=["division_code"], name="visit_division"),
        ]  # the scoped lists (a range)

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.household_id}: {self.result}"


class VisitAttempt(models.Model):
    """One knock on a household's door, as submitted from a phone. The client key
    makes a retried submission return the first attempt."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="attempt_set")
    result = models.CharField(max_length=12, choices=VisitResult.choices)
    note = FreeCharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "走访记录")
        verbose_name_plural = pgettext_lazy("models", "走访记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.result} {self.at:%Y-%m-%d %H:%M}"


class CoverageCount(models.Model):
    """Maintained counts of one campaign at one leaf place (grid or community):
    households screened and households waiting for a revisit. Kept exact by the
    visit service with F() updates; ``coverage_rebuild`` recomputes from visits.
    Coverage of any prefix is a sum over a short range of these rows."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    division_code = models.CharField(max_length=15)
    screened = models.IntegerField(default=0)
    revisit = models.IntegerField(default=0)
    returnees = models.IntegerField(default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "排查覆盖统计")
        verbose_name_plural = pgettext_lazy("models", "排查覆盖统计")
        constraints = [models.UniqueConstraint(fields=["campaign", "division_code"], name="coverage_one_per_place")]
        indexes = [models.Index(fields=["division_code", "campaign"], name="coverage_div_campaign")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.division_code}"


class Returnee(DivisionScoped):
    """A confirmed returnee (返乡人员): a person in the registry, where they came
    from and how, their contacts, the measure the system proposed and the one
    the grid worker decided, with the reason. Created from an arrival (which
    itself came from a passage, self-report, visit or import).

    ``followup`` is the quarantine or monitoring the decision started (none
    while it awaits approval, when rejected or when no measure was needed). It
    is PROTECTed: a follow-up is the record that a restriction was imposed on a
    person, which nothing deletes, and a decided measure whose follow-up
    vanished would look started while nobody checks on the person — so
    deleting one a returnee points at fails loudly instead."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    arrival = models.OneToOneField(Arrival, null=True, blank=True, on_delete=models.SET_NULL, related_name="returnee")
    source = models.CharField(_("来源"), max_length=12, choices=ArrivalSource.choices)
    origin_code = models.CharField(_("来源地代码"), max_length=12, blank=True)
    origin_name = FreeCharField(_("来源地"), max_length=60)
    arrived_on = models.DateField(_("抵达日期"))
    travel_mode = models.CharField(_("交通方式"), max_length=10, choices=TravelMode.choices, blank=True)
    travel_number = FreeCharField(_("车次/航班/车牌"), max_length=20, blank=True)
    risk_area_contact = models.BooleanField(_("14天内到过风险地区"), default=False)
    case_contact = models.BooleanField(_("接触过病例或疑似病例"), default=False)
    contact_note = FreeCharField(_("接触情况说明"), max_length=200, blank=True)
    proposed_measure = models.CharField(_("建议措施"), max_length=20, choices=Measure.choices)
    proposed_reason = FreeCharField(_("建议依据"), max_length=200, blank=True)
    measure = models.CharField(_("决定措施"), max_length=20, choices=Measure.choices)
    measure_reason = FreeCharField(_("决定理由"), max_length=200)
    measure_state = models.CharField(
        _("措施状态"), max_length=10, choices=MeasureState.choices, default=MeasureState.STARTED
    )
    place = FreeCharField(_("隔离/监测地点"), max_length=200, blank=True)
    site_name = FreeCharField(_("集中隔离点"), max_length=100, blank=True)
    followup = models.ForeignKey(
        "followups.FollowUp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the follow-up the decision started, if any",
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    confirmed_on = models.DateField(default=timezone.localdate)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "返乡人员")
        verbose_name_plural = pgettext_lazy("models", "返乡人员")
        indexes = [
            models.Index(fields=["confirmed_on", "division_code"], name="returnee_confirmed_div"),
            models.Index(fields=["measure", "division_code"], name="returnee_measure_div"),
            models.Index(fields=["division_code"], name="returnee_division"),  # the scoped lists (a range)
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ← {self.origin_name}"

    def get_absolute_url(self) -> str:
        return reverse("screening:returnee_detail", args=[self.pk])


class ArrivalRule(models.Model):
    """Which inbound checkpoint passages put an arrival into the destination
    community's queue (one row, kept by the city HQ; every change is audited).
    A passage is always recorded; it queues an arrival when any ticked
    condition holds. Self-reports, visits and imported lists always queue."""

    SINGLETON = 1

    everyone = models.BooleanField(_("所有入境登记"), default=False)
    outside_city = models.BooleanField(_("来自市外"), default=True)
    risk_area = models.BooleanField(_("来自风险地区"), default=True)
    fever = models.BooleanField(_("体温异常（≥37.3℃）"), default=True)
    not_registered = models.BooleanField(_("未在目的地村/社区登记的人员"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    FIELDS = ("everyone", "outside_city", "risk_area", "fever", "not_registered")

    class Meta:
        verbose_name = pgettext_lazy("model", "卡点推送规则")
        verbose_name_plural = pgettext_lazy("models", "卡点推送规则")

    def __str__(self) -> str:
        return ",".join(f for f in self.FIELDS if getattr(self, f)) or "-"

    def snapshot(self):
        from .rules import QueueRule

        return QueueRule(**{f: getattr(self, f) for f in self.FIELDS})
