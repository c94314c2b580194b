"""The small API types every router shares: error shapes, ids, division
codes, text and the base of request bodies (core is below every app, so each
app's schemas and api import them from here).

Input strings go through ``Text``: no control characters (PostgreSQL refuses
NUL in text) and no lone surrogates (they cannot be encoded to UTF-8), so
malformed input is a 422 with a reason instead of a database error."""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from fangkong.core.api_errors import (
    MAX_ID as MAX_ID,
)  # re-exported
from fangkong.core.api_errors import (
    ErrorOut as ErrorOut,
)
from fangkong.core.api_errors import (
    ValidationErrorOut as ValidationErrorOut,
)
from fangkong.lib.codes import is_code

_ALLOWED_CONTROL = {"\t", "\n", "\r"}


def _clean_text(value: str) -> str:
    if any((ord(ch) < 32 and ch not in _ALLOWED_CONTROL) or ord(ch) == 127 for ch in value):
        raise PydanticCustomError("control_character", "control characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("invalid_unicode", "not valid unicode text") from None
    return value


# What the OpenAPI document states about Text: no control characters but tab,
# newline and carriage return (the validator gives the reason in words).
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Text = Annotated[str, AfterValidator(_clean_text), Field(json_schema_extra={"pattern": TEXT_PATTERN})]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _check_code(value: str) -> str:
    if not is_code(value):
        raise PydanticCustomError("division_code", "not a division code")
    return value


def _check_optional_code(value: str) -> str:
    return _check_code(value) if value else value


CODE_PATTERN = r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15})$"
DivisionCode = Annotated[
    str, Field(max_length=15, json_schema_extra={"pattern": CODE_PATTERN}), AfterValidator(_check_code)
]
OptionalDivisionCode = Annotated[
    str,
    Field(max_length=15, json_schema_extra={"pattern": f"{CODE_PATTERN[:-2]}|)$"}),
    AfterValidator(_check_optional_code),
]


class InputSchema(Schema):
    """Base of request bodies: an unknown field is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")
