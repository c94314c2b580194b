"""Body temperatures: the one rule for reading what was typed, the plausible
range and the fever threshold, for every door a temperature comes in by
(checkpoint registration and recheck, health checks, their API schemas and
batches, the arrival flags).

What is accepted: a number of °C, as typed on a phone — surrounding spaces,
full-width digits (NFKC), a comma for the decimal point ("36,5", "36，5") and
a trailing ℃ or °C are fine. It is rounded half up to one decimal and must
lie within 35.0–42.0 ℃ (a reading outside that range is a measuring error:
measure again). "365" is refused, not read as 36.5: a guessed decimal point
decides who has a fever, so the person typing is asked for it instead.

A fever is 37.3 ℃ or more (``FEVER_FROM``), compared on the rounded value."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import Field, WithJsonSchema

FEVER_FROM = Decimal("37.3")  # °C, at or above: fever
TEMPERATURE_MIN = Decimal("35.0")
TEMPERATURE_MAX = Decimal("42.0")
# The longest text a temperature field takes (forms and API strings).
MAX_TYPED = 10

_TENTH = Decimal("0.1")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
_UNITS = ("°C", "℃", "°")


def parse_temperature(value: object, field: str = "temperature") -> Decimal:
    """A body temperature in °C (one decimal) from what was typed or sent (a
    string, an int, a float or a Decimal). ValidationError keyed ``field``,
    with the reason, when it is missing, not a number, lacks its decimal point
    or lies outside 35.0–42.0 ℃."""
    if isinstance(value, bool):
        raise ValidationError({field: _("体温应为数字，如 36.5。")})
    if isinstance(value, (int, float, Decimal)):
        text = format(value, "f") if isinstance(value, float) else str(value)
        typed = False
    else:
        text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
        for unit in _UNITS:
            text = text.removesuffix(unit).rstrip()
        text = text.replace(",", ".")
        typed = True
    if not text:
        raise ValidationError({field: _("请填写体温。")})
    if (typed and len(text) > MAX_TYPED) or not _NUMBER.fullmatch(text):
        raise ValidationError({field: _("体温应为数字，如 36.5。")})
    try:
        t = Decimal(text).quantize(_TENTH, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # pragma: no cover  (the pattern admits only plain decimals)
        raise ValidationError({field: _("体温应为数字，如 36.5。")}) from None
    if "." not in text and 350 <= t <= 420:
        raise ValidationError({field: _("体温请带小数点填写，如 36.5（不要写成 365）。")})
    if not TEMPERATURE_MIN <= t <= TEMPERATURE_MAX:
        raise ValidationError({field: _("体温应在35.0℃到42.0℃之间，请复测后填写。")})
    return t


def is_fever(temperature: object) -> bool:
    """A stored temperature (Decimal, or None when not measured) of 37.3 ℃ or more."""
    if temperature is None or temperature == "":
        return False
    return Decimal(str(temperature)) >= FEVER_FROM


# The API's input type: a JSON number or a string, parsed by parse_temperature
# in the service (so the API refuses exactly what a form refuses, with the same
# reason). The document states the plain forms every client should send.
TemperatureIn = Annotated[
    Annotated[str, Field(max_length=MAX_TYPED)] | float,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 35, "maximum": 42},
                {"type": "string", "pattern": r"^(3[5-9]|4[01])(\.[0-9]{1,3})?$|^42(\.0{1,3})?$"},
            ],
            "description": "°C, 35.0–42.0 (rounded to 0.1); 37.3 or more is a fever",
        }
    ),
]
