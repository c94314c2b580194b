"""The rebuild check the sweeps use: a masked resident ID number and the birth
date beside it give the number back; the age does not."""

import datetime as dt

from fangkong.lib.documents import make_resident_id
from fangkong.lib.masking import age, mask_id_number

from .leaks import candidates, dates_in, leaks, rebuilt

NUMBER = make_resident_id("410611", dt.date(1980, 8, 30), 83)
MASKED = mask_id_number(NUMBER)


def test_mask_and_birth_date_rebuild_the_number_in_any_date_format():
    for shown in ("1980-08-30", "1980/8/30", "1980年8月30日", "19800830"):
        assert rebuilt(f"<td>{MASKED}</td><td>{shown}</td>") == {NUMBER}, shown
        assert leaks(f"{MASKED} · {shown}", {NUMBER}), shown


def test_mask_and_age_leave_many_candidates():
    today = dt.date(2026, 12, 4)
    found = candidates(MASKED, age=age(dt.date(1980, 8, 30), today), today=today)
    assert NUMBER in found and len(found) > 10


def test_other_dates_rebuild_nothing_and_a_full_number_is_found():
    assert not leaks(f"{MASKED} 2026-12-04 2026/12/03", {NUMBER})
    assert leaks(f"证件 {NUMBER}", {NUMBER}) and leaks("电话 13812341234", {"13812341234"})
    assert dates_in("1980-02-30 2020-01-31") == {dt.date(2020, 1, 31)}
