"""The one place that renders ID numbers and phones for display, export and logs.

Masked forms are computed once when a value is stored and kept beside the
ciphertext, so no page, list or export ever has to decrypt to show a row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata


def mask_id_number(value: str | None) -> str:
    """410611198001011234 → 410611********1234; short documents keep 2 + 2."""
    if not value:
        return ""
    value = value.strip().upper()
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) > 4:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return "*" * len(value)


def mask_phone(value: str | None) -> str:
    """13812341234 → 138****1234; other lengths keep the first 3 and last 2-4."""
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) > 6:
        return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]
    return "*" * len(digits)


def age(birth_date: dt.date | None, today: dt.date | None = None) -> int | None:
    """Whole years since ``birth_date``: what pages, lists, exports and the API show
    instead of the birth date. A resident ID number's masked form hides exactly
    its eight birth-date digits, so mask + full birth date would give the whole
    number back; mask + age leaves hundreds of candidates (see docs/privacy.md)."""
    if birth_date is None:
        return None
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


# Free text (reasons, notes, outcomes, log lines) is scrubbed of anything that
# reads as a resident ID number or a mainland mobile number, however it was
# typed: with a space or hyphen anywhere between digits, in full-width digits
# (``\d`` matches them), with a +86 prefix, or glued to letters ("ID410611…").
# The boundaries are digits only, so a number inside words is still found, while
# a 12-digit division code or a date never is.
_SEP = "[ \\-\u2010-\u2015\u2212\u3000\uff0d]?"
_ID_RE = re.compile(rf"(?<!\d)\d(?:{_SEP}\d){{16}}{_SEP}[\dXx](?!\d)")
# First-generation 15-digit numbers (6 region + YYMMDD + 3) only where the six
# middle digits read as a date, so that a 15-digit grid code (community + 3) in
# a note is left alone unless it happens to read as one.
_ID15_RE = re.compile(r"(?<!\d)\d{8}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)")
_PHONE_RE = re.compile(rf"(?<!\d)(?:(?:\+|00)?86{_SEP})?1[3-9](?:{_SEP}\d){{9}}(?!\d)")


def _ascii_digit(c: str) -> str:
    if c.isdecimal():
        return str(unicodedata.decimal(c))
    return "X" if c in "\uff38\uff58" else c


def mask_numbers(text: str) -> str:
    """``text`` with every ID-number-like and mobile-like run masked as the
    registry masks them (410611********0839, 155****6939): the one scrubber for
    free text when it is stored (core.fields), for log lines and error pages.
    Full-width and other Unicode digits are read as digits."""
    if not text or not any(c.isdecimal() for c in text):
        return text
    # The patterns run on a copy with ASCII digits (one character for one, so
    # spans match); only what they find is replaced.
    plain = "".join(_ascii_digit(c) for c in text)
    spans: list[tuple[int, int, str]] = []
    for pattern, mask in ((_ID_RE, mask_id_number), (_ID15_RE, mask_id_number), (_PHONE_RE, _mask_phone_run)):
        for m in pattern.finditer(plain):
            if not any(a < m.end() and m.start() < b for a, b, _ in spans):
                spans.append((m.start(), m.end(), mask(re.sub(r"[^\dXx]", "", m.group(0)))))
    for a, b, masked in sorted(spans, reverse=True):
        text = text[:a] + masked + text[b:]
    return text


def _mask_phone_run(digits: str) -> str:
    return mask_phone(digits[-11:])


def mask_name(value: str | None) -> str:
    """张三丰 → 张**: the family name only, for places that say who without showing it
    (an approval card on a phone)."""
    value = (value or "").strip()
    return value[:1] + "*" * (len(value) - 1) if value else ""
