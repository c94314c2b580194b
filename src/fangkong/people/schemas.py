"""API shapes for households and persons.

Inputs only shape the request (types, lengths, known fields); the rules live in
people.services, so the pages, the API and imports apply the same ones.
Outputs carry ID numbers and phones only in their masked forms: no schema here
has a field for ciphertext, blind indexes or full numbers, except ``RevealOut``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from fangkong.core.schemas import Id, InputSchema, OptionalDivisionCode, Text
from fangkong.lib.documents import DOCUMENT_TYPES

from .choices import TAGS, Relation, Sex

TagName = Literal[tuple(TAGS)]  # type: ignore[valid-type]
DocType = Literal[tuple(code for code, _label in DOCUMENT_TYPES)]  # type: ignore[valid-type]
SexCode = Literal[tuple(Sex.values)]  # type: ignore[valid-type]
RelationCode = Literal[("", *Relation.values)]  # type: ignore[valid-type]

Page = Annotated[int, Field(ge=1, le=100_000, description="1-based")]
PageSize = Annotated[int, Field(ge=1, le=100)]
Reason = Annotated[Text, Field(max_length=200)]


# ---------------------------------------------------------------- households


class HouseholdQuery(Schema):
    q: Annotated[Text, Field(max_length=60, description="part of the address")] = ""
    division: OptionalDivisionCode = Field("", description="only under this division code")
    page: Page = 1
    page_size: PageSize = 50


class HouseholdIn(InputSchema):
    division_code: Annotated[Text, Field(max_length=15, description="a community or grid in your jurisdiction")]
    address: Annotated[Text, Field(max_length=200)]
    note: Annotated[Text, Field(max_length=200)] = ""


class HouseholdUpdateIn(InputSchema):
    """The whole household (PUT): an omitted note is cleared; an omitted
    division or head stays as it is."""

    address: Annotated[Text, Field(max_length=200)]
    note: Annotated[Text, Field(max_length=200)] = ""
    division_code: Annotated[Text, Field(max_length=15)] | None = None
    head_id: Id | None = Field(None, description="a member of this household")


class HeadRef(Schema):
    """A household's head: only the id and the name."""

    id: int
    name: str


class HouseholdRef(Schema):
    id: int
    address: str


class HouseholdOut(Schema):
    id: int
    division_code: str
    community: str = Field(description="name of the village/community")
    address: str
    note: str
    head: HeadRef | None
    created_at: dt.datetime
    updated_at: dt.datetime


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    age: int | None = Field(
        description="whole years; the birth date itself is given only by a reveal of the "
        "document number (with the mask it would give the whole number back)"
    )
    doc_type: str
    doc_masked: str = Field(description="e.g. 410611********123X; never the full number")
    phone_masked: str = Field(description="e.g. 138****1234")
    division_code: str
    community: str
    household_id: int | None
    relation: str
    tags: list[str]


class HouseholdDetailOut(HouseholdOut):
    place: str
    members: list[PersonOut]
    can_edit: bool


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    count: int
    page: int
    pages: int
    page_size: int


# ---------------------------------------------------------------- persons


class PersonQuery(Schema):
    q: Annotated[
        Text,
        Field(
            max_length=60,
            description="name or pinyin (prefix); an ID number or phone is refused "
            "here (422): use POST /persons/search",
        ),
    ] = ""
    division: OptionalDivisionCode = Field("", description="only under this division code")
    tag: TagName | None = None
    sex: SexCode | None = None
    household: Id | None = None
    page: Page = 1
    page_size: PageSize = 50


class PersonSearchIn(InputSchema):
    """The same filters as ``GET /persons``, in the body: the only way to search
    by ID number or phone, so that the number is in no URL or access log."""

    q: Annotated[Text, Field(max_length=60, description="ID number or phone (exact), name or pinyin (prefix)")] = ""
    division: OptionalDivisionCode = Field("", description="only under this division code")
    tag: TagName | None = None
    sex: SexCode | None = None
    household: Id | None = None
    page: Page = 1
    page_size: PageSize = 50


class PersonIn(InputSchema):
    """A new person: in a household (``household_id``) or directly in a
    community or grid (``division_code``)."""

    household_id: Id | None = None
    division_code: Annotated[Text, Field(max_length=15)] | None = None
    name: Annotated[Text, Field(max_length=50)]
    doc_type: DocType = "ric"
    doc_number: Annotated[Text, Field(max_length=40)] = ""
    doc_reason: Annotated[Text, Field(max_length=200, description="why there is no resident ID card")] = ""
    phone: Annotated[Text, Field(max_length=30)] = ""
    sex: SexCode = "U"
    birth_date: dt.date | None = None
    relation: RelationCode = ""
    occupation: Annotated[Text, Field(max_length=50)] = ""
    tags: Annotated[list[TagName], Field(max_length=len(TAGS))] = Field(default_factory=list)


class PersonPatch(InputSchema):
    """Only the fields given change. ``phone: ""`` clears the phone; a new
    ``doc_number`` is validated again and must not belong to someone else;
    ``tags`` replaces the whole set."""

    name: Annotated[Text, Field(max_length=50)] = None  # type: ignore[assignment]
    doc_type: DocType = None  # type: ignore[assignment]
    doc_number: Annotated[Text, Field(max_length=40)] = None  # type: ignore[assignment]
    doc_reason: Annotated[Text, Field(max_length=200)] = None  # type: ignore[assignment]
    phone: Annotated[Text, Field(max_length=30)] = None  # type: ignore[assignment]
    sex: SexCode = None  # type: ignore[assignment]
    birth_date: dt.date | None = None
    relation: RelationCode = None  # type: ignore[assignment]
    occupation: Annotated[Text, Field(max_length=50)] = None  # type: ignore[assignment]
    tags: Annotated[list[TagName], Field(max_length=len(TAGS))] = None  # type: ignore[assignment]


class PersonDetailOut(PersonOut):
    doc_reason: str
    occupation: str
    place: str = Field(description="county, township, community (and grid) names")
    household: HouseholdRef | None
    created_at: dt.datetime
    updated_at: dt.datetime
    can_edit: bool
    can_reveal: bool


class PersonPage(Schema):
    items: list[PersonOut]
    count: int
    page: int
    pages: int
    page_size: int


class ReasonQuery(Schema):
    reason: Reason = Field("", description="why (required; kept in the audit trail)")


class RevealIn(InputSchema):
    field: Literal["doc_number", "phone"]
    reason: Reason = ""


class RevealOut(Schema):
    field: str
    value: str = Field(description="the full document number or phone; this request is audited")
    birth_date: dt.date | None = Field(None, description="with the document number only")


class RateLimitedOut(Schema):
    detail: Literal["rate_limited"]
    errors: dict[str, list[str]] = Field(description="``__all__``: the limit that was reached, in the user's language")


class MoveIn(InputSchema):
    """Move an already-registered person into a household of yours. The person
    is named by their full document number (as typed from the card), never by
    an id. A person living outside your jurisdiction is not moved at once: the
    move waits for their current community's approval (answer 202)."""

    household_id: Id
    doc_type: DocType = "ric"
    doc_number: Annotated[Text, Field(max_length=40)]
    reason: Reason = ""


class MoveRequestedOut(Schema):
    """A move from outside your jurisdiction: nothing has moved yet."""

    status: Literal["pending"]
    detail: str = Field(description="awaiting approval by the person's current community (never says where)")
    approval_id: int


class DuplicateOut(Schema):
    detail: Literal["duplicate"]
    where: str = Field(
        description="where the registered person lives if in your jurisdiction; otherwise only "
        "that it is elsewhere in the city"
    )
    person_id: int | None = Field(description="only when the person is in your jurisdiction")
    errors: dict[str, list[str]]
