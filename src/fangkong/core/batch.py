"""API batches from devices that were offline (checkpoint tablets, grid workers'
phones): every item is validated on its own and gets its own result, so one
malformed item never costs the others, and never a 500."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pydantic
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

_ITEM_MESSAGES = {
    "missing": gettext_noop("必须填写。"),
    "literal_error": gettext_noop("取值无效。"),
    "string_too_long": gettext_noop("太长。"),
    "extra_forbidden": gettext_noop("没有这个字段。"),
    "uuid_parsing": gettext_noop("应为UUID。"),
    "datetime_parsing": gettext_noop("时间格式应为 2020-01-31T08:00:00+08:00。"),
    "datetime_from_date_parsing": gettext_noop("时间格式应为 2020-01-31T08:00:00+08:00。"),
}


def item_errors(exc: pydantic.ValidationError) -> dict[str, list[str]]:
    """pydantic's errors for one item as {field: [Chinese message]}."""
    errors: dict[str, list[str]] = {}
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ()) if isinstance(p, str)]
        errors.setdefault(loc[0] if loc else "__all__", []).append(
            _(_ITEM_MESSAGES.get(e.get("type", ""), "格式不正确。")))
    return errors


def batch_parse(items: Iterable[Any], schema: type[pydantic.BaseModel]
                ) -> tuple[list[tuple[int, pydantic.BaseModel]], dict[int, tuple[str, dict[str, list[str]]]]]:
    """(good, malformed): good is [(index, validated item)], malformed is
    {index: (client_key or "", {field: [message]})}."""
    good: list[tuple[int, pydantic.BaseModel]] = []
    malformed: dict[int, tuple[str, dict[str, list[str]]]] = {}
    for i, raw in enumerate(items):
        if not isinstance(raw, dict):
            malformed[i] = ("", {"__all__": [_("应为 JSON 对象。")]})
            continue
        try:
            good.append((i, schema.model_validate(raw)))
        except pydantic.ValidationError as exc:
            key = raw.get("client_key")
            key = key if isinstance(key, str) else ""
            malformed[i] = (key[:64], item_errors(exc))
    return good, malformed


def batch_result(total: int, results: dict[int, dict[str, Any]], malformed: dict[int, tuple[str, dict[str, list[str]]]],
                 blank: dict[str, Any]) -> dict[str, Any]:
    """The response body: counts per status and one result per item, in order.
    ``blank`` holds the item-specific keys of an error result (e.g. {"check": None})."""
    out: list[dict[str, Any]] = []
    for i in range(total):
        if i in results:
            out.append(results[i])
        else:
            key, errors = malformed[i]
            out.append({"index": i, "client_key": key, "status": "error", **blank, "errors": errors})
    tally = {s: sum(1 for o in out if o["status"] == s) for s in ("created", "duplicate", "error")}
    return {**tally, "results": out}
