"""Validation of identity documents and phones at the edge, with the field's own rules.

Resident ID numbers use python-stdnum (``stdnum.cn.ric``: checksum, birth date,
region); phones use phonenumbers (mainland numbers). Messages are translatable
and never echo the number back, so they are safe to show and to log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric

DOC_RIC = "ric"
DOC_PASSPORT = "passport"
DOC_HK_MACAU = "hk_macau"
DOC_TAIWAN = "taiwan"
DOC_OTHER = "other"
DOC_NONE = "none"

DOCUMENT_TYPES = [
    (DOC_RIC, _("居民身份证")),
    (DOC_PASSPORT, _("护照")),
    (DOC_HK_MACAU, _("港澳居民来往内地通行证")),
    (DOC_TAIWAN, _("台湾居民来往大陆通行证")),
    (DOC_OTHER, _("其他证件")),
    (DOC_NONE, _("无证件")),
]


# GB/T 2260 province-level codes (incl. 71 Taiwan, 81 Hong Kong, 82 Macau, and 83
# for residence permits of Taiwan residents).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    region: str  # the 6-digit region code in the number


def parse_resident_id(value: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate an 18-digit resident ID number; sex and birth date come from it."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("请填写身份证号码。"), code="required")
    number = ric.compact(raw).upper()
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为18位。"), code="length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号码只能包含数字，最后一位可以是X。"), code="format")
    try:
        birth = ric.get_birth_date(number)
    except (stdnum_exc.ValidationError, ValueError):
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="birth_date") from None
    today = today or dt.date.today()
    if birth > today or birth.year < today.year - 130:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="birth_date")
    if ric.calc_check_digit(number) != number[17]:  # stdnum ignores the last char itself
        raise ValidationError(_("身份证号码校验位不正确，请核对。"), code="checksum")
    # The region part: stdnum.cn.ric's own table lacks many current codes (all of
    # Hebi's, e.g. 410611), and numbers keep codes that were later abolished, so
    # only the province is checked here.
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(_("身份证号码前两位不是有效的省份代码。"), code="region")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth, sex=sex, region=number[:6])


def normalize_document(doc_type: str, value: str) -> str:
    """Canonical form of a document number, used for the blind index and masking."""
    if doc_type == DOC_RIC:
        return parse_resident_id(value).number
    cleaned = "".join((value or "").split()).upper()
    if doc_type == DOC_NONE:
        if cleaned:
            raise ValidationError(_("选择了“无证件”时不能填写证件号码。"), code="unexpected")
        return ""
    if not cleaned:
        raise ValidationError(_("请填写证件号码。"), code="required")
    if not (4 <= len(cleaned) <= 30) or not cleaned.isascii() or not cleaned.replace("-", "").isalnum():
        raise ValidationError(_("证件号码应为4到30位字母或数字。"), code="format")
    return cleaned


def normalize_phone(value: str) -> str:
    """A valid mainland number in its national digits (13812341234), or ValidationError."""
    raw = (value or "").strip()
    if not raw:
        return ""
    if len(raw) > 30:
        raise ValidationError(_("手机号码格式不正确。"), code="format")
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("手机号码格式不正确。"), code="format") from None
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("请填写有效的中国大陆手机或固定电话号码。"), code="invalid")
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())


def make_resident_id(region: str, birth: dt.date, seq: int) -> str:
    """A resident ID number with a correct check digit (for generated people only).
    ``seq`` 0–999: odd for men, even for women, as in real numbers."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last char
