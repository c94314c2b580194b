"""API batches from devices that were offline (checkpoint tablets, grid workers'
phones): every item is validated on its own and gets its own result, so one
malformed item never costs the others, and never a 500."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pydantic
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

CREATED, DUPLICATE, ERROR = "created", "duplicate", "error"


@dataclass
class BatchResult:
    """One item's outcome: created, duplicate (of a record already written with
    its client key: that record, returned) or error (``errors``: field → messages)."""

    index: int
    client_key: str
    status: str  # CREATED / DUPLICATE / ERROR
    record: Any = None  # what the item wrote or found again: a passage, a health check
    errors: dict[str, list[str]] | None = None
    related: Any = None  # what the item raised, if anything: a health check's referral


# Request-shape errors (pydantic) in the user's language, per field: the same
# messages for a whole request (fangkong.api) and for one item of a batch.
SCHEMA_MESSAGES = {
    "missing": N_("必须填写。"),
    "string_type": N_("应为文本。"),
    "string_too_long": N_("不能超过%(max_length)s个字。"),
    "string_too_short": N_("至少%(min_length)s个字。"),
    "string_pattern_mismatch": N_("格式不正确。"),
    "int_type": N_("应为整数。"),
    "int_parsing": N_("应为整数。"),
    "int_from_float": N_("应为整数。"),
    "greater_than_equal": N_("不能小于%(ge)s。"),
    "greater_than": N_("应大于%(gt)s。"),
    "less_than_equal": N_("不能大于%(le)s。"),
    "less_than": N_("应小于%(lt)s。"),
    "bool_type": N_("应为 true 或 false。"),
    "bool_parsing": N_("应为 true 或 false。"),
    "date_type": N_("日期格式应为 2020-01-31。"),
    "date_parsing": N_("日期格式应为 2020-01-31。"),
    "date_from_datetime_parsing": N_("日期格式应为 2020-01-31。"),
    "date_from_datetime_inexact": N_("日期格式应为 2020-01-31。"),
    "uuid_parsing": N_("应为UUID。"),
    "uuid_type": N_("应为UUID。"),
    "datetime_parsing": N_("时间格式应为 2020-01-31T08:00:00+08:00。"),
    "datetime_from_date_parsing": N_("时间格式应为 2020-01-31T08:00:00+08:00。"),
    "datetime_type": N_("时间格式应为 2020-01-31T08:00:00+08:00。"),
    "literal_error": N_("取值无效，可选：%(expected)s。"),
    "enum": N_("取值无效，可选：%(expected)s。"),
    "extra_forbidden": N_("没有这个字段。"),
    "finite_number": N_("应为有限的数。"),
    "model_attributes_type": N_("应为 JSON 对象。"),
    "model_type": N_("应为 JSON 对象。"),
    "dict_type": N_("应为 JSON 对象。"),
    "list_type": N_("应为列表。"),
    "too_long": N_("最多%(max_length)s项。"),
    "control_character": N_("不能包含控制字符。"),
    "invalid_unicode": N_("包含无效的字符。"),
    "division_code": N_("区划代码格式不正确。"),
    "day_range": N_("日期应为 2000-01-01 至 2100-12-31 之间的日期，格式如 2020-01-31。"),
}


def schema_message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "too_long" and (error.get("ctx") or {}).get("field_type") != "List":
        kind = "string_too_long"  # a length limit on a validated string reports itself as "too_long"
    template = SCHEMA_MESSAGES.get(kind, N_("格式不正确。"))
    try:
        return _(template) % {k: str(v)[:200] for k, v in (error.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return _("格式不正确。")


def item_errors(exc: pydantic.ValidationError) -> dict[str, list[str]]:
    """pydantic's errors for one item as {field: [message]}."""
    errors: dict[str, list[str]] = {}
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ()) if isinstance(p, str)]
        errors.setdefault(loc[0] if loc else "__all__", []).append(schema_message(e))
    return errors


def batch_parse(
    items: Iterable[Any], schema: type[pydantic.BaseModel]
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


def batch_result(
    total: int,
    results: dict[int, dict[str, Any]],
    malformed: dict[int, tuple[str, dict[str, list[str]]]],
    blank: dict[str, Any],
) -> dict[str, Any]:
    """The response body: counts per status and one result per item, in order.
    ``blank`` holds the item-specific keys of an error result (e.g. {"check": None})."""
    out: list[dict[str, Any]] = []
    for i in range(total):
        if i in results:
            out.append(results[i])
        else:
            key, errors = malformed[i]
            out.append({"index": i, "client_key": key, "status": ERROR, **blank, "errors": errors})
    tally = {s: sum(1 for o in out if o["status"] == s) for s in (CREATED, DUPLICATE, ERROR)}
    return {**tally, "results": out}
