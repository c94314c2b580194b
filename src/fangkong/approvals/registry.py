"""What can be approved. Each app registers its kinds at import time (in its
``apps.py`` ready()): who may decide (a capability at the object's division)
and what happens when the request is approved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ApprovalKind:
    code: str
    label: str
    capability: str  # the decider needs this capability at the request's division
    apply: Callable  # apply(*, approval, decider) -> None, runs in the deciding transaction
    on_reject: Callable | None = None


_KINDS: dict[str, ApprovalKind] = {}


def register(kind: ApprovalKind) -> None:
    _KINDS[kind.code] = kind


def get(code: str) -> ApprovalKind:
    return _KINDS[code]


def labels() -> dict[str, str]:
    return {k.code: k.label for k in _KINDS.values()}
