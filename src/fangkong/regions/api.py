"""JSON API for the division tree: ``/api/v1/divisions``. Every read goes
through regions.selectors, scoped to the acting user; outside is a 404."""

from __future__ import annotations

from typing import Annotated

from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from fangkong.core.schemas import ErrorOut, Text, ValidationErrorOut
from fangkong.lib.codes import is_code

from . import selectors
from .models import Division
from .schemas import DivisionDetailOut, DivisionOut, LevelName

router = Router(tags=["divisions"])

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def division_out(d: Division) -> dict:
    return {
        "code": d.code,
        "name": d.name,
        "short_name": d.short_name,
        "level": d.level,
        "parent_code": d.parent_code,
        "person_count": d.person_count,
        "household_count": d.household_count,
    }


def _get(user, code: str) -> Division:
    # A malformed code is as absent as a code outside the jurisdiction.
    if not is_code(code):
        raise Http404
    return selectors.division_get(user=user, code=code)


class DivisionSearch(Schema):
    q: Annotated[Text, Field(max_length=50, description="code prefix (digits) or part of the name")] = ""
    level: list[LevelName] = Field(default_factory=list, description="repeat to allow several levels")
    limit: Annotated[int, Field(ge=1, le=100)] = 20


@router.get("", response={200: list[DivisionOut], **_ERRORS}, summary="Search divisions in my jurisdiction")
def division_search(request, filters: Query[DivisionSearch]):
    items = selectors.division_search(user=request.auth, q=filters.q, levels=filters.level, limit=filters.limit)
    return [division_out(d) for d in items]


@router.get(
    "/{code}", response={200: DivisionDetailOut, **_ERRORS}, summary="One division with its person and household counts"
)
def division_detail(request, code: str):
    d = _get(request.auth, code)
    return {
        **division_out(d),
        "ancestors": [
            {"code": a.code, "short_name": a.short_name, "level": a.level}
            for a in selectors.division_breadcrumbs(code=d.code)
        ],
        "child_count": Division.objects.filter(parent_code=d.code).count(),
    }


@router.get(
    "/{code}/children",
    response={200: list[DivisionOut], **_ERRORS},
    summary="The divisions directly under one division",
)
def division_children(request, code: str):
    if not is_code(code):
        raise Http404
    return [division_out(c) for c in selectors.division_children(user=request.auth, code=code)]
