"""Reads of the division tree, scoped to the acting user's jurisdiction."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from fangkong.accounts.scoping import scope_prefixes, user_can_see_code
from fangkong.lib.codes import ancestors, prefix_range

from .models import Division


def division_get(*, user, code: str) -> Division:
    """A division inside the user's jurisdiction; anything else is a 404."""
    if not user_can_see_code(user, code):
        raise Http404
    try:
        return Division.objects.get(code=code)
    except Division.DoesNotExist:
        raise Http404 from None


def division_children(*, user, code: str) -> list[Division]:
    parent = division_get(user=user, code=code)
    return list(Division.objects.filter(parent_code=parent.code).order_by("code"))


def division_roots(*, user) -> list[Division]:
    """The top divisions of the user's jurisdiction (one per assignment)."""
    return list(Division.objects.filter(code__in=scope_prefixes(user)).order_by("code"))


def division_breadcrumbs(*, code: str) -> list[Division]:
    """Ancestors of a code, for navigation (names only)."""
    return list(Division.objects.filter(code__in=ancestors(code)).order_by("code"))


def division_search(*, user, q: str = "", levels: list[str] | None = None, limit: int = 20) -> list[Division]:
    """Divisions in scope whose name or code matches, for search-as-you-type pickers."""
    prefixes = scope_prefixes(user)
    if not prefixes:
        return []
    scope = Q()
    for p in prefixes:
        lo, hi = prefix_range(p)
        scope |= Q(code__gte=lo, code__lt=hi)
    qs = Division.objects.filter(scope)
    if levels:
        qs = qs.filter(level__in=levels)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(name__contains=q)
    return list(qs.order_by("code")[: max(1, min(limit, 100))])


def city_code() -> str:
    """The city this deployment serves (settings.FANGKONG_CITY_CODE, e.g. 4106):
    destinations, checkpoints and city-wide lists lie under it."""
    from django.conf import settings

    return settings.FANGKONG_CITY_CODE
