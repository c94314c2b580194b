"""Pinyin search keys for Chinese names: "张三" → ("zhangsan", "zs").

Stored lowercase without tones or separators so that a prefix range scan
answers "zhangs…" and "zs…" alike. Characters that are not Chinese (Latin
names on passports) are kept, lowercased, letters only.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def _syllables(text: str) -> tuple[str, ...]:
    return tuple(s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default"))


def _letters(s: str) -> str:
    return "".join(ch for ch in s if ch.isascii() and ch.isalnum())


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) for a name, both ASCII lowercase."""
    parts = [_letters(s) for s in _syllables(name.strip())]
    parts = [p for p in parts if p]
    # A Latin word stays whole in "full"; its initial is its first letter.
    return "".join(parts)[:100], "".join(p[0] for p in parts)[:30]


def split_name_keys(surname: str, given: str) -> tuple[str, str]:
    """Same as name_keys, cached per part: the population generator composes
    millions of names from a few thousand parts."""
    s_full, s_init = name_keys(surname)
    g_full, g_init = name_keys(given)
    return s_full + g_full, s_init + g_init


def looks_like_pinyin(query: str) -> bool:
    return bool(query) and query.isascii() and query.replace(" ", "").isalpha()


def normalize_query(query: str) -> str:
    return "".join(query.lower().split())
