"""The kinds of ledger that can be imported, and who may import them. A new
kind is a ``fangkong.lib.excel.Ledger`` subclass in the app that owns the data,
registered by that app (``register`` in its AppConfig.ready())."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    ledger: str  # dotted path of the Ledger subclass; constructed with user=
    capability: str
    filename: str  # template file name, ASCII
    object_type: str  # what the audit entry of an import names
    description: str = ""  # one line on the import page


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.code] = kind


def get_kind(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise Http404 from None


def make_ledger(code: str, user):
    return import_string(get_kind(code).ledger)(user=user)
