"""Model fields for free text a person types: reasons, notes, outcomes, places.

A reason such as "核对身份证410611198008300839与电话15544776939" would otherwise
stay readable in full, to everyone who may read the record, for as long as the
record lives (the audit trail is append-only: forever). These fields store
free text with every ID-number-like and mobile-like run masked
(``lib.masking.mask_numbers``), however the value arrives: ``save()``,
``bulk_create``, ``core.rowsql.insert`` (all call ``pre_save``, which also puts
the masked text back on the instance, so what a page shows after a save is
what was stored) and ``QuerySet.update`` (``get_prep_value``). A JSON field
masks every string in it, except under keys that hold codes the system wrote
(a 15-digit grid code may read as an old ID number).

The masked form is final: nobody can reveal what was typed, because a number
typed into a note was never checked, never encrypted and never meant to be kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import models

from fangkong.lib.masking import mask_numbers


def _mask(value: Any) -> Any:
    return mask_numbers(value) if isinstance(value, str) else value


def _plain_path(
    field: object, name: str, path: str, args: Sequence[Any], kwargs: dict[str, Any]
) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
    """Deconstruct as the plain Django field: the column is the same, so the
    migrations state has no reason to change — and on SQLite an AlterField
    would rebuild the table, dropping the audit trail's append-only triggers."""
    base = next(c for c in type(field).__mro__ if c.__module__.startswith("django.db.models"))
    return name, f"django.db.models.{base.__name__}", args, kwargs


class _MaskedText:
    """Mixin for CharField and TextField."""

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        return _plain_path(self, *super().deconstruct())  # type: ignore[misc]

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = _mask(super().pre_save(model_instance, add))  # type: ignore[misc]
        setattr(model_instance, self.attname, value)  # type: ignore[attr-defined]
        return value

    def get_prep_value(self, value: Any) -> Any:
        return _mask(super().get_prep_value(value))  # type: ignore[misc]


if TYPE_CHECKING:  # the fields are generic only in django-stubs
    _CharField = models.CharField[Any, Any]
    _TextField = models.TextField[Any, Any]
else:
    _CharField = models.CharField
    _TextField = models.TextField


class FreeCharField(_MaskedText, _CharField):
    """A CharField for free text: ID and phone numbers in it are masked when stored."""


class FreeTextField(_MaskedText, _TextField):
    """A TextField for free text: ID and phone numbers in it are masked when stored."""


#: Keys whose values are codes written by the system, not typed text.
CODE_KEYS = frozenset({"division", "division_code", "to_division", "from_division", "code", "prefix"})


def mask_json(value: Any, key: str = "") -> Any:
    """``value`` with every string masked, recursively (keys in CODE_KEYS kept)."""
    if key in CODE_KEYS:
        return value
    if isinstance(value, str):
        return mask_numbers(value)
    if isinstance(value, dict):
        return {k: mask_json(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_json(v, key) for v in value]
    return value


class FreeJSONField(models.JSONField):
    """A JSONField that may carry typed text (import row errors, a typed login
    name, a measure's place): every string in it is masked when stored."""

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        return _plain_path(self, *super().deconstruct())

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = mask_json(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        return super().get_prep_value(mask_json(value))
