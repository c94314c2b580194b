import pytest
from django.core.exceptions import ValidationError

from fangkong.checkpoints.origins import origin_get, origin_list, origin_resolve


def test_the_national_list_has_every_province_and_city():
    origins = {o.code: o for o in origin_list()}
    assert len([o for o in origins.values() if o.level == "province"]) == 35  # 31 + TW, HK, MO, abroad
    assert origins["4106"].label == "河南省鹤壁市" and origins["4201"].label == "湖北省武汉市"
    assert "1101" not in origins  # the municipalities' placeholder rows are not offered
    assert origin_get("1101").label == "北京市（市辖区）"


@pytest.mark.parametrize(
    "typed, code",
    [
        ("4201", "4201"),
        ("42", "42"),
        ("湖北省武汉市", "4201"),
        ("武汉市", "4201"),
        ("武汉", "4201"),
        ("湖北", "42"),
        ("北京市", "11"),
        (" 鹤壁 ", "4106"),
        ("香港特别行政区", "81"),
        ("吉林省", "22"),
        ("吉林市", "2202"),
        ("境外（国外）", "99"),
    ],
)
def test_origins_resolve_from_codes_and_names(typed, code):
    assert origin_resolve(typed).code == code


@pytest.mark.parametrize("typed", ["", "火星", "9999", "吉林"])  # 吉林: the province or its city?
def test_unknown_or_blank_origins_are_refused(typed):
    with pytest.raises(ValidationError) as exc:
        origin_resolve(typed)
    assert "origin" in exc.value.message_dict
