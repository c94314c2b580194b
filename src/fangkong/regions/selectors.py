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


# ---------------------------------------------------------------- the city's communities and grids

# Every inbound passage names a community: a per-process table of the city's
# communities and grids (a few thousand short rows) answers without a query.
# A code missing from it is looked up directly, so a division added since the
# last refresh is found at once; one removed stays valid until the refresh.
PLACE_CACHE_SECONDS = 300
_place_cache: dict[str, object] = {}


def _city_place_table() -> dict[str, tuple[str, str, str]]:
    import time

    now = time.monotonic()
    city = city_code()
    if _place_cache.get("city") == city and _place_cache.get("expires", 0) > now:
        return _place_cache["table"]
    rows = (Division.objects.under(city).filter(level__in=["community", "grid"])
            .values_list("code", "name", "short_name", "level"))
    table = {code: (name, short, level) for code, name, short, level in rows}
    _place_cache.update(city=city, expires=now + PLACE_CACHE_SECONDS, table=table)
    return table


def city_places(codes) -> dict[str, Division | None]:
    """Community or grid of this city for each code (None if it is not one),
    looked up without scoping: names of places are not personal data. The
    Divisions carry code, name, short_name and level only."""
    city = city_code()
    wanted = {(c or "").strip() for c in codes}
    valid = {c for c in wanted if c.isdigit() and len(c) in (12, 15) and c.startswith(city)}
    table = _city_place_table() if valid else {}
    found = {c: Division(code=c, name=table[c][0], short_name=table[c][1], level=table[c][2])
             for c in valid if c in table}
    missing = valid - set(found)
    if missing:
        found.update({d.code: d for d in Division.objects.filter(code__in=missing, level__in=["community", "grid"])
                      .only("code", "name", "short_name", "level")})
    return {c: found.get(c) for c in wanted}


def city_place(code: str) -> Division | None:
    """One community or grid of this city (see ``city_places``)."""
    code = (code or "").strip()
    return city_places([code])[code]
