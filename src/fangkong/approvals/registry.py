"""What can be approved. Each app registers its kinds at import time (in its
``apps.py`` ready()): who may decide (a capability at the object's division),
what happens when the request is approved (or rejected), and optionally how
the request describes itself on the approver's card (``describe``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Description:
    """What an approver needs to decide from a phone: whom it is about (masked),
    what changes (measure, dates), and a link to the record. No plaintext ID
    numbers or phones."""

    summary: str  # e.g. "张* 410611********123X · 居家隔离 → 健康监测"
    details: tuple[str, ...] = ()  # one line each: dates, place, conditions
    url: str = ""  # the record's page (scoped like the request)


@dataclass(frozen=True)
class ApprovalKind:
    code: str
    label: str
    capability: str  # the decider needs this capability at the request's division
    apply: Callable  # apply(*, approval, decider) -> None, runs in the deciding transaction
    on_reject: Callable | None = None
    # describe(approval) -> Description | None: what the approval card shows
    describe: Callable | None = None


_KINDS: dict[str, ApprovalKind] = {}


def register(kind: ApprovalKind) -> None:
    _KINDS[kind.code] = kind


def get(code: str) -> ApprovalKind:
    return _KINDS[code]


def labels() -> dict[str, str]:
    return {k.code: k.label for k in _KINDS.values()}


def describe(approval) -> Description | None:
    """The kind's own description of ``approval``, or None when it has none."""
    kind = _KINDS.get(approval.kind)
    if kind is None or kind.describe is None:
        return None
    return kind.describe(approval)
