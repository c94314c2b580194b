"""Abstract bases shared by business models."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.db import models
from django.utils.translation import pgettext_lazy

from fangkong.core.fields import FreeCharField
from fangkong.lib.codes import prefix_range

_M = TypeVar("_M", bound=models.Model)


class DivisionScopedQuerySet(models.QuerySet[_M]):
    """Every business model's queryset: ``under(code)`` is one index range scan."""

    def under(self, prefix: str) -> Self:
        lo, hi = prefix_range(prefix)
        return self.filter(division_code__gte=lo, division_code__lt=hi)

    def visible_to(self, user: Any) -> Self:
        from fangkong.accounts.scoping import scope_filter

        return scope_filter(self, user)


class DivisionScoped(models.Model):
    """A record that belongs to a place: carries its division code, denormalized.

    The field has no ``db_index``: on PostgreSQL that would add a
    varchar_pattern_ops ("_like") twin no query uses (scoping compares ranges).
    Each subclass states in ``Meta.indexes`` the index its scoped queries use:
    a composite leading with ``division_code``, or ``division_code`` alone
    (``core/tests/test_write_indexes.py`` checks every subclass)."""

    division_code = models.CharField(max_length=15)

    objects = DivisionScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class StatusChange(models.Model):
    """Status history, shared by every model with a status (quarantine orders,
    checkpoints, cases, directives): who changed it from what to what, when and
    why. Append-only; the current status lives on the object itself."""

    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    division_code = models.CharField(max_length=15, db_index=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    reason = FreeCharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "状态变更记录")
        verbose_name_plural = pgettext_lazy("models", "状态变更记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}: {self.from_status} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("status history cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("status history cannot be deleted")


class Throttle(models.Model):
    """One counting window of one request limit (``core.throttle``): how many
    requests one client made in it. Shared by every server process, unlike a
    per-process cache; a key is a keyed hash of what it counts (an address, a
    user), never the thing itself. Transient: expired windows are deleted."""

    key = models.CharField(max_length=64, help_text="HMAC-SHA256 of the limit's name and the client")
    window = models.CharField(
        max_length=48, help_text="the limit's name and the window's local start, e.g. self-report.minute@202011291712"
    )
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = pgettext_lazy("model", "限流计数")
        verbose_name_plural = pgettext_lazy("models", "限流计数")
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="core_throttle_key_window")]
        indexes = [models.Index(fields=["expires_at"], name="core_throttle_expires")]

    def __str__(self) -> str:
        return f"{self.window}: {self.count}"
