from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.fields import FreeCharField, FreeTextField
from fangkong.core.models import DivisionScoped, DivisionScopedQuerySet
from fangkong.people.models import RecordedIdentity

from .choices import Direction, Kind, Level, Outcome, Purpose, RiskLevel, Status


class Checkpoint(DivisionScoped):
    """A checkpoint (卡点): an expressway exit or railway station run by the city,
    a county road checkpoint, a village entrance or compound gate. Sits in a
    division (``division_code``: where it is, at least as fine as its level
    requires); its status (open/closed) has a history in core.StatusChange."""

    name = FreeCharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    location = FreeCharField(_("位置"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    status_changed_at = models.DateTimeField(default=timezone.now)
    note = FreeCharField(_("备注"), max_length=200, blank=True)
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
        verbose_name = pgettext_lazy("model", "卡点")
        verbose_name_plural = pgettext_lazy("models", "卡点")
        ordering = ["division_code", "name"]
        indexes = [models.Index(fields=["division_code"], name="checkpoint_division")]  # the scoped lists (a range)

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN


class WorkNorm(models.Model):
    """One item of a level's work norms (工作规范), e.g. "每位进入人员均测量体温"
    for every checkpoint of that level; ticked on each shift's checklist."""

    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    position = models.PositiveSmallIntegerField(default=0)
    text = FreeCharField(_("规范内容"), max_length=200)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "工作规范条目")
        verbose_name_plural = pgettext_lazy("models", "工作规范条目")
        ordering = ["level", "position", "id"]

    def __str__(self) -> str:
        return self.text


class Shift(DivisionScoped):
    """A duty shift at a checkpoint: when, who (staff accounts and the free-text
    names of volunteers and party members), the checklist of the level's work
    norms ticked during the shift, and the handover note to the next shift.
    ``division_code`` is the checkpoint's."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="checkpoint_shifts", verbose_name=_("值守人员（账号）")
    )
    volunteers = FreeCharField(_("志愿者、党员（姓名）"), max_length=300, blank=True)
    handover_note = FreeTextField(_("交接班记录"), max_length=2000, blank=True)
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
        verbose_name = pgettext_lazy("model", "值守班次")
        verbose_name_plural = pgettext_lazy("models", "值守班次")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["checkpoint", "starts_at"]),
            models.Index(fields=["division_code"], name="shift_division"),
        ]  # the scoped rosters (a range)
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint} {timezone.localtime(self.starts_at):%m-%d %H:%M}"

    def volunteer_names(self) -> list[str]:
        return [n for n in self.volunteers.replace("，", ",").replace("、", ",").split(",") if n.strip()]


class ShiftCheck(models.Model):
    """A work norm ticked on a shift: who confirmed it and when. The norm's text
    is kept as it read then, so a later edit of the norms does not rewrite history."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="checks")
    norm = models.ForeignKey(WorkNorm, on_delete=models.PROTECT, related_name="+")
    norm_text = FreeCharField(max_length=200)
    checked_at = models.DateTimeField(default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "班次规范确认")
        verbose_name_plural = pgettext_lazy("models", "班次规范确认")
        constraints = [models.UniqueConstraint(fields=["shift", "norm"], name="shift_check_once")]

    def __str__(self) -> str:
        return f"{self.shift_id}: {self.norm_text}"


class RiskArea(models.Model):
    """A risk origin kept by the command HQ: a province or city (national code),
    its level, and the dates it applies (``ends_on`` empty: until further notice).
    A passage from a current risk area is flagged."""

    origin_code = models.CharField(_("地区代码"), max_length=6)
    origin_name = FreeCharField(_("地区"), max_length=60)
    level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    note = FreeCharField(_("备注"), max_length=200, blank=True)
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
        verbose_name = pgettext_lazy("model", "风险地区")
        verbose_name_plural = pgettext_lazy("models", "风险地区")
        ordering = ["-starts_on", "origin_code"]
        indexes = [models.Index(fields=["origin_code", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.origin_name} {self.get_level_display()}"

    def is_current(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class PassageQuerySet(DivisionScopedQuerySet):
    def flagged(self):
        return self.filter(models.Q(fever=True) | models.Q(risk_area=True))


class Passage(DivisionScoped, RecordedIdentity):
    """One person passing a checkpoint, registered by its staff: who (a typed,
    protected identity, linked to the registry when known), the vehicle (plate;
    a carload shares ``vehicle_group``), direction, origin, destination,
    temperature, purpose and the flags derived from them (fever, risk-area
    origin). ``division_code`` is the checkpoint's, so the checkpoint's
    jurisdiction sees it; an inbound passage bound for a community in the city
    has put an ``arrival`` into that community's queue if the queue rule
    (screening.rules.passage_queues) wanted one. ``client_key`` makes a
    retried submission return the first passage."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="passages", db_index=False)
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    registered_on = models.DateField(_("登记日期"), help_text="local (Asia/Shanghai) day of registered_at")
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    plate = models.CharField(_("车牌号"), max_length=12, blank=True)
    vehicle_group = models.UUIDField(
        null=True, blank=True, db_index=True, help_text="shared by the people registered together from one vehicle"
    )
    origin_code = models.CharField(_("来源地代码"), max_length=6, blank=True)
    origin_name = FreeCharField(_("来源地"), max_length=60, blank=True)
    destination_code = models.CharField(_("目的地代码"), max_length=15, blank=True)
    destination_name = FreeCharField(_("目的地"), max_length=100, blank=True)
    temperature = models.DecimalField(_("体温"), max_digits=3, decimal_places=1)
    fever = models.BooleanField(_("发热"), default=False)
    risk_area = models.BooleanField(_("来自风险地区"), default=False)
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices, blank=True)
    purpose = models.CharField(_("事由"), max_length=12, choices=Purpose.choices, blank=True)
    note = FreeCharField(_("备注"), max_length=200, blank=True)
    recheck_temperature = models.DecimalField(_("复测体温"), max_digits=3, decimal_places=1, null=True, blank=True)
    outcome = models.CharField(_("处置结果"), max_length=12, choices=Outcome.choices, blank=True)
    # Unique through Meta.constraints, not unique=True, which on PostgreSQL adds a
    # varchar_pattern_ops ("_like") twin index that no query uses.
    client_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001  (NULL: rows without one never collide)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    arrival = models.ForeignKey(
        "screening.Arrival",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    objects = PassageQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "通行登记")
        verbose_name_plural = pgettext_lazy("models", "通行登记")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["division_code", "registered_at"], name="passage_division_time"),
            models.Index(fields=["checkpoint", "registered_at"], name="passage_checkpoint_time"),
            # The command level's counts (one day, a code prefix) use the index
            # passage_day_division on (registered_on, division_code), created by
            # migration 0002: on PostgreSQL it also INCLUDEs the counted columns
            # (an index-only scan), which SQLite cannot do.
        ]
        constraints = [models.UniqueConstraint(fields=["client_key"], name="passage_client_key")]

    def __str__(self) -> str:
        return f"{self.name} {self.get_direction_display()} {self.checkpoint_id}"

    @property
    def flagged(self) -> bool:
        return self.fever or self.risk_area

    def flag_list(self) -> list[str]:
        return [f for f, on in (("fever", self.fever), ("risk_area", self.risk_area)) if on]
