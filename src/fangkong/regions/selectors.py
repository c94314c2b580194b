"""Reads of the division tree, scoped to the acting user's jurisdiction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

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

# Every inbound passage names a community, and every list names the places of
# its rows: a per-process table of the city's divisions, the city down to its
# grids (a few thousand short rows), answers without a query.
# A code missing from it is looked up directly, so a division added since the
# last refresh is found at once; one removed stays valid until the refresh.
PLACE_CACHE_SECONDS = 300
_place_cache: dict[str, object] = {}


def _city_place_table() -> dict[str, tuple[str, str, str]]:
    """code → (name, short_name, level) of every division of the city, the city
    itself down to its grids."""
    import time

    now = time.monotonic()
    city = city_code()
    if _place_cache.get("city") == city and _place_cache.get("expires", 0) > now:
        return _place_cache["table"]
    rows = Division.objects.under(city).values_list("code", "name", "short_name", "level")
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
    found = {
        c: Division(code=c, name=table[c][0], short_name=table[c][1], level=table[c][2])
        for c in valid
        if c in table and table[c][2] in ("community", "grid")
    }
    missing = valid - set(found)
    if missing:
        found.update(
            {
                d.code: d
                for d in Division.objects.filter(code__in=missing, level__in=["community", "grid"]).only(
                    "code", "name", "short_name", "level"
                )
            }
        )
    return {c: found.get(c) for c in wanted}


def city_place(code: str) -> Division | None:
    """One community or grid of this city (see ``city_places``)."""
    code = (code or "").strip()
    return city_places([code])[code]


def place_cache_clear() -> None:
    """Forget this process's table of the city's places (after the divisions changed)."""
    _place_cache.clear()


# ---------------------------------------------------------------- names of divisions


def division_names(codes: Iterable[str]) -> dict[str, str]:
    """The everyday name (``short_name``) of each of these codes that is a
    division, any level; a code that is none is left out. The city's come from
    the per-process table without a query, the rest (outside the city, or added
    since the table was read) in one query. Unscoped: the names of places are
    not personal data."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    city = city_code()
    table = _city_place_table() if any(c.startswith(city) for c in wanted) else {}
    names = {c: table[c][1] for c in wanted if c in table}
    missing = wanted - names.keys()
    if missing:
        names.update(Division.objects.filter(code__in=missing).values_list("code", "short_name"))
    return names


class DivisionNames:
    """Everyday names for a list read row by row (an export), where the codes
    are not known beforehand: ``names.get(code, "")``. The city's come from the
    per-process table; any other code is looked up once, when first asked for."""

    def __init__(self):
        self._table: dict[str, tuple[str, str, str]] | None = None
        self._more: dict[str, str | None] = {}

    def get(self, code: str, default: str = "") -> str:
        if not code:
            return default
        if self._table is None:
            self._table = _city_place_table()
        row = self._table.get(code)
        if row is not None:
            return row[1]
        if code not in self._more:
            self._more[code] = division_names([code]).get(code)
        found = self._more[code]
        return default if found is None else found


# ---------------------------------------------------------------- places the user may manage


def places_user_may_manage(
    user, capability: str, *, levels: Sequence[str] | Callable[[str], Sequence[str]], under: str = "", limit: int = 300
) -> list[Division]:
    """The divisions at ``levels`` where the user holds ``capability`` (the
    choices of a form's place picker), by code, at most ``limit``. ``levels``
    may be a function of an assignment's prefix (the levels to list below a
    county differ from those below a township); ``under`` narrows the places
    to one division. One query; none without such an assignment."""
    ranges = Q()
    any_range = False
    for prefix in scope_prefixes(user, capability):
        if under and not (prefix.startswith(under) or under.startswith(prefix)):
            continue
        wanted = list(levels(prefix) if callable(levels) else levels)
        if not wanted:
            continue
        lo, hi = prefix_range(max(prefix, under, key=len))
        ranges |= Q(code__gte=lo, code__lt=hi, level__in=wanted)
        any_range = True
    if not any_range:
        return []
    return list(Division.objects.filter(ranges).order_by("code")[:limit])


# ---------------------------------------------------------------- a place by its typed name


def city_place_named(text: str | None) -> Division | None:
    """The community or grid of this city that a typed name means, or None when
    it means none or several (the person must then pick one from the list).
    Spaces are ignored. A name equal to a place's everyday or official name
    wins (``西马庄村``, ``西马庄村民委员会``); else a text found in exactly one
    place's name (``清华园``). A name several places share (``马庄村``: two in
    浚县, one in 淇县) finds nothing; neither do digits (codes are not names)."""
    q = "".join((text or "").split())[:30]
    if not q or q.isdigit():
        return None
    places = (
        Division.objects.under(city_code())
        .filter(level__in=["community", "grid"])
        .only("code", "name", "short_name", "level")
        .order_by("level", "code")
    )
    found = list(places.filter(Q(short_name=q) | Q(name=q))[:2])
    if not found:
        found = list(places.filter(Q(short_name__contains=q) | Q(name__contains=q))[:2])
    return found[0] if len(found) == 1 else None
