"""One rule for body temperatures (fangkong.lib.vitals): what is read from what
was typed, the plausible range and the fever threshold."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fangkong.lib.vitals import FEVER_FROM, is_fever, parse_temperature


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("36.5", "36.5"),
        ("36,5", "36.5"),
        ("36，5", "36.5"),
        ("  38 ", "38.0"),
        ("３７.５", "37.5"),
        ("36.5℃", "36.5"),
        ("36.5 °C", "36.5"),
        ("35.0", "35.0"),
        ("42.0", "42.0"),
        ("37.25", "37.3"),
        ("36.55", "36.6"),
        (36.6, "36.6"),
        (37, "37.0"),
        (Decimal("38.4"), "38.4"),
    ],
)
def test_what_is_accepted_and_how_it_is_read(typed, read):
    assert parse_temperature(typed) == Decimal(read)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "请填写体温"),
        (None, "请填写体温"),
        ("   ", "请填写体温"),
        ("abc", "应为数字"),
        ("NaN", "应为数字"),
        ("Infinity", "应为数字"),
        ("1e1", "应为数字"),
        ("-36.5", "应为数字"),
        ("36.5.1", "应为数字"),
        ("3 6.5", "应为数字"),
        (True, "应为数字"),
        (float("nan"), "应为数字"),
        ("365", "小数点"),
        ("３６５", "小数点"),
        (378, "小数点"),
        ("34.9", "35.0℃到42.0℃"),
        ("42.1", "35.0℃到42.0℃"),
        ("30", "35.0℃到42.0℃"),
        ("3650", "35.0℃到42.0℃"),
    ],
)
def test_what_is_refused_says_why(typed, says):
    with pytest.raises(ValidationError) as exc:
        parse_temperature(typed)
    assert says in exc.value.message_dict["temperature"][0]


def test_the_refusal_is_keyed_by_the_field_asked_for():
    with pytest.raises(ValidationError) as exc:
        parse_temperature("abc", field="p0_temperature")
    assert list(exc.value.message_dict) == ["p0_temperature"]


def test_a_fever_is_37_3_or_more():
    assert FEVER_FROM == Decimal("37.3") and isinstance(FEVER_FROM, Decimal)
    assert is_fever(Decimal("37.3")) and is_fever(Decimal("40.0")) and is_fever("37.3")
    assert not is_fever(Decimal("37.2")) and not is_fever(None) and not is_fever("")
