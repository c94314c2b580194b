"""Follow-ups: anyone under a measure (home or central quarantine, health
monitoring, medical observation) with their scheduled health checks, the
fever-clinic referrals their checks raise, and care deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.fields import FreeCharField
from fangkong.core.models import DivisionScoped

from .choices import (
    OPEN_STATUSES,
    ApprovalState,
    CheckStatus,
    DeliveryCategory,
    DeliveryStatus,
    FollowUpKind,
    FollowUpStatus,
    ReferralStatus,
    Symptom,
)

DEFAULT_DAYS = 14


class MeasurePolicy(models.Model):
    """The current duration of a measure, in days (HQ sets it; default 14).
    A follow-up copies the duration when it starts: changing the policy does
    not move the end of follow-ups already running."""

    kind = models.CharField(_("措施"), max_length=24, choices=FollowUpKind.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("天数"), default=DEFAULT_DAYS)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "管控措施期限")
        verbose_name_plural = pgettext_lazy("models", "管控措施期限")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.days}"


class FollowUp(DivisionScoped):
    """One person under one measure, from ``start_date`` until ``planned_end``
    (the day they may be released), with a health check scheduled for every
    check window of every day in between. ``division_code`` is the person's.
    Status history lives in core.StatusChange; at most one open follow-up per person."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="followups")
    kind = models.CharField(_("措施"), max_length=24, choices=FollowUpKind.choices)
    reason = FreeCharField(_("原因"), max_length=200)
    place = FreeCharField(_("地点"), max_length=200, blank=True)
    site_name = FreeCharField(_("集中隔离点"), max_length=100, blank=True)
    start_date = models.DateField(_("开始日期"))
    planned_end = models.DateField(_("计划解除日期"))
    days = models.PositiveSmallIntegerField(_("天数"), help_text="planned duration including extensions")
    extended_days = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("状态"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.ACTIVE)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    source_ref = models.CharField(max_length=40, blank=True, help_text="e.g. arrival:123, contact:45")
    transferred_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    # Central quarantine starts at once and must be confirmed by a second
    # person (approvals) before ``approval_due``; blank for the other measures.
    approval = models.CharField(_("审批"), max_length=10, choices=ApprovalState.choices, blank=True, default="")
    approval_due = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "隔离与健康监测")
        verbose_name_plural = pgettext_lazy("models", "隔离与健康监测")
        indexes = [
            models.Index(fields=["division_code", "status", "kind"]),
            models.Index(fields=["division_code", "start_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=OPEN_STATUSES), name="followup_one_open_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def unapproved(self) -> bool:
        """Still waiting for the second person (shown as 待审批 while open)."""
        return self.is_open and self.approval == ApprovalState.PENDING

    @property
    def approval_overdue(self) -> bool:
        return self.unapproved and self.approval_due is not None and self.approval_due <= timezone.now()


class HealthCheck(DivisionScoped):
    """One scheduled health check: a slot (day + window) of a follow-up, created
    with status ``due`` when the follow-up starts. Recording it sets
    temperature, symptoms and ``done``; after ``window_end`` it is ``late``.
    A due check whose window has ended is overdue — one range scan on the
    partial index below, however many million checks the city has.

    ``followup`` has no database-level foreign key: this is the largest table
    (≈30 M rows for a city) and is partitioned by county later; rows are only
    written by the services, which keep it consistent."""

    # No single-column indexes here: the unique slot index serves follow-up
    # lookups and the partial due index serves the lists; each index on 30 M rows counts.
    followup = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="checks", db_constraint=False, db_index=False
    )
    slot_date = models.DateField(_("日期"))
    slot = models.PositiveSmallIntegerField(_("时段"), help_text="index of the day's check window: 0 = morning")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    status = models.CharField(_("状态"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.DUE)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    late = models.BooleanField(default=False, help_text="recorded after its window ended")
    temperature = models.DecimalField(_("体温"), max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.CharField(_("症状"), max_length=120, blank=True, help_text="comma-separated Symptom values")
    note = FreeCharField(_("备注"), max_length=200, blank=True)
    client_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001  (NULL: rows without one never collide)

    class Meta:
        verbose_name = pgettext_lazy("model", "健康检查")
        verbose_name_plural = pgettext_lazy("models", "健康检查")
        indexes = [
            # Overdue and due-now lists and counts: (division codes, status=due,
            # window_end < now), in (division_code, window_end, id) order so the
            # first page of a township's list stops after 50 rows.
            models.Index(
                fields=["division_code", "window_end", "id"],
                condition=Q(status="due"),
                name="healthcheck_due_by_division",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["followup", "slot_date", "slot"], name="healthcheck_one_per_slot"),
            models.UniqueConstraint(
                fields=["client_key"], condition=Q(client_key__isnull=False), name="healthcheck_client_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slot_date} #{self.slot}"

    def symptom_list(self) -> list[str]:
        return [s for s in self.symptoms.split(",") if s]

    def symptom_labels(self) -> list[str]:
        labels = dict(Symptom.choices)
        return [str(labels.get(s, s)) for s in self.symptom_list()]

    @property
    def is_overdue(self) -> bool:
        return self.status == CheckStatus.DUE and self.window_end <= timezone.now()

    @property
    def is_open_now(self) -> bool:
        now = timezone.now()
        return self.status == CheckStatus.DUE and self.window_start <= now < self.window_end


class Referral(DivisionScoped):
    """An escalation: a fever-clinic referral raised by a health check with fever
    (≥ 37.3 °C) or a listed symptom. The community sees it and may close it
    until a clinic picks it up (the medical module); status history in
    core.StatusChange. Further abnormal checks while it is open are counted on it."""

    followup = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    health_check = models.ForeignKey(
        HealthCheck, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    temperature = models.DecimalField(_("体温"), max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.CharField(_("症状"), max_length=120, blank=True)
    reason = FreeCharField(_("转诊原因"), max_length=200)
    checks_count = models.PositiveIntegerField(default=1, help_text="abnormal checks while open")
    status = models.CharField(_("状态"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    outcome = FreeCharField(_("处理结果"), max_length=200, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "就医转诊")
        verbose_name_plural = pgettext_lazy("models", "就医转诊")
        indexes = [models.Index(fields=["division_code", "status", "opened_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["followup"],
                condition=Q(status__in=["open", "picked_up"]),
                name="referral_one_open_per_followup",
            ),
        ]

    def __str__(self) -> str:
        return f"referral #{self.pk}"

    def symptom_labels(self) -> list[str]:
        labels = dict(Symptom.choices)
        return [str(labels.get(s, s)) for s in self.symptoms.split(",") if s]


class DeliveryRequest(DivisionScoped):
    """A care delivery (food, medicine, daily necessities) for a person in
    quarantine or a vulnerable household (elderly alone, low-income, disabled):
    what, for whom, needed by when; a worker or volunteer takes it and marks it
    delivered. Open past ``needed_by`` is overdue."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    followup = models.ForeignKey(FollowUp, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.CharField(_("类别"), max_length=12, choices=DeliveryCategory.choices)
    items = FreeCharField(_("物品"), max_length=200)
    needed_by = models.DateTimeField(_("需送达时间"))
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.OPEN)
    note = FreeCharField(_("备注"), max_length=200, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    volunteer_name = FreeCharField(_("志愿者"), max_length=50, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Unique through Meta.constraints, not unique=True, which on PostgreSQL adds
    # a varchar_pattern_ops ("_like") twin index that no query uses.
    client_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001  (NULL: rows without one never collide)

    class Meta:
        verbose_name = pgettext_lazy("model", "物资配送需求")
        verbose_name_plural = pgettext_lazy("models", "物资配送需求")
        indexes = [models.Index(fields=["division_code", "status", "needed_by"])]
        constraints = [models.UniqueConstraint(fields=["client_key"], name="delivery_client_key")]

    def __str__(self) -> str:
        return f"delivery #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status in (DeliveryStatus.OPEN, DeliveryStatus.TAKEN) and self.needed_by <= timezone.now()


class FollowUpDayCount(models.Model):
    """Roll-up for the command level: events per division code and local day,
    kept by the services in the same transaction as the change (and rebuilt
    from raw rows by ``manage.py followups_recount``). Daily figures are the
    day's row; "how many at the end of day D" is the sum of rows up to D, e.g.
    people in home quarantine = Σ started_home − Σ ended_home.
    ``division_code`` is the record's own code (community or grid)."""

    division_code = models.CharField(max_length=15)
    day = models.DateField()
    started_home = models.IntegerField(default=0)
    started_central = models.IntegerField(default=0)
    started_monitoring = models.IntegerField(default=0)
    started_observation = models.IntegerField(default=0)
    ended_home = models.IntegerField(default=0)
    ended_central = models.IntegerField(default=0)
    ended_monitoring = models.IntegerField(default=0)
    ended_observation = models.IntegerField(default=0)
    checks_due = models.IntegerField(default=0, help_text="checks scheduled for the day (not cancelled)")
    checks_done = models.IntegerField(default=0)
    checks_late = models.IntegerField(default=0)
    checks_missed = models.IntegerField(default=0)
    referrals_opened = models.IntegerField(default=0)
    referrals_left_open = models.IntegerField(default=0, help_text="picked up or closed from open")
    referrals_closed = models.IntegerField(default=0)
    deliveries_requested = models.IntegerField(default=0)
    deliveries_done = models.IntegerField(default=0)
    deliveries_cancelled = models.IntegerField(default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "隔离每日统计")
        verbose_name_plural = pgettext_lazy("models", "隔离每日统计")
        constraints = [models.UniqueConstraint(fields=["division_code", "day"], name="followup_daycount_unique")]
        indexes = [models.Index(fields=["day", "division_code"])]

    def __str__(self) -> str:
        return f"{self.division_code} {self.day}"


KIND_COLUMN = {
    FollowUpKind.HOME_QUARANTINE: "home",
    FollowUpKind.CENTRAL_QUARANTINE: "central",
    FollowUpKind.HEALTH_MONITORING: "monitoring",
    FollowUpKind.MEDICAL_OBSERVATION: "observation",
}
