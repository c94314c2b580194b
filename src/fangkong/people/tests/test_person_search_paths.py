"""Both ways a name search runs (probe through the name indexes, or a plain
filter when the prefix is common) give the same people, and a search count stops
at its cap."""

import pytest

from conftest import new_resident_id
from fangkong.core.paging import KnownCountPaginator
from fangkong.people import selectors
from fangkong.people.services import person_create


@pytest.fixture
def zhangs(qinghuayuan_worker, household_qhy):
    return [
        person_create(user=qinghuayuan_worker, household=household_qhy, name=name, doc_number=new_resident_id())
        for name in ("张伟", "张静", "章子怡", "李四")
    ]


@pytest.mark.parametrize("probe_limit", [0, 2000])
@pytest.mark.parametrize(
    "query, expected", [("zhang", {"张伟", "张静", "章子怡"}), ("zw", {"张伟"}), ("张", {"张伟", "张静"})]
)
def test_probe_and_plain_filter_find_the_same_people(
    qinghuayuan_worker, zhangs, monkeypatch, probe_limit, query, expected
):
    monkeypatch.setattr(selectors, "NAME_PROBE_LIMIT", probe_limit)
    found = {p.name for p in selectors.person_list(user=qinghuayuan_worker, filters=selectors.PersonFilters(q=query))}
    assert found == expected


def test_the_probe_never_widens_the_scope(ximazhuang_worker, zhangs):
    assert not selectors.person_list(user=ximazhuang_worker, filters=selectors.PersonFilters(q="zhang")).exists()


def test_a_capped_count_says_so(qinghuayuan_worker, zhangs):
    qs = selectors.person_list(user=qinghuayuan_worker)
    capped = KnownCountPaginator(qs, 10, cap=2)
    assert capped.count == 3 and capped.capped
    exact = KnownCountPaginator(qs, 10, cap=100)
    assert exact.count == 4 and not exact.capped
