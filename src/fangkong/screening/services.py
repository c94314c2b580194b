"""Writes for screening. ``arrival_record`` is the one door every source uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.audit.services import record
from fangkong.regions.models import Division

from .choices import ArrivalFlag, ArrivalSource, ArrivalStatus
from .models import Arrival


@transaction.atomic
def arrival_record(*, actor, division_code: str, identity: dict, source: str, arrived_on: dt.date | None = None,
                   origin_code: str = "", origin_name: str = "", flags: list[str] | None = None,
                   temperature: Decimal | None = None, travel_mode: str = "", travel_number: str = "",
                   source_ref: str = "", note: str = "", request=None) -> tuple[Arrival, bool]:
    """Put an arrival into the destination community's queue.

    ``identity`` holds RecordedIdentity values (people.identity.recorded_identity).
    A pending arrival for the same document number in the same community is
    merged rather than duplicated: returns (arrival, created)."""
    if source not in ArrivalSource.values:
        raise ValidationError({"source": _("来源无效。")})
    division = Division.objects.filter(code=division_code, level__in=["community", "grid"]).first()
    if division is None or not division_code.startswith(settings_city_prefix()):
        raise ValidationError({"destination": _("目的地必须是本市的村/社区。")})
    flags = sorted({f for f in (flags or []) if f in ArrivalFlag.values})
    arrived_on = arrived_on or timezone.localdate()
    doc_index = identity.get("doc_index") or ""
    if doc_index:
        existing = (Arrival.objects.select_for_update()
                    .filter(doc_index=doc_index, division_code__startswith=division_code[:12],
                            status=ArrivalStatus.PENDING).first())
        if existing is not None:
            merged = sorted(set(existing.flag_list()) | set(flags))
            existing.flags, existing.flagged = ",".join(merged), bool(merged)
            existing.reports += 1
            if temperature is not None and (existing.temperature is None or temperature > existing.temperature):
                existing.temperature = temperature
            existing.save(update_fields=["flags", "flagged", "reports", "temperature"])
            record(actor, "update", existing, request=request, detail={"merged": source})
            return existing, False
    arrival = Arrival.objects.create(
        division_code=division.code, source=source, source_ref=source_ref[:40], arrived_on=arrived_on,
        origin_code=origin_code[:12], origin_name=origin_name[:60], flags=",".join(flags), flagged=bool(flags),
        temperature=temperature, travel_mode=travel_mode[:20], travel_number=travel_number[:20], note=note[:200],
        created_by=actor if getattr(actor, "pk", None) else None, **identity,
    )
    record(actor, "create", arrival, request=request, detail={"source": source})
    return arrival, True


def settings_city_prefix() -> str:
    """The city this deployment serves (its division code), e.g. 4106 for Hebi."""
    from django.conf import settings

    return settings.FANGKONG_CITY_CODE
