"""Shared write helpers: status history and client keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .models import StatusChange

M = TypeVar("M", bound=models.Model)


def status_change_record(
    *, actor: Any, obj: models.Model, to_status: str, from_status: str = "", reason: str = ""
) -> StatusChange:
    """Append one line of status history for ``obj`` (call inside the service's transaction)."""
    return StatusChange.objects.create(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        division_code=getattr(obj, "division_code", ""),
        from_status=from_status,
        to_status=to_status,
        reason=(reason or "")[:200],
        actor=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
    )


def status_history(obj: models.Model) -> list[StatusChange]:
    return list(
        StatusChange.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("actor")
    )


def idempotent_create(
    model: type[M], client_key: str | None, create: Callable[[], M], *, check_first: bool = True
) -> tuple[M, bool]:
    """Client keys: a phone that retries a submission gets the first result back.

    ``model`` must have a unique ``client_key`` field. Returns (object, created).
    Safe against two concurrent submissions of the same key: the loser of the
    race reads the winner's row. ``check_first=False`` skips the lookup before
    the insert, for a hot path where retries are rare: a retry then does its
    writes, fails on the key and rolls all of them back."""
    if client_key and check_first:
        existing = model._default_manager.filter(client_key=client_key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        if not client_key:
            raise
        existing = model._default_manager.filter(client_key=client_key).first()
        if existing is None:
            raise
        return existing, False
