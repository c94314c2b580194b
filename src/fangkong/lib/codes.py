"""National statistical division codes (统计用区划代码) as materialized paths.

2 digits province, 4 city, 6 county, 9 township, 12 village/community, and
15 for a grid (网格) inside a community. A code is its own path: every
ancestor is a prefix, and "everything under X" is the half-open range
``[X, next_prefix(X))``, which is one index range scan on any database.
"""

from __future__ import annotations

LEVEL_LENGTHS = {"province": 2, "city": 4, "county": 6, "township": 9, "community": 12, "grid": 15}
LENGTH_LEVELS = {length: level for level, length in LEVEL_LENGTHS.items()}
LEVELS = tuple(LEVEL_LENGTHS)


def is_code(value: str) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) in LENGTH_LEVELS


def level_of(code: str) -> str:
    try:
        return LENGTH_LEVELS[len(code)]
    except KeyError:
        raise ValueError(f"not a division code: {code!r}") from None


def parent_of(code: str) -> str | None:
    """The parent division's code, or None for a province."""
    length = len(code)
    lengths = sorted(LENGTH_LEVELS)
    idx = lengths.index(length)
    return code[: lengths[idx - 1]] if idx > 0 else None


def ancestors(code: str) -> list[str]:
    """All proper ancestors, from the province down, e.g. 410611005007 → [41, 4106, 410611, 410611005]."""
    return [code[:n] for n in sorted(LENGTH_LEVELS) if n < len(code)]


def lineage(code: str) -> list[str]:
    """Ancestors and the code itself."""
    return [*ancestors(code), code]


def next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``.

    Division codes (digits) get a decimal carry ('410611' → '410612', '410619'
    → '410620') so the bound is itself all digits: a bound such as '41061:'
    would sort wrongly under ICU or glibc collations (punctuation is ignored at
    the first level) and silently drop every code ending in 9 from a scoped
    query on a PostgreSQL database that does not use the C collation. Other
    text (name and pinyin prefixes) bumps its last character.
    """
    if not prefix:
        raise ValueError("empty prefix")
    if prefix.isascii() and prefix.isdigit() and set(prefix) != {"9"}:
        return str(int(prefix) + 1).zfill(len(prefix))
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_range(prefix: str) -> tuple[str, str]:
    return prefix, next_prefix(prefix)


def child_length(code: str) -> int:
    """Length of a child code of ``code`` (4 for a province, 15 for a community)."""
    lengths = sorted(LENGTH_LEVELS)
    idx = lengths.index(len(code))
    if idx + 1 >= len(lengths):
        raise ValueError(f"{code} is a grid: it has no children")
    return lengths[idx + 1]


def collapse_prefixes(prefixes: list[str]) -> list[str]:
    """Drop prefixes covered by a shorter one: [4106, 410611, 410621] → [4106]."""
    result: list[str] = []
    for p in sorted(set(prefixes), key=lambda c: (len(c), c)):
        if not any(p.startswith(q) for q in result):
            result.append(p)
    return sorted(result)
