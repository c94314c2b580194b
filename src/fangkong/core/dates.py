"""One parser for a day typed in a URL or a request (``?day=``, date ranges),
for pages and the API alike: ``YYYY-MM-DD`` only (``0`` is not 1970-01-01),
within a sane range, so a date a database or ``timedelta`` cannot handle
(``0001-01-01``, ``9999-12-31``) is a 4xx with a reason, never a 500."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

DAY_MIN = dt.date(2000, 1, 1)
DAY_MAX = dt.date(2100, 12, 31)
_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# What the OpenAPI document states: a calendar date in 2000..2100.
DAY_PATTERN = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


def _parse(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and _SHAPE.match(value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return day if DAY_MIN <= day <= DAY_MAX else None


def parse_day(value: str, field: str = "day") -> dt.date:
    """``YYYY-MM-DD`` between 2000-01-01 and 2100-12-31, else ValidationError
    ({field: message}) — pages show it, the API answers 422."""
    day = _parse(value)
    if day is None:
        raise ValidationError({field: _("日期应为 2000-01-01 至 2100-12-31 之间的日期，格式如 2020-01-31。")})
    return day


def _day(value: Any) -> dt.date | None:
    if value is None:
        return value
    day = _parse(value)
    if day is None:
        raise PydanticCustomError("day_range", "a date 2000-01-01..2100-12-31 as YYYY-MM-DD")
    return day


Day = Annotated[
    dt.date,
    BeforeValidator(_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": DAY_PATTERN,
            "description": "YYYY-MM-DD, 2000-01-01 to 2100-12-31",
        }
    ),
]
