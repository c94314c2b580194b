"""The kinds of ledger that can be imported, and who may import them. A new
kind is a ``fangkong.lib.excel.Ledger`` subclass in the app that owns the data,
listed here."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.roles import PEOPLE_IMPORT


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    ledger: str  # dotted path of the Ledger subclass; constructed with user=
    capability: str
    filename: str  # template file name, ASCII
    object_type: str  # what the audit entry of an import names
    description: str = ""  # one line on the import page


KINDS: dict[str, Kind] = {
    "people": Kind("people", _("户籍人员台账（户和人员）"), "fangkong.people.ledger.PeopleLedger", PEOPLE_IMPORT,
                   "people-template.xlsx", "people.person",
                   _("每行一个人；同一村/社区内地址相同的人归为一户，系统中已有该地址的户时加入该户。")),
}


def get_kind(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise Http404 from None


def make_ledger(code: str, user):
    return import_string(get_kind(code).ledger)(user=user)
