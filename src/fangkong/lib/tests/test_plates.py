"""Chinese vehicle plates (property-based where it helps)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.lib import plates
from fangkong.lib.plates import normalize_plate, parse_plate

province = st.sampled_from(plates.PROVINCES)
authority = st.sampled_from(plates.AUTHORITY_LETTERS)
serial_char = st.sampled_from(plates.SERIAL_CHARS)
digit = st.sampled_from(plates.DIGITS)
energy = st.sampled_from(plates.NEW_ENERGY_LETTERS)


def _join(*parts):
    return st.tuples(*parts).map("".join)


ordinary = _join(province, authority, *[serial_char] * 5)
new_energy_small = _join(province, authority, energy, serial_char, *[digit] * 4)
new_energy_large = _join(province, authority, *[digit] * 5, energy)
suffixed = st.tuples(_join(province, authority, *[serial_char] * 4), st.sampled_from(["警", "学", "挂", "应急"])).map(
    "".join
)
consulate = _join(province, authority, *[digit] * 4, st.just("领"))
embassy = _join(st.just("使"), *[digit] * 6)
any_valid = st.one_of(ordinary, new_energy_small, new_energy_large, suffixed, consulate, embassy)


@pytest.mark.parametrize(
    "typed, number, kind",
    [
        ("豫F12345", "豫F12345", plates.ORDINARY),
        ("豫F·12345", "豫F12345", plates.ORDINARY),
        ("豫f 1234a", "豫F1234A", plates.ORDINARY),
        ("豫FD12345", "豫FD12345", plates.NEW_ENERGY_SMALL),
        ("豫F·DA1234", "豫FDA1234", plates.NEW_ENERGY_SMALL),
        ("豫FK12345", "豫FK12345", plates.NEW_ENERGY_SMALL),
        ("豫F12345D", "豫F12345D", plates.NEW_ENERGY_LARGE),
        ("豫F12345F", "豫F12345F", plates.NEW_ENERGY_LARGE),
        ("豫F1234警", "豫F1234警", plates.POLICE),
        ("豫O·1234警", "豫O1234警", plates.POLICE),
        ("豫F·1234学", "豫F1234学", plates.COACH),
        ("豫F1234挂", "豫F1234挂", plates.TRAILER),
        ("沪A·0023领", "沪A0023领", plates.CONSULATE),
        ("粤Z·1234港", "粤Z1234港", plates.HONG_KONG),
        ("粤Z1234澳", "粤Z1234澳", plates.MACAU),
        ("豫F1234应急", "豫F1234应急", plates.EMERGENCY),
        ("使014·578", "使014578", plates.EMBASSY),
        ("WJ豫12345", "WJ豫12345", plates.ARMED_POLICE),
        ("WJ豫1234消", "WJ豫1234消", plates.ARMED_POLICE),
        ("VA·12345", "VA12345", plates.MILITARY),
        ("ＡＢ１２３４５", "AB12345", plates.MILITARY),  # full-width input
        ("豫ＦＤ１２３４５", "豫FD12345", plates.NEW_ENERGY_SMALL),
        ("豫F1O234", "豫F10234", plates.ORDINARY),  # O in a serial can only be 0
        ("豫F-I2345", "豫F12345", plates.ORDINARY),  # and I only 1
    ],
)
def test_it_accepts_real_plate_formats(typed, number, kind):
    plate = parse_plate(typed)
    assert plate.number == number and plate.kind == kind


@pytest.mark.parametrize(
    "typed, code",
    [
        ("", "required"),
        ("   ", "required"),
        ("豫I12345", "format"),  # no authority letter I
        ("豫F1234", "length"),  # too short
        ("豫F1234567", "length"),  # too long
        ("京F123456", "format"),  # 8 characters but not a new-energy serial
        ("豫FD1234A", "format"),  # small new-energy: last four are digits
        ("豫F1234AD", "format"),  # large new-energy: five digits before the letter
        ("豫FM12345", "format"),  # M is not an energy letter
        ("港F12345", "province"),
        ("海F12345", "province"),
        ("A12345", "format"),
        ("豫F1234港", "format"),  # cross-border plates are 粤Z only
        ("使01457", "format"),
        ("1234567", "format"),
        ("豫F12345" * 5, "format"),
    ],
)
def test_it_rejects_what_is_not_a_plate(typed, code):
    with pytest.raises(ValidationError) as exc:
        parse_plate(typed)
    assert exc.value.code == code
    assert exc.value.messages[0]


def test_every_province_abbreviation_is_known():
    assert len(plates.PROVINCES) == 31 and len(set(plates.PROVINCES)) == 31
    assert "豫" in plates.PROVINCES and "使" not in plates.PROVINCES


def test_display_has_the_separator_where_the_plate_prints_it():
    assert parse_plate("豫F12345").display == "豫F·12345"
    assert parse_plate("豫FD12345").display == "豫F·D12345"
    assert parse_plate("使014578").display == "使014·578"
    assert parse_plate("WJ豫12345").display == "WJ豫·12345"
    assert parse_plate("豫FD12345").is_new_energy


def test_blank_normalizes_to_blank():
    assert normalize_plate("") == "" and normalize_plate("  ") == ""


@given(any_valid)
def test_every_valid_plate_parses_to_itself(number):
    plate = parse_plate(number)
    assert plate.number == number
    assert parse_plate(plate.display).number == number  # display form parses back
    assert normalize_plate(plate.number) == number  # idempotent


@given(new_energy_small)
def test_small_new_energy_plates_are_eight_characters(number):
    plate = parse_plate(number)
    assert plate.kind == plates.NEW_ENERGY_SMALL and len(plate.number) == 8


@given(any_valid, st.lists(st.sampled_from([" ", "·", "-", ".", "•"]), min_size=1, max_size=3), st.data())
def test_separators_anywhere_are_ignored(number, seps, data):
    text = number
    for sep in seps:
        pos = data.draw(st.integers(0, len(text)))
        text = text[:pos] + sep + text[pos:]
    assert parse_plate(text).number == number


@given(ordinary, st.sampled_from("海港台天地人1"))
def test_a_wrong_first_character_is_rejected(number, first):
    with pytest.raises(ValidationError):
        parse_plate(first + number[1:])


@given(ordinary)
def test_dropping_a_character_from_an_ordinary_plate_is_rejected(number):
    with pytest.raises(ValidationError):
        parse_plate(number[:-1])


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_arbitrary_text_is_rejected_cleanly_or_accepted(text):
    try:
        plate = parse_plate(text)
    except ValidationError as exc:
        assert exc.messages
    else:
        assert plate.kind in plates.PLATE_KINDS and 7 <= len(plate.number) <= 9
