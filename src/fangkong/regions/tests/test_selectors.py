"""Division names, the places a user may manage, and a place found by its typed name."""

import pytest

from conftest import QIBIN, QINGHUAYUAN, TAISHANLU, XIMAZHUANG, XUNXIAN
from fangkong.accounts.roles import CHECKPOINTS_MANAGE, PEOPLE_EDIT, SCREENING_CAMPAIGN
from fangkong.accounts.scoping import active_assignments
from fangkong.regions.models import Division
from fangkong.regions.selectors import (
    DivisionNames,
    city_place_named,
    city_places,
    division_names,
    place_cache_clear,
    places_user_may_manage,
)


@pytest.fixture
def fresh_cache():
    place_cache_clear()
    yield
    place_cache_clear()


# ---------------------------------------------------------------- division names


def test_division_names_gives_the_everyday_name_of_every_level(hebi, fresh_cache):
    names = division_names(["4106", QIBIN, TAISHANLU, QINGHUAYUAN, f"{QINGHUAYUAN}001"])
    assert names == {
        "4106": "鹤壁市",
        QIBIN: "淇滨区",
        TAISHANLU: "泰山路街道",
        QINGHUAYUAN: "清华园社区",
        f"{QINGHUAYUAN}001": "第一网格",
    }


def test_a_code_that_is_no_division_is_left_out(hebi, fresh_cache):
    assert division_names([QINGHUAYUAN, "410611005998", "", "abc"]) == {QINGHUAYUAN: "清华园社区"}
    assert division_names([]) == {}


def test_the_city_s_names_come_from_the_cached_table_without_a_query(hebi, fresh_cache, django_assert_num_queries):
    with django_assert_num_queries(1):  # the table, once
        division_names([QINGHUAYUAN])
    with django_assert_num_queries(0):
        assert division_names([QIBIN, TAISHANLU, QINGHUAYUAN, XIMAZHUANG])[XIMAZHUANG] == "西马庄村"
    with django_assert_num_queries(0):
        assert division_names([]) == {}


def test_other_codes_are_looked_up_in_one_query(hebi, fresh_cache, django_assert_num_queries):
    Division.objects.create(code="4101", name="郑州市", short_name="郑州市", level="city", parent_code="41")
    Division.objects.create(code="410102", name="中原区", short_name="中原区", level="county", parent_code="4101")
    division_names([QINGHUAYUAN])
    with django_assert_num_queries(1):
        names = division_names(["4101", "410102", QINGHUAYUAN, "410611005998"])
    assert names == {"4101": "郑州市", "410102": "中原区", QINGHUAYUAN: "清华园社区"}


def test_a_place_added_since_the_table_was_read_is_found(hebi, fresh_cache, django_assert_num_queries):
    division_names([QINGHUAYUAN])
    Division.objects.create(
        code="410611005999", name="新建社区居民委员会", short_name="新建社区", level="community", parent_code=TAISHANLU
    )
    with django_assert_num_queries(1):
        assert division_names(["410611005999"]) == {"410611005999": "新建社区"}


def test_division_names_for_an_export_look_up_each_other_code_once(hebi, fresh_cache, django_assert_num_queries):
    division_names([QINGHUAYUAN])
    Division.objects.create(code="4101", name="郑州市", short_name="郑州市", level="city", parent_code="41")
    names = DivisionNames()
    with django_assert_num_queries(0):
        assert names.get(QINGHUAYUAN, "") == "清华园社区"
        assert names.get(TAISHANLU, "") == "泰山路街道"
        assert names.get("", "") == ""
    with django_assert_num_queries(2):
        for _ in range(3):
            assert names.get("4101", "") == "郑州市"
            assert names.get("410611005998", "-") == "-"


def test_city_places_still_holds_only_communities_and_grids(hebi, fresh_cache):
    places = city_places([QINGHUAYUAN, TAISHANLU, f"{QINGHUAYUAN}002"])
    assert places[QINGHUAYUAN].short_name == "清华园社区" and places[f"{QINGHUAYUAN}002"].level == "grid"
    assert places[TAISHANLU] is None


# ---------------------------------------------------------------- places the user may manage


def test_a_village_worker_manages_only_places_of_the_village(ximazhuang_worker, django_assert_num_queries):
    active_assignments(ximazhuang_worker)
    with django_assert_num_queries(1):
        places = places_user_may_manage(ximazhuang_worker, PEOPLE_EDIT, levels=["community", "grid"])
    assert [p.code for p in places] == [XIMAZHUANG]
    assert not any(p.code.startswith(QIBIN) for p in places)
    assert places_user_may_manage(ximazhuang_worker, PEOPLE_EDIT, levels=["community", "grid"], under=QIBIN) == []


def test_without_the_capability_no_place_and_no_query(ximazhuang_worker, django_assert_num_queries):
    active_assignments(ximazhuang_worker)
    with django_assert_num_queries(0):
        assert places_user_may_manage(ximazhuang_worker, CHECKPOINTS_MANAGE, levels=["township"]) == []


def test_places_are_the_levels_asked_for_by_code_and_at_most_the_limit(county_officer):
    places = places_user_may_manage(county_officer, CHECKPOINTS_MANAGE, levels=["county", "township"])
    codes = [p.code for p in places]
    assert codes[0] == QIBIN and TAISHANLU in codes and codes == sorted(codes)
    assert all(c.startswith(QIBIN) and len(c) in (6, 9) for c in codes)
    assert len(places_user_may_manage(county_officer, CHECKPOINTS_MANAGE, levels=["township"], limit=3)) == 3


def test_the_levels_may_depend_on_the_assignment(hq_officer, township_officer):
    def levels(prefix):
        return ["township", "community"] if len(prefix) >= 6 else ["township"]

    city = places_user_may_manage(hq_officer, SCREENING_CAMPAIGN, levels=levels, limit=600)
    assert {p.level for p in city} == {"township"} and len(city) == 48
    town = places_user_may_manage(township_officer, SCREENING_CAMPAIGN, levels=levels)
    assert {p.level for p in town} == {"township", "community"}
    assert all(p.code.startswith(TAISHANLU) for p in town)


def test_under_narrows_the_places_to_one_division(hq_officer, township_officer):
    places = places_user_may_manage(hq_officer, PEOPLE_EDIT, levels=["community", "grid"], under=TAISHANLU)
    assert places and all(p.code.startswith(TAISHANLU) for p in places)
    assert f"{QINGHUAYUAN}001" in {p.code for p in places}
    assert places_user_may_manage(township_officer, PEOPLE_EDIT, levels=["community"], under=XUNXIAN) == []
    assert [
        p.code
        for p in places_user_may_manage(township_officer, PEOPLE_EDIT, levels=["community", "grid"], under=QINGHUAYUAN)
    ] == [QINGHUAYUAN, f"{QINGHUAYUAN}001", f"{QINGHUAYUAN}002"]


# ---------------------------------------------------------------- a place by its typed name


def test_a_typed_everyday_name_finds_the_community(hebi):
    assert city_place_named("西马庄村").code == XIMAZHUANG
    assert city_place_named(" 清华园 社区 ").code == QINGHUAYUAN


def test_a_typed_official_name_finds_the_community(hebi):
    assert city_place_named("西马庄村民委员会").code == XIMAZHUANG
    assert city_place_named("清华园社区居民委员会").code == QINGHUAYUAN


def test_a_part_of_one_place_s_name_finds_it(hebi):
    assert city_place_named("清华园").code == QINGHUAYUAN


def test_an_exact_name_wins_over_longer_names_containing_it(hebi):
    # Three more villages whose names contain 西马庄村.
    Division.objects.create(
        code="410621002299",
        name="新西马庄村民委员会",
        short_name="新西马庄村",
        level="community",
        parent_code="410621002",
    )
    Division.objects.create(
        code="410621002298",
        name="老西马庄村民委员会",
        short_name="老西马庄村",
        level="community",
        parent_code="410621002",
    )
    Division.objects.create(
        code="410621002297",
        name="上西马庄村民委员会",
        short_name="上西马庄村",
        level="community",
        parent_code="410621002",
    )
    assert city_place_named("西马庄村").code == XIMAZHUANG


def test_a_name_shared_across_counties_finds_nothing(hebi):
    assert city_place_named("马庄村") is None  # 浚县 twice and 淇县
    assert city_place_named("北街社区") is None  # 鹤山区 and 浚县
    assert city_place_named("马庄") is None  # part of many names


def test_a_name_outside_the_city_finds_nothing(hebi):
    Division.objects.create(
        code="410102001001",
        name="绿东村社区居民委员会",
        short_name="绿东村社区",
        level="community",
        parent_code="410102001",
    )
    assert city_place_named("绿东村社区") is None
    assert city_place_named("朝阳门社区") is None


@pytest.mark.parametrize("text", ["", "   ", None, "410611005007"])
def test_nothing_typed_or_a_code_finds_nothing(hebi, text, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert city_place_named(text) is None


def test_a_renamed_place_shows_its_new_name_at_once_in_this_process(hebi):
    from fangkong.regions.services import divisions_import

    assert division_names([QINGHUAYUAN]) == {QINGHUAYUAN: "清华园社区"}
    divisions_import(source="code,name\n410611005007,清华园新社区居民委员会\n")
    assert division_names([QINGHUAYUAN]) == {QINGHUAYUAN: "清华园新社区"}
