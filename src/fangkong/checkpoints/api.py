"""JSON API for checkpoints: ``/api/v1/checkpoints``.

The same rules as the pages: reads through checkpoints.selectors (scoped; a
checkpoint outside the jurisdiction is a 404, like a missing one), writes
through checkpoints.services; errors map to HTTP in fangkong.api. The batch
endpoint is for a checkpoint tablet that was offline: up to 500 passages,
each with its client key, and a result for every item."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fangkong.accounts.roles import CHECKPOINTS_VIEW
from fangkong.accounts.scoping import has_capability
from fangkong.core.api_errors import path_id
from fangkong.core.batch import batch_parse, batch_result
from fangkong.core.dates import Day
from fangkong.core.schemas import OptionalDivisionCode, Text

from . import selectors, services
from .guidance import next_steps
from .models import Checkpoint, Passage
from .schemas import (
    BatchIn,
    BatchOut,
    CheckpointOut,
    CheckpointPage,
    ErrorOut,
    PassageIn,
    PassagePage,
    RegisterIn,
    RegisterOut,
    RiskAreaOut,
    ValidationErrorOut,
)

router = Router(tags=["checkpoints"])

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _checkpoint(request, checkpoint_id: int) -> Checkpoint:
    return selectors.checkpoint_get(user=request.auth, pk=path_id(checkpoint_id))


def checkpoint_out(c: Checkpoint) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "level": c.level,
        "level_label": c.get_level_display(),
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "location": c.location,
        "status": c.status,
        "division_code": c.division_code,
    }


def passage_out(p: Passage) -> dict:
    return {
        "id": p.pk,
        "client_key": p.client_key,
        "registered_at": p.registered_at,
        "direction": p.direction,
        "name": p.name,
        "doc_masked": p.doc_masked,
        "phone_masked": p.phone_masked,
        "plate": p.plate,
        "origin_code": p.origin_code,
        "origin_name": p.origin_name,
        "destination_code": p.destination_code,
        "destination_name": p.destination_name,
        "temperature": str(p.temperature),
        "fever": p.fever,
        "risk_area": p.risk_area,
        "risk_level": p.risk_level,
        "flags": p.flag_list(),
        "vehicle_group": p.vehicle_group,
        "arrival_id": p.arrival_id,
    }


def _steps(passages: list[Passage]) -> list[str]:
    if not passages:
        return []
    first = passages[0]
    levels = {p.risk_level for p in passages if p.risk_area}
    return next_steps(
        fever=any(p.fever for p in passages),
        risk_level="high" if "high" in levels else ("medium" if levels else ""),
        inbound=first.direction == "in",
        destination_name=first.destination_name,
        arrival_queued=any(p.arrival_id for p in passages),
    )


def _to_input(data: PassageIn) -> services.PassageIn:
    return services.PassageIn(
        direction=data.direction,
        temperature=data.temperature,
        doc_number=data.doc_number,
        doc_type=data.doc_type,
        name=data.name,
        phone=data.phone,
        plate=data.plate,
        origin=data.origin,
        destination=data.destination,
        purpose=data.purpose,
        note=data.note,
        client_key=data.client_key,
        vehicle_group=data.vehicle_group,
        registered_at=data.registered_at,
    )


class CheckpointQuery(Schema):
    level: Literal["", "city", "county", "community"] = ""
    status: Literal["", "open", "closed"] = ""
    division: OptionalDivisionCode = Field("", description="only under this division (in your jurisdiction)")
    q: Annotated[Text, Field(max_length=50, description="part of the name")] = ""
    page: Annotated[int, Field(ge=1, le=1_000_000)] = 1


@router.get("", response={200: CheckpointPage, **_ERRORS}, summary="Checkpoints in my jurisdiction (paged)")
def checkpoint_list(request, filters: Query[CheckpointQuery]):
    if not has_capability(request.auth, CHECKPOINTS_VIEW):
        return Status(403, {"detail": "forbidden"})
    qs = selectors.checkpoint_list(
        user=request.auth,
        filters=selectors.CheckpointFilters(
            q=filters.q, level=filters.level, status=filters.status, division=filters.division
        ),
    )
    size = 100
    count = qs.count()
    pages = max(1, math.ceil(count / size))
    page = filters.page
    items = list(qs[(page - 1) * size : page * size]) if page <= pages else []
    return {"items": [checkpoint_out(c) for c in items], "count": count, "page": page, "pages": pages}


@router.get("/risk-areas", response={200: list[RiskAreaOut], **_ERRORS}, summary="Risk areas, current first")
def risk_area_list(request, include_past: bool = False):
    if not has_capability(request.auth, CHECKPOINTS_VIEW):  # as the page: a role without it gets a 403
        return Status(403, {"detail": "forbidden"})
    today = timezone.localdate()
    return [
        {
            "id": a.pk,
            "origin_code": a.origin_code,
            "origin_name": a.origin_name,
            "level": a.level,
            "starts_on": a.starts_on,
            "ends_on": a.ends_on,
            "current": a.is_current(today),
        }
        for a in selectors.risk_area_list(day=today, include_past=include_past)
    ]


@router.get("/{checkpoint_id}", response={200: CheckpointOut, **_ERRORS}, summary="One checkpoint")
def checkpoint_detail(request, checkpoint_id: int):
    return checkpoint_out(_checkpoint(request, checkpoint_id))


class PassageQuery(Schema):
    day: Day | None = Field(None, description="default: today")
    direction: Literal["", "in", "out"] = ""
    flagged: bool = False
    page: Annotated[int, Field(ge=1, le=1_000_000)] = 1


@router.get(
    "/{checkpoint_id}/passages",
    response={200: PassagePage, **_ERRORS},
    summary="A checkpoint's passages on a day (paged, masked)",
)
def passage_list(request, checkpoint_id: int, filters: Query[PassageQuery]):
    cp = _checkpoint(request, checkpoint_id)
    day = filters.day or timezone.localdate()
    qs = selectors.passage_list(
        user=request.auth,
        checkpoint=cp,
        filters=selectors.PassageFilters(day=day, direction=filters.direction, flagged=filters.flagged),
    )
    size = 100
    count = qs.count()
    pages = max(1, math.ceil(count / size))
    page = filters.page
    items = list(qs[(page - 1) * size : page * size]) if page <= pages else []
    return {"items": [passage_out(p) for p in items], "count": count, "page": page, "pages": pages}


@router.post(
    "/{checkpoint_id}/passages",
    response={200: RegisterOut, 201: RegisterOut, **_ERRORS},
    summary="Register a passage (and the others in the vehicle); a retried client_key returns the first",
)
def passage_register(request, checkpoint_id: int, payload: RegisterIn):
    cp = _checkpoint(request, checkpoint_id)
    reg = services.passage_register(
        actor=request.auth,
        checkpoint=cp,
        passage=_to_input(payload),
        passengers=[
            services.PassageIn(
                direction="",
                temperature=p.temperature,
                doc_number=p.doc_number,
                doc_type=p.doc_type,
                name=p.name,
                phone=p.phone,
                destination=p.destination,
                note=p.note,
            )
            for p in payload.passengers
        ],
        request=request,
    )
    body = {
        "created": reg.created,
        "passages": [passage_out(p) for p in reg.passages],
        "next_steps": _steps(reg.passages),
    }
    return Status(201 if reg.created else 200, body)


@router.post(
    "/{checkpoint_id}/passages/batch",
    response={200: BatchOut, **_ERRORS},
    summary="Upload up to 500 passages from an offline tablet; a result for every item",
)
def passage_batch(request, checkpoint_id: int, payload: BatchIn):
    cp = _checkpoint(request, checkpoint_id)
    good, malformed = batch_parse(payload.items, PassageIn)
    results = services.passage_register_batch(
        actor=request.auth, checkpoint=cp, items=[_to_input(item) for _i, item in good], request=request
    )
    out = {}
    for (i, _item), r in zip(good, results, strict=False):
        passages = [r.record] if r.record is not None else []
        out[i] = {
            "index": i,
            "client_key": r.client_key,
            "status": r.status,
            "passage": passage_out(r.record) if r.record is not None else None,
            "next_steps": _steps(passages),
            "errors": r.errors,
        }
    return batch_result(len(payload.items), out, malformed, {"passage": None, "next_steps": []})
