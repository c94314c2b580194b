from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from fangkong.lib.codes import prefix_range

from .choices import Level


class DivisionQuerySet(models.QuerySet):
    def under(self, prefix: str):
        lo, hi = prefix_range(prefix)
        return self.filter(code__gte=lo, code__lt=hi)


class Division(models.Model):
    """An administrative division (province … village/community) or a grid (网格)
    inside a community, keyed by its national statistical code, which is also its
    materialized path. Person and household counts are maintained by the people
    services and can be rebuilt from raw rows (``fangkong divisions recount``)."""

    code = models.CharField(max_length=15, primary_key=True)
    name = models.CharField(max_length=100, help_text="official name, e.g. 清华园社区居民委员会")
    short_name = models.CharField(max_length=60, help_text="everyday name, e.g. 清华园社区")
    level = models.CharField(max_length=10, choices=Level.choices)
    parent_code = models.CharField(max_length=15, blank=True, db_index=True)
    person_count = models.PositiveIntegerField(default=0)
    household_count = models.PositiveIntegerField(default=0)

    objects = DivisionQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "行政区划")
        verbose_name_plural = pgettext_lazy("models", "行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.short_name} ({self.code})"
