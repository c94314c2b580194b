"""JSON API for households and persons: ``/api/v1/households`` and ``/api/v1/persons``.

The same rules as the pages: reads through people.selectors (scoped; outside the
jurisdiction is a 404, like a missing record), writes through people.services,
capabilities from accounts.roles (a role without the capability gets a 403),
every view, search, reveal and change audited, ID numbers and phones only in
their masked forms. Errors are mapped to HTTP in fangkong.api, except the
duplicate registration, which is a 409 with where the person lives."""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from fangkong.accounts.roles import PEOPLE_EDIT, PEOPLE_REVEAL, PEOPLE_VIEW
from fangkong.accounts.scoping import has_capability, require_capability
from fangkong.audit.services import record
from fangkong.core.api_errors import path_id
from fangkong.core.schemas import ErrorOut, ValidationErrorOut
from fangkong.lib.documents import normalize_document
from fangkong.lib.masking import age
from fangkong.regions.selectors import division_names

from . import selectors, services
from .choices import TAGS
from .models import Household, Person
from .reveals import RevealLimited
from .schemas import (
    DuplicateOut,
    HouseholdDetailOut,
    HouseholdIn,
    HouseholdPage,
    HouseholdQuery,
    HouseholdUpdateIn,
    MoveIn,
    MoveRequestedOut,
    PersonDetailOut,
    PersonIn,
    PersonPage,
    PersonPatch,
    PersonQuery,
    PersonSearchIn,
    RateLimitedOut,
    ReasonQuery,
    RevealIn,
    RevealOut,
)

households = Router(tags=["households"])
persons = Router(tags=["persons"])

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
_LIST_FIELDS = (
    "id",
    "name",
    "sex",
    "birth_date",
    "doc_type",
    "doc_masked",
    "phone_masked",
    "division_code",
    "household_id",
    "relation",
    *TAGS,
)


# ---------------------------------------------------------------- helpers


def _community_names(codes) -> dict[str, str]:
    return division_names(c[:12] for c in codes)


def _paginate(qs: QuerySet, page: int, size: int, known: int | None) -> tuple[list, int, int]:
    count = known if known is not None else qs.count()
    pages = max(1, math.ceil(count / size))
    items = list(qs[(page - 1) * size : page * size]) if page <= pages else []
    return items, count, pages


def _tag_list(obj) -> list[str]:
    return [t for t in TAGS if getattr(obj, t)]


def person_out(p: Person, communities: dict[str, str]) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "sex": p.sex,
        "age": age(p.birth_date),
        "doc_type": p.doc_type,
        "doc_masked": p.doc_masked,
        "phone_masked": p.phone_masked,
        "division_code": p.division_code,
        "community": communities.get(p.division_code[:12], ""),
        "household_id": p.household_id,
        "relation": p.relation,
        "tags": _tag_list(p),
    }


def person_detail_out(user, p: Person) -> dict:
    return {
        **person_out(p, _community_names([p.division_code])),
        "doc_reason": p.doc_reason,
        "occupation": p.occupation,
        "place": services.describe_place(p.division_code),
        "household": {"id": p.household.pk, "address": p.household.address} if p.household else None,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "can_edit": has_capability(user, PEOPLE_EDIT, p.division_code),
        "can_reveal": has_capability(user, PEOPLE_REVEAL, p.division_code),
    }


def household_out(h: Household, communities: dict[str, str]) -> dict:
    return {
        "id": h.pk,
        "division_code": h.division_code,
        "community": communities.get(h.division_code[:12], ""),
        "address": h.address,
        "note": h.note,
        "head": {"id": h.head.pk, "name": h.head.name} if h.head else None,
        "created_at": h.created_at,
        "updated_at": h.updated_at,
    }


def household_detail_out(user, h: Household) -> dict:
    members = list(
        selectors.person_list(user=user, filters=selectors.PersonFilters(household=h.pk)).only(*_LIST_FIELDS)[:100]
    )
    communities = _community_names([h.division_code])
    return {
        **household_out(h, communities),
        "place": services.describe_place(h.division_code),
        "members": [person_out(p, communities) for p in members],
        "can_edit": has_capability(user, PEOPLE_EDIT, h.division_code),
    }


def _duplicate(user, dup: services.DuplicatePerson) -> Status:
    return Status(
        409,
        {
            "detail": "duplicate",
            "where": dup.where,
            "person_id": dup.existing.pk if dup.in_scope else None,
            "errors": {"doc_number": [dup.message]},
        },
    )


def _household_for_edit(user, pk: int) -> Household:
    """A household the user can see (else 404) and may edit (else 403)."""
    require_capability(user, PEOPLE_VIEW)
    household = selectors.household_get(user=user, pk=path_id(pk))
    require_capability(user, PEOPLE_EDIT, household.division_code)
    return household


def _person_for(user, pk: int, capability: str) -> Person:
    """A person the user can see (else 404) and may act on with ``capability`` (else 403)."""
    require_capability(user, PEOPLE_VIEW)
    person = selectors.person_get(user=user, pk=path_id(pk))
    require_capability(user, capability, person.division_code)
    return person


# ---------------------------------------------------------------- households


@households.get("", response={200: HouseholdPage, **_ERRORS}, summary="Households in my jurisdiction (paged)")
def household_list(request, filters: Query[HouseholdQuery]):
    user = request.auth
    require_capability(user, PEOPLE_VIEW)
    if selectors.search_kind(filters.q) in selectors.SENSITIVE_KINDS:
        # Households are found by address; a number in a URL ends up in access logs.
        raise ValidationError(
            {"q": [_("户按地址查找，不接受证件号码或电话；查找人员请用 POST /api/v1/persons/search。")]}
        )
    qs = selectors.household_list(user=user, q=filters.q, division=filters.division)
    known = None if filters.q else selectors.known_count(user=user, division=filters.division, field="household_count")
    items, count, pages = _paginate(qs, filters.page, filters.page_size, known)
    if filters.q:  # an address search is audited like a person search (the kind, never the term)
        record(
            user,
            "search",
            object_type="people.household",
            detail={"kind": "address", "results": len(items), "via": "api"},
            request=request,
        )
    communities = _community_names(h.division_code for h in items)
    return {
        "items": [household_out(h, communities) for h in items],
        "count": count,
        "page": filters.page,
        "pages": pages,
        "page_size": filters.page_size,
    }


@households.post("", response={201: HouseholdDetailOut, **_ERRORS}, summary="Add a household")
def household_create(request, payload: HouseholdIn):
    user = request.auth
    require_capability(user, PEOPLE_EDIT)
    household = services.household_create(
        user=user, division_code=payload.division_code, address=payload.address, note=payload.note, request=request
    )
    return Status(201, household_detail_out(user, household))


@households.get(
    "/{int:household_id}",
    response={200: HouseholdDetailOut, **_ERRORS},
    summary="One household and its members (audited)",
)
def household_detail(request, household_id: int):
    user = request.auth
    require_capability(user, PEOPLE_VIEW)
    household = selectors.household_get(user=user, pk=path_id(household_id))
    record(user, "view", household, request=request)
    return household_detail_out(user, household)


@households.put(
    "/{int:household_id}",
    response={200: HouseholdDetailOut, **_ERRORS},
    summary="Change a household's address, note, place or head",
)
def household_update(request, household_id: int, payload: HouseholdUpdateIn):
    user = request.auth
    household = _household_for_edit(user, household_id)
    head = None
    if payload.head_id is not None:
        head = (
            selectors.person_list(user=user, filters=selectors.PersonFilters(household=household.pk))
            .filter(pk=payload.head_id)
            .first()
        )
        if head is None:
            raise ValidationError({"head_id": _("户主必须是本户成员。")})
    household = services.household_update(
        user=user,
        household=household,
        address=payload.address,
        note=payload.note,
        division_code=payload.division_code,
        head=head,
        request=request,
    )
    return household_detail_out(user, selectors.household_get(user=user, pk=household.pk))


@households.delete(
    "/{int:household_id}", response={204: None, **_ERRORS}, summary="Delete an empty household (needs a reason)"
)
def household_delete(request, household_id: int, params: Query[ReasonQuery]):
    user = request.auth
    household = _household_for_edit(user, household_id)
    services.household_delete(user=user, household=household, reason=params.reason, request=request)
    return Status(204, None)


# ---------------------------------------------------------------- persons


@persons.get(
    "",
    response={200: PersonPage, **_ERRORS},
    summary="List or search persons in my jurisdiction by name or pinyin (paged; a search is audited)",
)
def person_list(request, filters: Query[PersonQuery]):
    """``q`` finds by name (prefix) or by pinyin or its initials (prefix:
    ``zhangsan``, ``zs``). An ID number or phone in ``q`` is refused (422): a
    URL ends up in histories, proxies and access logs; use ``POST /persons/search``."""
    if selectors.search_kind(filters.q) in selectors.SENSITIVE_KINDS:
        raise ValidationError(
            {"q": [_("证件号码和电话不能放在网址中：请用 POST /api/v1/persons/search，把查询内容放在请求正文里。")]}
        )
    return _person_page(request, filters)


@persons.post(
    "/search",
    response={200: PersonPage, **_ERRORS},
    summary="Search persons in my jurisdiction, the term in the body (ID number, phone, name, pinyin)",
)
def person_search(request, filters: PersonSearchIn):
    """``q`` finds by ID number or phone (exact, through the blind index), by
    name (prefix) or by pinyin or its initials (prefix). Audited as a search
    (its kind, never the term)."""
    return _person_page(request, filters)


def _person_page(request, filters) -> dict:
    user = request.auth
    require_capability(user, PEOPLE_VIEW)
    criteria = selectors.PersonFilters(
        q=filters.q,
        division=filters.division,
        tag=filters.tag or "",
        sex=filters.sex or "",
        household=filters.household,
    )
    qs = selectors.person_list(user=user, filters=criteria).only(*_LIST_FIELDS)
    filtered = filters.q or filters.tag or filters.sex or filters.household
    known = None if filtered else selectors.known_count(user=user, division=filters.division, field="person_count")
    items, count, pages = _paginate(qs, filters.page, filters.page_size, known)
    if filters.q:
        record(
            user,
            "search",
            object_type="people.person",
            detail={"kind": selectors.search_kind(filters.q), "results": len(items), "via": "api"},
            request=request,
        )
    communities = _community_names(p.division_code for p in items)
    return {
        "items": [person_out(p, communities) for p in items],
        "count": count,
        "page": filters.page,
        "pages": pages,
        "page_size": filters.page_size,
    }


@persons.post(
    "",
    response={201: PersonDetailOut, 409: DuplicateOut, **_ERRORS},
    summary="Register a person (409 if the document number is already registered)",
)
def person_create(request, payload: PersonIn):
    user = request.auth
    require_capability(user, PEOPLE_EDIT)
    household = None
    if payload.household_id is not None:
        if payload.division_code:
            raise ValidationError({"division_code": _("已选择户时不需要再填写村/社区。")})
        try:
            household = selectors.household_get(user=user, pk=payload.household_id, capability=PEOPLE_EDIT)
        except Http404:
            raise ValidationError({"household_id": _("所选户不存在或不在您的辖区内。")}) from None
    try:
        person = services.person_create(
            user=user,
            household=household,
            division_code=payload.division_code if household is None else None,
            name=payload.name,
            doc_type=payload.doc_type,
            doc_number=payload.doc_number,
            doc_reason=payload.doc_reason,
            phone=payload.phone,
            sex=payload.sex,
            birth_date=payload.birth_date,
            relation=payload.relation,
            occupation=payload.occupation,
            tags={t: True for t in payload.tags},
            request=request,
        )
    except services.DuplicatePerson as dup:
        return _duplicate(user, dup)
    return Status(201, person_detail_out(user, selectors.person_get(user=user, pk=person.pk)))


@persons.post(
    "/move",
    response={200: PersonDetailOut, 202: MoveRequestedOut, **_ERRORS},
    summary="Move a registered person into one of my households, by document number "
    "(202: from outside my jurisdiction, a request awaiting the person's current community)",
)
def person_move(request, payload: MoveIn):
    """Within my jurisdiction the person moves at once (200). A person who lives
    outside it is not moved: a request goes to their current community (or a
    common superior) for two-person approval (202), and until it is approved the
    person stays invisible to me. The answer never says where they live."""
    user = request.auth
    require_capability(user, PEOPLE_EDIT)
    household = selectors.household_get(user=user, pk=payload.household_id, capability=PEOPLE_EDIT)
    try:
        normalize_document(payload.doc_type, payload.doc_number)
    except ValidationError as exc:
        raise ValidationError({"doc_number": exc.messages}) from None
    person = selectors.person_find_by_document(doc_type=payload.doc_type, doc_number=payload.doc_number)
    if person is None:
        raise Http404
    outcome = services.person_move_request(
        user=user, person=person, household=household, reason=payload.reason, request=request
    )
    if not outcome.moved:
        return Status(
            202, {"status": "pending", "detail": services.move_requested_message(), "approval_id": outcome.approval.pk}
        )
    return person_detail_out(user, selectors.person_get(user=user, pk=person.pk))


@persons.get("/{int:person_id}", response={200: PersonDetailOut, **_ERRORS}, summary="One person (audited)")
def person_detail(request, person_id: int):
    user = request.auth
    require_capability(user, PEOPLE_VIEW)
    person = selectors.person_get(user=user, pk=path_id(person_id))
    record(user, "view", person, request=request)
    return person_detail_out(user, person)


@persons.patch(
    "/{int:person_id}",
    response={200: PersonDetailOut, 409: DuplicateOut, **_ERRORS},
    summary="Change some of a person's details",
)
def person_update(request, person_id: int, payload: PersonPatch):
    user = request.auth
    person = _person_for(user, person_id, PEOPLE_EDIT)
    changes = payload.model_dump(exclude_unset=True)
    if "tags" in changes:
        chosen = set(changes.pop("tags"))
        changes.update({t: t in chosen for t in TAGS})
    if not changes:
        return person_detail_out(user, person)
    try:
        services.person_update(user=user, person=person, request=request, **changes)
    except services.DuplicatePerson as dup:
        return _duplicate(user, dup)
    return person_detail_out(user, selectors.person_get(user=user, pk=person.pk))


@persons.delete(
    "/{int:person_id}",
    response={204: None, 409: ErrorOut, **_ERRORS},
    summary="Delete a person (needs a reason; 409 while follow-ups or other records keep them)",
)
def person_delete(request, person_id: int, params: Query[ReasonQuery]):
    user = request.auth
    person = _person_for(user, person_id, PEOPLE_EDIT)
    services.person_delete(user=user, person=person, reason=params.reason, request=request)
    return Status(204, None)


@persons.post(
    "/{int:person_id}/reveal",
    response={200: RevealOut, 429: RateLimitedOut, **_ERRORS},
    summary="The full document number or phone, for a stated reason (audited; limited per user)",
)
def person_reveal(request, response: HttpResponse, person_id: int, payload: RevealIn):
    """The reason must say something (at least 4 letters or characters, not
    punctuation or one character repeated: 422). Each user may reveal a limited
    number per minute and per hour (429, with the limit in the message)."""
    user = request.auth
    person = _person_for(user, person_id, PEOPLE_REVEAL)
    try:
        value = services.person_reveal(
            user=user, person=person, field=payload.field, reason=payload.reason, request=request
        )
    except RevealLimited as exc:
        return Status(429, {"detail": "rate_limited", "errors": {"__all__": exc.messages}})
    response["Cache-Control"] = "no-store"
    return {
        "field": payload.field,
        "value": value,
        "birth_date": person.birth_date if payload.field == "doc_number" else None,
    }
