"""API shapes for the division tree (the shared input types live in
``fangkong.core.schemas``)."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field

LevelName = Literal["province", "city", "county", "township", "community", "grid"]


class DivisionRef(Schema):
    code: str
    short_name: str
    level: str


class DivisionOut(Schema):
    code: str
    name: str
    short_name: str
    level: str
    parent_code: str
    person_count: int = Field(description="persons registered in this division and below")
    household_count: int


class DivisionDetailOut(DivisionOut):
    ancestors: list[DivisionRef] = Field(description="from the city down to the parent; only names and codes")
    child_count: int
