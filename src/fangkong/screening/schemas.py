"""API shapes for screening. Inputs only shape the request; the rules live in
screening.services. Outputs carry ID numbers and phones only masked."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StrictBool

from fangkong.core.dates import Day
from fangkong.core.schemas import Id, InputSchema, OptionalDivisionCode, Text

from .choices import ArrivalSource, ArrivalStatus, Measure, TravelMode, VisitResult

Page = Annotated[int, Field(ge=1, le=100_000, description="1-based")]
PageSize = Annotated[int, Field(ge=1, le=100)]
Reason = Annotated[Text, Field(max_length=200)]
StatusName = Literal[("all", *ArrivalStatus.values)]  # type: ignore[valid-type]
SourceName = Literal[("", *ArrivalSource.values)]  # type: ignore[valid-type]
MeasureName = Literal[tuple(Measure.values)]  # type: ignore[valid-type]
TravelModeName = Literal[("", *TravelMode.values)]  # type: ignore[valid-type]
ResultName = Literal[tuple(VisitResult.values)]  # type: ignore[valid-type]


# ---------------------------------------------------------------- arrivals


class ArrivalQuery(Schema):
    status: StatusName = "pending"
    source: SourceName = ""
    flagged: bool = False
    division: OptionalDivisionCode = ""
    q: Annotated[
        Text,
        Field(
            max_length=60,
            description="name prefix; an ID number or phone is refused here (422): use POST /arrivals/search",
        ),
    ] = ""
    page: Page = 1
    page_size: PageSize = 50


class ArrivalSearchIn(InputSchema):
    """The same filters as ``GET /arrivals``, in the body: the only way to search
    arrivals by ID number or phone, so that the number is in no URL or access log."""

    status: StatusName = "pending"
    source: SourceName = ""
    flagged: StrictBool = False  # a JSON body says true/false, never 0/1
    division: OptionalDivisionCode = ""
    q: Annotated[Text, Field(max_length=60, description="name prefix, or an exact ID number or phone")] = ""
    page: Page = 1
    page_size: PageSize = 50


class FlagOut(Schema):
    flag: str
    label: str
    guidance: str = Field(description="what the grid worker does next")


class ArrivalOut(Schema):
    id: int
    name: str
    sex: str
    doc_type: str
    doc_masked: str
    phone_masked: str
    origin_code: str
    origin_name: str
    arrived_on: dt.date
    travel_mode: str
    travel_number: str
    division_code: str
    community: str
    source: str
    status: str
    flagged: bool
    flags: list[FlagOut]
    temperature: float | None
    reports: int
    created_at: dt.datetime


class ArrivalDetailOut(ArrivalOut):
    address: str
    note: str
    place: str
    person_id: int | None
    dismiss_reason: str
    handled_at: dt.datetime | None
    returnee_id: int | None
    can_handle: bool


class ArrivalPage(Schema):
    items: list[ArrivalOut]
    count: int
    page: int
    pages: int
    page_size: int


class DismissIn(InputSchema):
    reason: Reason


class ConfirmIn(InputSchema):
    """Confirming an arrival as a returnee. Identity fields left out keep what
    the arrival recorded."""

    measure: MeasureName
    measure_reason: Reason
    name: Annotated[Text, Field(max_length=50)] = ""
    doc_number: Annotated[Text, Field(max_length=40)] = ""
    phone: Annotated[Text, Field(max_length=30)] = ""
    household_id: Id | None = None
    origin_code: Annotated[Text, Field(max_length=6)] | None = None
    arrived_on: Day | None = None
    travel_mode: TravelModeName = ""
    travel_number: Annotated[Text, Field(max_length=20)] = ""
    risk_area_contact: bool = False
    case_contact: bool = False
    contact_note: Annotated[Text, Field(max_length=200)] = ""
    place: Annotated[Text, Field(max_length=200)] = ""
    site_name: Annotated[Text, Field(max_length=100)] = ""


class ProposalQuery(Schema):
    origin_code: Annotated[Text, Field(max_length=6)] = ""
    arrived_on: Day | None = None
    risk_area_contact: bool = False
    case_contact: bool = False


class ProposalOut(Schema):
    measure: str
    reason: str


# ---------------------------------------------------------------- self-report


class SelfReportIn(InputSchema):
    name: Annotated[Text, Field(max_length=50)]
    doc_number: Annotated[Text, Field(max_length=40)]
    phone: Annotated[Text, Field(max_length=30)]
    origin_code: Annotated[Text, Field(max_length=6, description="province (2) or city (4) code, e.g. 4201")]
    arrived_on: Day
    destination_code: Annotated[Text, Field(max_length=15, description="a community of the city")]
    address: Annotated[Text, Field(max_length=200)]
    travel_mode: TravelModeName = ""
    travel_number: Annotated[Text, Field(max_length=20)] = ""
    reporter: Literal["self", "family"] = "self"


class SelfReportOut(Schema):
    received: bool
    doc_masked: str
    phone_masked: str
    community: str


# ---------------------------------------------------------------- campaigns and visits


class CampaignIn(InputSchema):
    division_code: Annotated[Text, Field(max_length=15, description="a community or township")]
    name: Annotated[Text, Field(max_length=100)]
    starts_on: Day
    ends_on: Day
    note: Annotated[Text, Field(max_length=200)] = ""


class CoverageRowOut(Schema):
    code: str
    name: str
    households: int
    screened: int
    revisit: int
    not_visited: int
    returnees: int
    percent: float
    children: list[CoverageRowOut] = []


class CampaignOut(Schema):
    id: int
    division_code: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    open_today: bool
    note: str


class CampaignDetailOut(CampaignOut):
    coverage: CoverageRowOut


class CloseIn(InputSchema):
    reason: Reason = ""


class HouseholdVisitOut(Schema):
    household_id: int
    address: str
    division_code: str
    result: str | None = Field(description="latest result, or null when not visited yet")
    attempts: int


class HouseholdVisitPage(Schema):
    items: list[HouseholdVisitOut]
    count: int
    page: int
    pages: int
    page_size: int


class HouseholdVisitQuery(Schema):
    state: Literal["", "todo", "revisit", "done"] = ""
    division: OptionalDivisionCode = ""
    q: Annotated[Text, Field(max_length=60)] = ""
    page: Page = 1
    page_size: PageSize = 50


class FoundIn(InputSchema):
    name: Annotated[Text, Field(max_length=50)]
    doc_number: Annotated[Text, Field(max_length=40)]
    phone: Annotated[Text, Field(max_length=30)] = ""
    origin_code: Annotated[Text, Field(max_length=6)] = ""
    arrived_on: Day | None = None
    travel_mode: TravelModeName = ""
    travel_number: Annotated[Text, Field(max_length=20)] = ""


class VisitIn(InputSchema):
    household_id: Id
    result: ResultName
    note: Annotated[Text, Field(max_length=200)] = ""
    client_key: Annotated[
        Text,
        Field(min_length=1, max_length=64, description="generated by the client; a retry returns the first result"),
    ]
    returnees: Annotated[list[FoundIn], Field(max_length=10)] = Field(default_factory=list)


class VisitOut(Schema):
    id: int
    campaign_id: int
    household_id: int
    result: str
    attempts: int
    returnees_found: int
    recorded: bool = Field(description="false when this client key was already recorded")


# ---------------------------------------------------------------- coverage and counts


class CountQuery(Schema):
    division: OptionalDivisionCode = Field("", description="a division in your jurisdiction (default: yours)")
    day: Day | None = None


class CoverageOut(Schema):
    division_code: str
    day: dt.date
    households: int
    households_in_campaigns: int
    screened: int
    revisit: int
    percent: float = Field(description="screened / households_in_campaigns (running campaigns' areas)")
    percent_of_households: float = Field(description="screened / households (every household of the division)")


class CountsOut(Schema):
    division_code: str
    day: dt.date
    arrivals_new: int
    self_reports: int
    arrivals_handled: int
    arrivals_pending: int
    returnees: int
    households: int
    households_in_campaigns: int
    households_screened: int
    households_revisit: int
    coverage_percent: float = Field(description="households_screened / households_in_campaigns")
    coverage_percent_of_households: float = Field(description="households_screened / households")


# ---------------------------------------------------------------- returnees


class ReturneeQuery(Schema):
    measure: Literal[("", *Measure.values)] = ""  # type: ignore[valid-type]
    division: OptionalDivisionCode = ""
    q: Annotated[Text, Field(max_length=60)] = ""
    page: Page = 1
    page_size: PageSize = 50


class ReturneeOut(Schema):
    id: int
    person_id: int
    name: str
    doc_masked: str
    phone_masked: str
    division_code: str
    community: str
    origin_code: str
    origin_name: str
    arrived_on: dt.date
    travel_mode: str
    travel_number: str
    risk_area_contact: bool
    case_contact: bool
    proposed_measure: str
    proposed_reason: str
    measure: str
    measure_reason: str
    measure_state: str
    followup_id: int | None
    source: str
    arrival_id: int | None
    confirmed_at: dt.datetime


class ReturneePage(Schema):
    items: list[ReturneeOut]
    count: int
    page: int
    pages: int
    page_size: int
