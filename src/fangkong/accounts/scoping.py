"""The one scoping function. Every read of business data passes through here.

A user's jurisdiction is the set of division-code prefixes of their active
assignments; a row is visible iff its ``division_code`` starts with one of them,
expressed as half-open ranges so each is one index range scan. A user with no
assignment sees nothing (superusers included: the admin site is separate).
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from fangkong.audit.denials import note_out_of_scope, watching_denials
from fangkong.lib.codes import collapse_prefixes, is_code, prefix_range

_QS = TypeVar("_QS", bound=QuerySet[Any])

_CACHE_ATTR = "_fangkong_scope"


# Assignments of recently active users, per process: user id → (scope stamp,
# expiry, assignments). Every request loads the user anyway; its scope stamp
# changes with any change of its assignments, so a hit is never stale (the
# expiry only bounds how long a renamed division's old name can show).
SCOPE_CACHE_SECONDS = 60
SCOPE_CACHE_USERS = 10_000
_scope_cache: dict[int, tuple[str, float, list]] = {}


def active_assignments(user) -> list:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_fangkong_assignments", None)
    if cached is None:
        stamp = getattr(user, "scope_stamp", None)
        now = time.monotonic()
        hit = _scope_cache.get(user.pk)
        if stamp and hit is not None and hit[0] == stamp and hit[1] > now:
            cached = hit[2]
        else:
            cached = list(user.assignments.filter(active=True).select_related("division").order_by("id"))
            if stamp:
                if len(_scope_cache) >= SCOPE_CACHE_USERS:
                    _scope_cache.clear()
                _scope_cache[user.pk] = (stamp, now + SCOPE_CACHE_SECONDS, cached)
        user._fangkong_assignments = cached
    return cached


def scope_prefixes(user, capability: str | None = None) -> list[str]:
    """Division prefixes the user may act in (optionally: with this capability)."""
    from .roles import CAPABILITIES

    return collapse_prefixes(
        [a.division_id for a in active_assignments(user) if capability is None or capability in CAPABILITIES[a.role]]
    )


def scope_q(user, field: str = "division_code", capability: str | None = None) -> Q:
    prefixes = scope_prefixes(user, capability)
    if not prefixes:
        return Q(pk__in=[])
    q = Q()
    for p in prefixes:
        lo, hi = prefix_range(p)
        q |= Q(**{f"{field}__gte": lo, f"{field}__lt": hi})
    return q


def scope_filter(qs: _QS, user, capability: str | None = None, field: str = "division_code") -> _QS:
    """``qs`` restricted to the user's jurisdiction."""
    prefixes = scope_prefixes(user, capability)
    if not prefixes:
        return qs.none()
    return qs.filter(scope_q(user, field, capability))


def user_can_see_code(user, code: str, capability: str | None = None) -> bool:
    return any(code.startswith(p) for p in scope_prefixes(user, capability))


def require_division(user, code: str, capability: str | None = None) -> str:
    """A division asked for in a filter (``?division=``, ``prefix``) must lie
    inside the user's jurisdiction (with ``capability``, if given): outside —
    or malformed — is the same 404 as an outside record, never an empty list.
    An empty code (no filter) passes."""
    if code and not (is_code(code) and user_can_see_code(user, code, capability)):
        raise Http404
    return code


def in_scope(obj, user, capability: str | None = None):
    """``obj`` (fetched by key) if it lies inside the user's jurisdiction;
    outside or missing (None) is the same 404."""
    if obj is None or not user_can_see_code(user, obj.division_code or "", capability):
        if obj is not None:
            note_out_of_scope(obj)  # audited as denied (audit/denials.py)
        raise Http404
    return obj


def get_for_user(qs: QuerySet, user, capability: str | None = None, **lookup):
    """One object inside the user's jurisdiction; outside or missing is the same 404."""
    try:
        if len(lookup) == 1 and next(iter(lookup)) in ("pk", "id"):
            # By primary key: fetch, then test its code against the same prefixes
            # (no range condition to build for one row).
            return in_scope(qs.get(**lookup), user, capability)
        return scope_filter(qs, user, capability).get(**lookup)
    except qs.model.DoesNotExist:
        if watching_denials():  # outside rather than missing: audited as denied (audit/denials.py)
            outside = qs.filter(**lookup).first()
            if outside is not None:
                note_out_of_scope(outside)
        raise Http404 from None
    except (ValueError, TypeError):
        raise Http404 from None


def has_capability(user, capability: str, code: str | None = None) -> bool:
    """True if some active assignment grants ``capability`` (at ``code``, if given)."""
    from .roles import CAPABILITIES

    return any(
        capability in CAPABILITIES[a.role] and (code is None or code.startswith(a.division_id))
        for a in active_assignments(user)
    )


def require_capability(user, capability: str, code: str | None = None, message: str | None = None) -> None:
    """PermissionDenied (a 403 with ``message``, by default "您没有此项操作的权限。")
    unless ``has_capability``: the one check every service and endpoint makes."""
    if not has_capability(user, capability, code):
        raise PermissionDenied(message or _("您没有此项操作的权限。"))


def acting_assignment(user, code: str | None = None):
    """The assignment under which the user acts on ``code``: the most specific one
    covering it, else the first. Audit entries record its role and division."""
    assignments = active_assignments(user)
    if code:
        covering = [a for a in assignments if code.startswith(a.division_id)]
        if covering:
            return max(covering, key=lambda a: len(a.division_id))
    return assignments[0] if assignments else None
