"""Chinese vehicle plates (机动车号牌, GA 36-2018), validated at the edge.

``parse_plate`` takes what a checkpoint worker typed and returns the plate in
canonical form (no separator, upper case, half-width) with its kind, or raises
a ValidationError with a message for the user. What is accepted:

- ordinary plates, 7 characters: province abbreviation, issuing-authority
  letter, 5 serial characters — 豫F12345, 豫FA123B;
- new-energy plates, 8 characters: small vehicles have the energy letter
  (D/A/B/C/E pure electric, F/G/H/J/K other) first in the serial, then a
  letter or digit, then 4 digits — 豫FD12345, 豫FDA1234; large vehicles have
  5 digits and the energy letter last — 豫F12345D;
- plates with a special last character: 警 police, 学 driving-school coach,
  挂 trailer, 领 consulate, 港/澳 Hong Kong and Macau cross-border (粤Z only),
  and 应急 (emergency rescue) — province, authority letter, 4 characters and
  the suffix, e.g. 豫F1234警, 粤Z1234港;
- embassy plates: 使 and 6 digits (mission code and serial) — 使014578;
- armed-police plates: WJ, an optional province abbreviation and 5 characters
  (the last may be a service character such as 消 or 边) — WJ豫12345;
- military plates: 2 letters and 5 digits — VA12345.

The issuing-authority letter is any letter but I (O is used for police and
government vehicles); serial letters never include I or O, so an O or I typed
in a serial is read as 0 or 1. Separators (·, space, dot, dash) are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fangkong.lib.text import INVISIBLE_MESSAGE, has_invisible

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
AUTHORITY_LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # no I
SERIAL_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
DIGITS = "0123456789"
SERIAL_CHARS = SERIAL_LETTERS + DIGITS
NEW_ENERGY_LETTERS = "ABCDEFGHJK"  # D A B C E: pure electric; F G H J K: other new energy
SUFFIXES = ("警", "学", "挂", "领", "港", "澳", "应急")
ARMED_POLICE_SERVICES = "消边通森金警电"

ORDINARY = "ordinary"
NEW_ENERGY_SMALL = "new_energy_small"
NEW_ENERGY_LARGE = "new_energy_large"
POLICE = "police"
COACH = "coach"
TRAILER = "trailer"
CONSULATE = "consulate"
HONG_KONG = "hong_kong"
MACAU = "macau"
EMERGENCY = "emergency"
EMBASSY = "embassy"
ARMED_POLICE = "armed_police"
MILITARY = "military"

PLATE_KINDS = {
    ORDINARY: _("普通号牌"),
    NEW_ENERGY_SMALL: _("小型新能源号牌"),
    NEW_ENERGY_LARGE: _("大型新能源号牌"),
    POLICE: _("警用号牌"),
    COACH: _("教练车号牌"),
    TRAILER: _("挂车号牌"),
    CONSULATE: _("领馆号牌"),
    HONG_KONG: _("粤港入出境号牌"),
    MACAU: _("粤澳入出境号牌"),
    EMERGENCY: _("应急救援号牌"),
    EMBASSY: _("使馆号牌"),
    ARMED_POLICE: _("武警号牌"),
    MILITARY: _("军用号牌"),
}
_SUFFIX_KINDS = {
    "警": POLICE,
    "学": COACH,
    "挂": TRAILER,
    "领": CONSULATE,
    "港": HONG_KONG,
    "澳": MACAU,
    "应急": EMERGENCY,
}

_P = f"[{PROVINCES}]"
_A = f"[{AUTHORITY_LETTERS}]"
_S = f"[{SERIAL_CHARS}]"
_N = f"[{NEW_ENERGY_LETTERS}]"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (ORDINARY, re.compile(f"{_P}{_A}{_S}{{5}}")),
    (NEW_ENERGY_SMALL, re.compile(f"{_P}{_A}{_N}{_S}[0-9]{{4}}")),
    (NEW_ENERGY_LARGE, re.compile(f"{_P}{_A}[0-9]{{5}}{_N}")),
    (CONSULATE, re.compile(f"{_P}{_A}[0-9]{{4}}领")),
    (HONG_KONG, re.compile(f"粤Z{_S}{{4}}港")),
    (MACAU, re.compile(f"粤Z{_S}{{4}}澳")),
    (POLICE, re.compile(f"{_P}{_A}{_S}{{4}}警")),
    (COACH, re.compile(f"{_P}{_A}{_S}{{4}}学")),
    (TRAILER, re.compile(f"{_P}{_A}{_S}{{4}}挂")),
    (EMERGENCY, re.compile(f"{_P}{_A}{_S}{{4}}应急")),
    (EMBASSY, re.compile("使[0-9]{6}")),
    (ARMED_POLICE, re.compile(f"WJ{_P}?[0-9]{{4}}[0-9{ARMED_POLICE_SERVICES}]")),
    (MILITARY, re.compile(f"[{SERIAL_LETTERS}]{{2}}[0-9]{{5}}")),
]

_SEPARATORS = re.compile(r"[\s·•・.\-—_]+")
_MAX_INPUT = 30


@dataclass(frozen=True)
class Plate:
    number: str  # canonical, e.g. 豫FD12345
    kind: str

    @property
    def display(self) -> str:
        """As printed on the plate: 豫F·D12345, 使014·578, WJ豫·12345, VA·12345."""
        n = self.number
        if self.kind == EMBASSY:
            return f"{n[:4]}·{n[4:]}"
        if self.kind == ARMED_POLICE:
            head = 3 if n[2:3] and n[2] in PROVINCES else 2
            return f"{n[:head]}·{n[head:]}"
        return f"{n[:2]}·{n[2:]}"

    @property
    def kind_label(self) -> str:
        return str(PLATE_KINDS[self.kind])

    @property
    def is_new_energy(self) -> bool:
        return self.kind in (NEW_ENERGY_SMALL, NEW_ENERGY_LARGE)


def _fold(value: str) -> str:
    """Full-width to half-width, separators out, upper case."""
    text = unicodedata.normalize("NFKC", value)
    return _SEPARATORS.sub("", text).upper()


def _serial_fix(text: str) -> str:
    """In the serial part of a province plate, O and I can only mean 0 and 1."""
    if len(text) > 2 and text[0] in PROVINCES:
        return text[:2] + text[2:].replace("O", "0").replace("I", "1")
    return text


def normalize_plate(value: str) -> str:
    """The canonical number, or ValidationError. '' stays ''."""
    return parse_plate(value).number if (value or "").strip() else ""


def parse_plate(value: str) -> Plate:
    """Validate a plate; raises ValidationError (code: required, format, province,
    length) with a message that says what is wrong."""
    raw = value or ""
    if not raw.strip():
        raise ValidationError(_("请填写车牌号。"), code="required")
    if len(raw) > _MAX_INPUT:
        raise ValidationError(_("车牌号格式不正确。"), code="format")
    if has_invisible(raw):  # the one rule for identifying text (fangkong.lib.text)
        raise ValidationError(INVISIBLE_MESSAGE, code="invisible")
    text = _serial_fix(_fold(raw))
    for kind, pattern in _PATTERNS:
        if pattern.fullmatch(text):
            return Plate(number=text, kind=kind)
    first = text[:1]
    if first and "\u4e00" <= first <= "\u9fff" and first not in PROVINCES and first != "使":
        raise ValidationError(_("车牌号第一位应为省份简称（如 豫）。"), code="province")
    if first in PROVINCES and len(text) >= 2 and text[1] not in AUTHORITY_LETTERS:
        raise ValidationError(_("车牌号第二位应为发牌机关字母（如 豫F）。"), code="format")
    if first in PROVINCES and len(text) not in ((7, 8, 9) if text.endswith("应急") else (7, 8)):
        raise ValidationError(_("车牌号应为7位（新能源车8位），如 豫F12345、豫FD12345。"), code="length")
    raise ValidationError(_("车牌号格式不正确，如 豫F12345、豫FD12345、豫F1234学。"), code="format")
