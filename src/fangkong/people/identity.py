"""Turning what a user typed about a person into stored, protected fields.

Shared by the person services, the Excel importer and the population generator
so that a number is validated, normalized, encrypted, indexed and masked the
same way whichever door it came in by."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangkong.lib import vault
from fangkong.lib.documents import (
    DOC_NONE,
    DOC_RIC,
    DOCUMENT_TYPES,
    normalize_document,
    normalize_phone,
    parse_resident_id,
)
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.lib.pinyin import name_keys
from fangkong.lib.text import identifying_text

_DOC_TYPES = {code for code, _label in DOCUMENT_TYPES}


@dataclass
class ProtectedIdentity:
    doc_type: str
    doc_cipher: str
    doc_index: str | None
    doc_masked: str
    sex: str | None  # from the ID number, when it is a resident ID
    birth_date: dt.date | None


@dataclass
class ProtectedPhone:
    phone_cipher: str
    phone_index: str
    phone_masked: str


def document_index(doc_type: str, normalized: str) -> str | None:
    return vault.blind_index(f"doc:{doc_type}", normalized) or None


def protect_document(doc_type: str, number: str, reason: str = "") -> ProtectedIdentity:
    """Validate and protect a document number. Raises ValidationError keyed by field."""
    if doc_type not in _DOC_TYPES:
        raise ValidationError({"doc_type": _("证件类型无效。")})
    sex = birth = None
    try:
        if doc_type == DOC_RIC:  # parsed once: the number, sex and birth date
            parsed = parse_resident_id(number)
            normalized, sex, birth = parsed.number, parsed.sex, parsed.birth_date
        else:
            normalized = normalize_document(doc_type, number)
    except ValidationError as exc:
        raise ValidationError({"doc_number": exc.messages}) from None
    if doc_type != DOC_RIC and not (reason or "").strip():
        raise ValidationError({"doc_reason": _("没有居民身份证时，请说明原因（如外籍、港澳台居民、未办理）。")})
    return ProtectedIdentity(
        doc_type=doc_type,
        doc_cipher=vault.encrypt(normalized),
        doc_index=document_index(doc_type, normalized) if doc_type != DOC_NONE else None,
        doc_masked=mask_id_number(normalized),
        sex=sex,
        birth_date=birth,
    )


def phone_index(normalized: str) -> str:
    return vault.blind_index("phone", normalized)


def protect_phone(number: str) -> ProtectedPhone:
    try:
        normalized = normalize_phone(number)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    return ProtectedPhone(
        phone_cipher=vault.encrypt(normalized),
        phone_index=phone_index(normalized),
        phone_masked=mask_phone(normalized),
    )


def clean_name(name: str) -> tuple[str, str, str]:
    """(name, pinyin, initials); ValidationError keyed 'name'. Normalized and
    refused as all identifying text is (fangkong.lib.text)."""
    try:
        name = identifying_text(name)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from None
    if not name:
        raise ValidationError({"name": _("请填写姓名。")})
    if len(name) > 50:
        raise ValidationError({"name": _("姓名不能超过50个字。")})
    if any(ch.isdigit() for ch in name):
        raise ValidationError({"name": _("姓名不能包含数字。")})
    full, initials = name_keys(name)
    return name, full, initials


def recorded_identity(
    *, name: str, doc_type: str = "ric", doc_number: str = "", phone: str = "", doc_reason: str = "", link: bool = True
) -> dict:
    """Column values for a RecordedIdentity (see people.models), validated with the
    same rules as the registry; ValidationError keyed by field. With ``link``, a
    registered person with the same document number is linked and fills in a
    missing name."""
    from .models import Person

    errors: dict[str, list[str]] = {}
    values: dict = {}
    try:
        values["name"] = clean_name(name)[0]
    except ValidationError as exc:
        if (name or "").strip() or doc_type != "ric":
            errors.update(exc.message_dict)
        values["name"] = ""
    try:
        ident = protect_document(doc_type, doc_number, doc_reason or "-")
        values.update(
            doc_type=ident.doc_type,
            doc_cipher=ident.doc_cipher,
            doc_index=ident.doc_index or "",
            doc_masked=ident.doc_masked,
            sex=ident.sex or "U",
            birth_date=ident.birth_date,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        ph = protect_phone(phone or "")
        values.update(phone_cipher=ph.phone_cipher, phone_index=ph.phone_index, phone_masked=ph.phone_masked)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if link and values.get("doc_index"):
        person = Person.objects.filter(doc_index=values["doc_index"]).only("id", "name").first()
        values["person"] = person
        if person is not None and not values["name"]:
            values["name"] = person.name
    if not values["name"]:
        raise ValidationError({"name": _("请填写姓名。")})
    return values
