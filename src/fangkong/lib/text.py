"""Identifying text (names, addresses, plates, travel numbers) as it is stored.

One rule for every door a name or an address comes in by (forms, API, Excel
imports, checkpoint registration, self-reports): the text is NFKC-normalized
(full-width letters and digits become plain ones), runs of white space become
one space, and a control, format, private-use or unassigned character, or an
invisible filler, is refused with a message — never silently kept. Such
characters make two different records look the same on screen and in exports
(a name with a right-to-left override reads backwards, a name of zero-width
spaces looks blank) and hide text from search and from the people checking a
list."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

# General categories refused: Cc control (white space aside), Cf format (bidi
# overrides and isolates, zero-width space/joiners, BOM, soft hyphen), Co
# private use, Cs surrogates, Cn unassigned.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
# Letters that render as nothing (Hangul fillers, the blank Braille pattern).
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

INVISIBLE_MESSAGE = _("不能包含控制字符或不可见字符（如文字方向控制符、零宽字符）。")


def has_invisible(value: str) -> bool:
    """Does ``value`` hold a character that ``identifying_text`` refuses?"""
    for ch in unicodedata.normalize("NFKC", value or ""):
        if ch.isspace():
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES or ch in _INVISIBLE_LETTERS:
            return True
    return False


def identifying_text(value: str | None) -> str:
    """``value`` normalized (NFKC, white space collapsed, trimmed); a
    ValidationError (code ``invisible``) when it holds a refused character."""
    text = unicodedata.normalize("NFKC", value or "")
    if has_invisible(text):
        raise ValidationError(INVISIBLE_MESSAGE, code="invisible")
    return " ".join(text.split())


def clean_text(value: object, limit: int) -> str:
    """Free text (a note, a place, an outcome) as stored: NUL dropped, runs of
    white space made one space, trimmed, cut to ``limit`` characters."""
    return " ".join(str(value or "").replace("\x00", "").split())[:limit]


def reason_text(value: object, *, field: str = "reason", minimum: int = 2, limit: int = 200) -> str:
    """A reason (for a change, an approval, a decision): ``clean_text``, and a
    ValidationError on ``field`` when shorter than ``minimum`` characters."""
    text = clean_text(value, limit)
    if len(text) < minimum:
        raise ValidationError({field: gettext_now("请填写理由（至少2个字）。")})
    return text
