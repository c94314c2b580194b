"""``record``: the one way to write the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fangkong.accounts.scoping import acting_assignment
from fangkong.core.http import client_ip
from fangkong.core.rowsql import insert

from .chain import seal_inserted
from .models import AuditEntry

_SAFE_DETAIL_TYPES = (str, int, float, bool, type(None))


def entry(
    actor,
    action: str,
    obj: Any = None,
    *,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    division_code: str | None = None,
    request=None,
) -> AuditEntry:
    """An audit entry, not yet written: ``record`` writes one, ``record_all``
    writes several in one statement (hot paths that audit two objects at once)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
        division_code = division_code or getattr(obj, "division_code", None) or getattr(obj, "code", "")
    division_code = division_code or ""
    detail = {k: v for k, v in (detail or {}).items() if isinstance(v, _SAFE_DETAIL_TYPES)}
    assignment = acting_assignment(actor, division_code or None) if actor is not None else None
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "",
        role=assignment.role if assignment else "",
        actor_division_code=assignment.division_id if assignment else "",
        action=action,
        object_type=object_type or "",
        object_id=str(object_id or "")[:40],
        division_code=division_code,
        reason=(reason or "")[:200],
        detail=detail,
        ip=client_ip(request) if request is not None else None,
    )


def record(actor, action: str, obj: Any = None, **kwargs) -> AuditEntry:
    """Append an audit entry. ``obj`` (a model instance) names the object; pass
    ``object_type``/``division_code`` for actions on a list (search, export).
    ``detail`` must hold only non-personal facts (counts, field names, kinds).
    Keyword arguments as for ``entry``."""
    audit = entry(actor, action, obj, **kwargs)
    audit.save()
    return audit


def record_all(entries: list[AuditEntry]) -> None:
    """Append several entries made by ``entry`` in one INSERT (a statement
    built once for a few entries: every registration writes some). No lock:
    they are sealed into the hash chain after the commit (audit/chain.py)."""
    if not entries:
        return
    with transaction.atomic(savepoint=False):
        insert(entries)
        seal_inserted(entries)
