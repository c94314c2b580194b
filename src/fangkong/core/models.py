"""Abstract bases shared by business models."""

from __future__ import annotations

from django.db import models

from fangkong.lib.codes import prefix_range


class DivisionScopedQuerySet(models.QuerySet):
    """Every business model's queryset: ``under(code)`` is one index range scan."""

    def under(self, prefix: str):
        lo, hi = prefix_range(prefix)
        return self.filter(division_code__gte=lo, division_code__lt=hi)

    def visible_to(self, user):
        from fangkong.accounts.scoping import scope_filter

        return scope_filter(self, user)


class DivisionScoped(models.Model):
    """A record that belongs to a place: carries its division code, denormalized."""

    division_code = models.CharField(max_length=15, db_index=True)

    objects = DivisionScopedQuerySet.as_manager()

    class Meta:
        abstract = True
