"""Reads of the people registry, always scoped to the acting user.

Search goes by exact document number or phone (through the blind index), by
name, or by pinyin / pinyin initials prefix ("zhangsan", "zs" find 张三)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from fangkong.accounts.roles import PEOPLE_VIEW
from fangkong.accounts.scoping import get_for_user, require_division, scope_filter
from fangkong.lib.codes import prefix_range
from fangkong.lib.documents import DOC_RIC, normalize_phone, parse_resident_id
from fangkong.lib.pinyin import looks_like_pinyin, normalize_query

from .choices import TAGS
from .identity import document_index, phone_index
from .models import Household, Person

_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
_PHONE_LIKE = re.compile(r"^\+?[\d\- ]{7,20}$")


# Searches whose term is an ID number or a phone: never carried in a URL (pages
# search by POST and keep only the blind index in the session; the API has a
# POST search with the term in the body).
SENSITIVE_KINDS = ("doc", "phone")


@dataclass(frozen=True)
class PersonFilters:
    q: str = ""
    division: str = ""
    tag: str = ""
    sex: str = ""
    household: int | None = None
    # ("doc" | "phone", blind index): an exact search already turned into its
    # blind index (``search_blind``); an empty index matches nobody.
    blind: tuple[str, str] | None = None


def search_kind(q: str) -> str:
    """What a query is: 'doc' (an ID number), 'phone', 'pinyin', 'name' or ''."""
    q = (q or "").strip()
    if not q:
        return ""
    compact = q.replace(" ", "")
    if _ID_LIKE.match(compact):
        return "doc"
    if _PHONE_LIKE.match(q) and sum(ch.isdigit() for ch in q) >= 7:
        return "phone"
    if looks_like_pinyin(q):
        return "pinyin"
    return "name"


def search_blind(q: str) -> tuple[str, str] | None:
    """An ID number or phone query as (kind, blind index), or None for other
    queries. The index is "" when the phone is not a valid number."""
    q = (q or "").strip()[:60]
    kind = search_kind(q)
    if kind == "doc":
        try:
            number = parse_resident_id(q).number
        except ValidationError:
            number = q.replace(" ", "").upper()
        return kind, document_index(DOC_RIC, number) or ""
    if kind == "phone":
        try:
            return kind, phone_index(normalize_phone(q)) or ""
        except ValidationError:
            return kind, ""
    return None


def apply_blind(qs: QuerySet, blind: tuple[str, str]) -> QuerySet:
    kind, index = blind
    if not index or kind not in SENSITIVE_KINDS:
        return qs.none()
    return qs.filter(doc_index=index) if kind == "doc" else qs.filter(phone_index=index)


def _apply_search(qs: QuerySet, q: str) -> QuerySet:
    q = (q or "").strip()[:60]
    kind = search_kind(q)
    if kind in SENSITIVE_KINDS:
        return apply_blind(qs, search_blind(q))
    if kind == "pinyin":
        lo, hi = prefix_range(normalize_query(q))
        return _name_match(
            qs, Q(name_initials__gte=lo, name_initials__lt=hi) | Q(name_pinyin__gte=lo, name_pinyin__lt=hi)
        )
    if kind == "name":
        lo, hi = prefix_range(q)
        return _name_match(qs, Q(name__gte=lo, name__lt=hi))
    return qs


# A rare prefix ("qyq") is found fastest through the name indexes, a common one
# ("zhang") by walking the scope in list order; SQLite has no statistics to
# choose, so we probe: at most this many ids from the name indexes (index-only,
# never shown or returned), else the plain filter.
NAME_PROBE_LIMIT = 2000


def _name_match(qs: QuerySet, name_q: Q) -> QuerySet:
    ids = list(Person.objects.filter(name_q).values_list("pk", flat=True)[: NAME_PROBE_LIMIT + 1])
    if len(ids) <= NAME_PROBE_LIMIT:
        return qs.filter(pk__in=ids)
    return qs.filter(name_q)


def person_list(*, user, filters: PersonFilters | None = None) -> QuerySet:
    """Persons in the user's jurisdiction matching the filters, newest last by code."""
    filters = filters or PersonFilters()
    qs = scope_filter(Person.objects.all(), user, PEOPLE_VIEW)
    if filters.division:
        qs = qs.under(require_division(user, filters.division, PEOPLE_VIEW))
    if filters.tag in TAGS:
        qs = qs.filter(**{filters.tag: True})
    if filters.sex in ("M", "F", "U"):
        qs = qs.filter(sex=filters.sex)
    if filters.household:
        qs = qs.filter(household_id=filters.household)
    qs = apply_blind(qs, filters.blind) if filters.blind else _apply_search(qs, filters.q)
    return qs.order_by("division_code", "id")


def person_get(*, user, pk) -> Person:
    return get_for_user(Person.objects.select_related("household"), user, PEOPLE_VIEW, pk=pk)


def household_list(*, user, q: str = "", division: str = "") -> QuerySet:
    qs = scope_filter(Household.objects.select_related("head"), user, PEOPLE_VIEW)
    if division:
        qs = qs.under(require_division(user, division, PEOPLE_VIEW))
    q = (q or "").strip()[:60]
    if q:
        qs = qs.filter(address__contains=q)
    return qs.order_by("division_code", "id")


def household_get(*, user, pk, capability: str = PEOPLE_VIEW) -> Household:
    return get_for_user(Household.objects.select_related("head"), user, capability, pk=pk)


def person_find_by_document(*, doc_type: str, doc_number: str) -> Person | None:
    """Unscoped exact lookup by document number, for the duplicate check only:
    the caller proves knowledge of the full number. Never used to list."""
    from fangkong.lib.documents import normalize_document

    try:
        normalized = normalize_document(doc_type, doc_number)
    except ValidationError:
        return None
    index = document_index(doc_type, normalized)
    return Person.objects.filter(doc_index=index).first() if index else None


def known_count(*, user, division: str, field: str = "person_count") -> int | None:
    """The maintained roll-up count (``person_count`` or ``household_count``) when
    a list is the whole of one division in the user's scope, so the first page of
    a 300,000-person county does not COUNT(*). None when it does not apply."""
    from fangkong.accounts.scoping import scope_prefixes
    from fangkong.regions.models import Division

    prefixes = scope_prefixes(user, PEOPLE_VIEW)
    code = division or (prefixes[0] if len(prefixes) == 1 else None)
    if not code or not any(code.startswith(p) for p in prefixes):
        return None
    return Division.objects.filter(code=code).values_list(field, flat=True).first()


def move_request_count(*, user) -> int:
    """How many requests to move people of the user's jurisdiction elsewhere wait."""
    from fangkong.accounts.roles import PEOPLE_EDIT
    from fangkong.accounts.scoping import has_capability
    from fangkong.approvals.selectors import approval_list

    from .services import MOVE_KIND

    if not has_capability(user, PEOPLE_EDIT):
        return 0
    return approval_list(user=user).filter(kind=MOVE_KIND).count()


def move_requests(*, user, limit: int = 200) -> list[dict]:
    """Pending requests to move a person of the user's jurisdiction elsewhere
    (approval kind ``people.move``), with the person (scoped) and where they
    would go (place names only: the household there is not the user's)."""
    from fangkong.approvals.selectors import approval_list

    from .services import MOVE_KIND, describe_place

    approvals = list(approval_list(user=user).filter(kind=MOVE_KIND)[:limit])
    people = scope_filter(Person.objects.all(), user, PEOPLE_VIEW).in_bulk(
        [int(a.object_id) for a in approvals if a.object_id.isdigit()]
    )
    return [
        {
            "approval": a,
            "person": people.get(int(a.object_id)),
            "to_place": describe_place(a.payload.get("to_division", "")),
        }
        for a in approvals
        if a.object_id.isdigit() and int(a.object_id) in people
    ]
