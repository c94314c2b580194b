"""API shapes for follow-ups. Inputs only shape the request; the rules live in
followups.services. Outputs carry ID numbers and phones only masked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from fangkong.core.dates import Day
from fangkong.core.schemas import DivisionCode, Id, InputSchema, OptionalDivisionCode, Text
from fangkong.lib.vitals import TemperatureIn

from .choices import DeliveryCategory, FollowUpKind, Symptom

KindCode = Literal[tuple(FollowUpKind.values)]  # type: ignore[valid-type]
SymptomCode = Literal[tuple(Symptom.values)]  # type: ignore[valid-type]
CategoryCode = Literal[tuple(DeliveryCategory.values)]  # type: ignore[valid-type]
Page = Annotated[int, Field(ge=1, le=100_000)]
PageSize = Annotated[int, Field(ge=1, le=100)]
Reason = Annotated[Text, Field(max_length=200)]
ClientKey = Annotated[Text, Field(max_length=64)]
MAX_BATCH = 500


class PersonRef(Schema):
    id: int
    name: str
    doc_masked: str
    phone_masked: str


class FollowUpOut(Schema):
    id: int
    person: PersonRef
    division_code: str
    kind: str
    kind_label: str
    reason: str
    place: str
    site_name: str
    start_date: dt.date
    planned_end: dt.date
    days: int
    status: str
    ended_on: dt.date | None
    source_ref: str
    approval: Literal["", "pending", "approved"] = Field(
        description="central quarantine: pending until a second person confirms it; blank: none needed"
    )
    approval_due: dt.datetime | None = Field(description="when the confirmation is due (pending only)")
    approval_overdue: bool


class CheckOut(Schema):
    id: int
    followup_id: int
    division_code: str
    slot_date: dt.date
    slot: int
    window_start: dt.datetime
    window_end: dt.datetime
    status: str
    overdue: bool
    temperature: Decimal | None
    symptoms: list[str]
    note: str
    late: bool
    recorded_at: dt.datetime | None
    client_key: str | None


class CheckWithPersonOut(CheckOut):
    person: PersonRef
    kind: str


class FollowUpDetailOut(FollowUpOut):
    checks: list[CheckOut]
    release_blockers: list[str]
    transferred_from_id: int | None


class FollowUpPage(Schema):
    items: list[FollowUpOut]
    count: int
    page: int
    pages: int


class CheckPage(Schema):
    items: list[CheckWithPersonOut]
    count: int
    page: int
    pages: int


class FollowUpQuery(Schema):
    kind: KindCode | Literal[""] = ""
    status: Literal["open", "", "active", "extended", "escalated", "released", "transferred", "revoked"] = "open"
    approval: Literal["", "pending", "overdue"] = Field(
        "", description="central quarantine awaiting a second person's confirmation (overdue: past its time)"
    )
    division: OptionalDivisionCode = ""
    q: Annotated[Text, Field(max_length=50, description="name prefix")] = ""
    page: Page = 1
    page_size: PageSize = 50


class CheckQuery(Schema):
    state: Literal["overdue", "due_now", "due_today", "done", "late"] = "overdue"
    division: OptionalDivisionCode = ""
    day: Day | None = Field(None, description="for done / late: the slot day (default today)")
    page: Page = 1
    page_size: PageSize = 50


class FollowUpIn(InputSchema):
    person_id: Id
    kind: KindCode
    reason: Reason
    place: Annotated[Text, Field(max_length=200)] = ""
    site_name: Annotated[Text, Field(max_length=100)] = ""
    start_date: Day | None = None
    days: Annotated[int, Field(ge=1, le=60)] | None = Field(
        None, description="default: the current policy; fewer days than the policy's is refused (422)"
    )
    source_ref: Annotated[Text, Field(max_length=40)] = ""


class ExtendIn(InputSchema):
    days: Annotated[int, Field(ge=1, le=30)]
    reason: Reason


class TransferIn(InputSchema):
    kind: KindCode
    reason: Reason
    place: Annotated[Text, Field(max_length=200)] = ""
    site_name: Annotated[Text, Field(max_length=100)] = ""
    days: Annotated[int, Field(ge=1, le=60)] | None = Field(
        None, description="default: what remains of the current period (a weakening change: at least the policy)"
    )


class ReasonIn(InputSchema):
    reason: Reason


class ApprovalOut(Schema):
    id: int
    kind: str
    status: str
    reason: str


class CheckIn(InputSchema):
    temperature: TemperatureIn
    symptoms: list[SymptomCode] = Field(default_factory=list, max_length=7)
    note: Annotated[Text, Field(max_length=200)] = ""
    client_key: ClientKey | None = Field(None, description="a retry with the same key returns the first result")


class BatchCheckIn(CheckIn):
    check_id: Id
    client_key: ClientKey


class BatchIn(InputSchema):
    """Up to 500 checks recorded offline, each with its client key; each item is
    checked on its own, so a malformed one is reported in its result."""

    items: list[Any] = Field(..., max_length=MAX_BATCH)


class BatchItemOut(Schema):
    index: int
    client_key: str
    status: Literal["created", "duplicate", "error"]
    check: CheckOut | None = None
    referral_id: int | None = None
    errors: dict[str, list[str]] | None = None


class BatchOut(Schema):
    created: int
    duplicate: int
    error: int
    results: list[BatchItemOut]


class ReferralOut(Schema):
    id: int
    followup_id: int
    person: PersonRef
    division_code: str
    reason: str
    temperature: Decimal | None
    symptoms: list[str]
    checks_count: int
    status: str
    opened_at: dt.datetime
    picked_up_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: str


class ReferralPage(Schema):
    items: list[ReferralOut]
    count: int
    page: int
    pages: int


class ReferralQuery(Schema):
    status: Literal["active", "", "open", "picked_up", "closed"] = "active"
    division: OptionalDivisionCode = ""
    page: Page = 1
    page_size: PageSize = 50


class OutcomeIn(InputSchema):
    outcome: Reason


class NoteIn(InputSchema):
    note: Annotated[Text, Field(max_length=200)] = ""


class DeliveryIn(InputSchema):
    person_id: Id
    category: CategoryCode
    items: Annotated[Text, Field(max_length=200)]
    needed_by: dt.datetime
    note: Annotated[Text, Field(max_length=200)] = ""
    client_key: ClientKey | None = None


class TakeIn(InputSchema):
    volunteer_name: Annotated[Text, Field(max_length=50)] = ""


class DeliveryOut(Schema):
    id: int
    person: PersonRef
    followup_id: int | None
    division_code: str
    category: str
    items: str
    needed_by: dt.datetime
    overdue: bool
    status: str
    volunteer_name: str
    taken_at: dt.datetime | None
    delivered_at: dt.datetime | None
    note: str
    client_key: str | None


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    count: int
    page: int
    pages: int


class DeliveryQuery(Schema):
    status: Literal["open", "", "taken", "delivered", "cancelled"] = "open"
    overdue: bool = False
    division: OptionalDivisionCode = ""
    page: Page = 1
    page_size: PageSize = 50


class CountsQuery(Schema):
    division: DivisionCode
    day: Day | None = None


class CountsOut(Schema):
    prefix: str
    day: dt.date
    in_measure: dict[str, int]
    started: int
    ended: int
    checks_due: int
    checks_done: int
    checks_late: int
    checks_overdue: int
    checks_missed: int
    referrals_opened: int
    referrals_open: int
    referrals_closed: int
    deliveries_requested: int
    deliveries_open: int
    deliveries_done: int
