import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from fangkong.lib.documents import make_resident_id
from fangkong.lib.masking import mask_id_number, mask_numbers, mask_phone


def test_id_numbers_are_masked_as_the_brief_shows():
    assert mask_id_number("41061119800101123X") == "410611********123X"


def test_phones_are_masked_as_the_brief_shows():
    assert mask_phone("13812341234") == "138****1234"


@given(st.text(max_size=40))
def test_masking_never_reveals_the_middle(text):
    masked = mask_id_number(text)
    cleaned = text.strip().upper()
    if len(cleaned) >= 15:
        assert masked[6:-4] == "*" * (len(cleaned) - 10)
    assert len(masked) == len(cleaned)


@given(st.integers(min_value=13000000000, max_value=19999999999))
def test_every_mobile_keeps_only_seven_digits(n):
    masked = mask_phone(str(n))
    assert masked.count("*") == 4 and masked[:3] == str(n)[:3] and masked[-4:] == str(n)[-4:]


@given(
    birth=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 1, 1)),
    seq=st.integers(0, 999),
    phone=st.integers(min_value=13000000000, max_value=19999999999),
    prefix=st.text(max_size=10),
    suffix=st.text(max_size=10),
)
def test_scrub_removes_numbers_from_free_text(birth, seq, phone, prefix, suffix):
    number = make_resident_id("410611", birth, seq)
    text = f"{prefix} {number} {phone} {suffix}"
    out = mask_numbers(text)
    assert number not in out
    assert str(phone) not in out
