"""API shapes for checkpoints and passages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from fangkong.core.api_errors import ErrorOut, ValidationErrorOut  # noqa: F401  (the shared error shapes)
from fangkong.lib.vitals import TemperatureIn


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class CheckpointOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    kind: str
    kind_label: str
    location: str
    status: str
    division_code: str


class CheckpointPage(Schema):
    items: list[CheckpointOut]
    count: int
    page: int
    pages: int


class PassengerIn(_In):
    """Another person in the same vehicle: their own identity and temperature;
    the rest is the vehicle's unless given."""

    doc_type: str = Field("ric", max_length=10)
    doc_number: str = Field("", max_length=40)
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    temperature: TemperatureIn
    destination: str = Field("", max_length=60)
    note: str = Field("", max_length=200)


class PassageIn(_In):
    direction: Literal["in", "out"]
    doc_type: str = Field("ric", max_length=10)
    doc_number: str = Field("", max_length=40)
    name: str = Field("", max_length=50, description="may be blank for a person in the registry")
    phone: str = Field("", max_length=30)
    temperature: TemperatureIn
    plate: str = Field("", max_length=20, description="e.g. 豫F12345, 豫FD12345")
    origin: str = Field("", max_length=40, description="province or city: a code (42, 4201) or a name")
    destination: str = Field("", max_length=60, description="inbound: a community code of the city")
    purpose: str = Field("", max_length=12)
    note: str = Field("", max_length=200)
    client_key: str | None = Field(None, max_length=64, description="a retry with the same key returns the first")
    vehicle_group: uuid.UUID | None = None
    registered_at: dt.datetime | None = Field(None, description="when it happened (offline tablets); default now")


class RegisterIn(PassageIn):
    passengers: list[PassengerIn] = Field(default_factory=list, max_length=60)


class PassageOut(Schema):
    id: int
    client_key: str | None
    registered_at: dt.datetime
    direction: str
    name: str
    doc_masked: str
    phone_masked: str
    plate: str
    origin_code: str
    origin_name: str
    destination_code: str
    destination_name: str
    temperature: str
    fever: bool
    risk_area: bool
    risk_level: str
    flags: list[str]
    vehicle_group: uuid.UUID | None
    arrival_id: int | None


class RegisterOut(Schema):
    created: bool
    passages: list[PassageOut]
    next_steps: list[str]


class BatchIn(_In):
    """Up to 500 passages, each a PassageIn with its client_key. Items are
    checked one by one, so a malformed item is reported in its result and
    never rejects the batch."""

    items: list[Any] = Field(..., max_length=500)


class BatchItemOut(Schema):
    index: int
    client_key: str
    status: Literal["created", "duplicate", "error"]
    passage: PassageOut | None = None
    next_steps: list[str] = []
    errors: dict[str, list[str]] | None = None


class BatchOut(Schema):
    created: int
    duplicate: int
    error: int
    results: list[BatchItemOut]


class PassagePage(Schema):
    items: list[PassageOut]
    count: int
    page: int
    pages: int


class RiskAreaOut(Schema):
    id: int
    origin_code: str
    origin_name: str
    level: str
    starts_on: dt.date
    ends_on: dt.date | None
    current: bool
