"""The one place that renders ID numbers and phones for display, export and logs.

Masked forms are computed once when a value is stored and kept beside the
ciphertext, so no page, list or export ever has to decrypt to show a row.
"""

from __future__ import annotations

import datetime as dt
import re


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


# Patterns used to scrub free text (log messages, error pages) of anything that
# looks like a resident ID number or a mainland mobile number.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_ID15_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{5})(\d{4})(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def scrub(text: str) -> str:
    """Mask every ID-number-like and mobile-like digit run in free text."""
    text = _ID_RE.sub(lambda m: m.group(1) + "********" + m.group(3)[-4:], text)
    text = _ID15_RE.sub(lambda m: m.group(1) + "*****" + m.group(3), text)
    return _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def mask_name(value: str | None) -> str:
    """张三丰 → 张**: the family name only, for places that say who without showing it
    (an approval card on a phone)."""
    value = (value or "").strip()
    return value[:1] + "*" * (len(value) - 1) if value else ""
