"""Validators at the edge: resident ID numbers and phones (property-based)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.lib.documents import make_resident_id, normalize_document, normalize_phone, parse_resident_id

births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))
regions = st.sampled_from(["410602", "410603", "410611", "410621", "410622", "410671"])


@given(region=regions, birth=births, seq=st.integers(0, 999))
def test_every_generated_number_parses_back(region, birth, seq):
    number = make_resident_id(region, birth, seq)
    parsed = parse_resident_id(number)
    assert parsed.birth_date == birth
    assert parsed.region == region
    assert parsed.sex == ("M" if seq % 2 else "F")


@given(region=regions, birth=births, seq=st.integers(0, 999), pos=st.integers(0, 16), delta=st.integers(1, 9))
def test_changing_any_digit_is_caught(region, birth, seq, pos, delta):
    number = make_resident_id(region, birth, seq)
    digit = str((int(number[pos]) + delta) % 10)
    broken = number[:pos] + digit + number[pos + 1 :]
    with pytest.raises(ValidationError):
        parse_resident_id(broken)


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_arbitrary_text_is_rejected_cleanly_or_accepted_as_valid(text):
    try:
        parsed = parse_resident_id(text)
    except ValidationError as exc:
        assert exc.messages  # a message for the user, never another exception
    else:
        assert len(parsed.number) == 18


def test_lowercase_x_is_accepted_and_upper_cased():
    number = None
    for seq in range(1000):
        candidate = make_resident_id("410611", dt.date(1988, 8, 8), seq)
        if candidate.endswith("X"):
            number = candidate
            break
    assert number is not None
    assert parse_resident_id(number.lower()).number == number


def test_future_birth_dates_are_rejected():
    number = make_resident_id("410611", dt.date.today() + dt.timedelta(days=30), 11)
    with pytest.raises(ValidationError) as exc:
        parse_resident_id(number, today=dt.date.today())
    assert "出生日期" in exc.value.messages[0]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812341234", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("138-1234-1234", "13812341234"),
        ("0392-3312345", "03923312345"),
        ("", ""),
    ],
)
def test_valid_phones_normalize(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345678901", "1381234123", "138123412345", "+1 415 555 2671", "abc", "1" * 40])
def test_invalid_phones_are_refused_with_a_reason(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert exc.value.messages


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_phone_validation_never_crashes(text):
    try:
        normalize_phone(text)
    except ValidationError:
        pass


def test_passport_numbers_are_normalized():
    assert normalize_document("passport", " e1234 5678 ") == "E12345678"
    with pytest.raises(ValidationError):
        normalize_document("passport", "∑∑∑∑")
    with pytest.raises(ValidationError):
        normalize_document("none", "123")
