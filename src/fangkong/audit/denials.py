"""Denied access leaves a trace: a request answered 403 (forbidden) or 404
because the object lies outside the user's jurisdiction writes an audit entry
``denied`` (``DeniedAuditMiddleware``). ``accounts.scoping`` notes which object
it refused (``note_out_of_scope``); a 404 for what does not exist is not
audited. Each user's denied entries are limited to ``DENIED_LIMIT`` per
``DENIED_WINDOW`` (counted in the database, under a lock on the user's denials
— PostgreSQL: an advisory lock; SQLite: its single writer — so the limit holds
across processes): someone probing ids cannot flood the trail,
and the entry that reaches the limit says so."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

DENIED_LIMIT = 20
DENIED_WINDOW = dt.timedelta(minutes=10)
# pg_advisory_xact_lock(key, user id): one user's denied entries ("fkdn").
DENIED_LOCK = 0x666B646E

_noted: contextvars.ContextVar[dict | None] = contextvars.ContextVar("fangkong_denied", default=None)


def watching_denials() -> bool:
    """True while a request is under ``DeniedAuditMiddleware``."""
    return _noted.get() is not None


def note_out_of_scope(obj=None, *, object_type: str = "", object_id=None, division_code: str = "") -> None:
    """Called by the scoping functions as they refuse an existing object."""
    holder = _noted.get()
    if holder is None:
        return
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = obj.pk
        division_code = getattr(obj, "division_code", "") or ""
    holder.update(object_type=object_type, object_id=object_id, division_code=division_code)


def record_denied(
    actor,
    *,
    request=None,
    status: int,
    why: str,
    view: str = "",
    object_type: str = "",
    object_id=None,
    division_code: str = "",
):
    """The ``denied`` entry, unless the actor reached the limit; None then."""
    from .models import AuditEntry
    from .services import record

    with transaction.atomic():
        if connection.vendor == "postgresql":  # the count and the insert under one lock: exact across processes
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DENIED_LOCK, getattr(actor, "pk", 0) or 0])
        n = AuditEntry.objects.filter(actor=actor, at__gte=timezone.now() - DENIED_WINDOW, action="denied").count()
        if n >= DENIED_LIMIT:
            return None
        detail = {"status": status, "why": why, "view": view[:100], "method": getattr(request, "method", "")}
        if n == DENIED_LIMIT - 1:
            detail["limit_reached"] = True
        return record(
            actor,
            "denied",
            object_type=object_type,
            object_id=object_id,
            division_code=division_code,
            detail=detail,
            request=request,
        )


class DeniedAuditMiddleware:
    """After the response: a signed-in user's 403, or 404 on an object outside
    their jurisdiction, is audited (pages and the API alike)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _noted.set({})
        try:
            response = self.get_response(request)
            if response.status_code in (403, 404):
                self._audit(request, response.status_code, _noted.get() or {})
        finally:
            _noted.reset(token)
        return response

    @staticmethod
    def _audit(request, status: int, noted: dict) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or (status == 404 and not noted):
            return
        match = getattr(request, "resolver_match", None)
        try:
            record_denied(
                user,
                request=request,
                status=status,
                why="out_of_scope" if noted else "forbidden",
                view=match.view_name if match else "",
                **noted,
            )
        except DatabaseError:
            # The refusal stands; a trail that cannot be written is an operator's matter.
            logger.exception("could not audit a denied request")
