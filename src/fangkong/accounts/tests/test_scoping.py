import pytest
from django.http import Http404

from conftest import QIBIN, QINGHUAYUAN, XIMAZHUANG
from fangkong.accounts.models import Assignment
from fangkong.accounts.scoping import get_for_user, scope_filter, scope_prefixes
from fangkong.people.models import Person


def test_a_grid_worker_sees_only_their_community(qinghuayuan_worker, zhang_san, ximazhuang_worker, household_xmz):
    from conftest import new_resident_id
    from fangkong.people.services import person_create

    other = person_create(
        user=ximazhuang_worker, household=household_xmz, name="刘一", doc_number=new_resident_id("410621")
    )
    assert list(scope_filter(Person.objects.all(), qinghuayuan_worker)) == [zhang_san]
    assert list(scope_filter(Person.objects.all(), ximazhuang_worker)) == [other]


def test_the_county_and_city_see_down_the_tree(county_officer, hq_officer, zhang_san):
    assert zhang_san in scope_filter(Person.objects.all(), county_officer)
    assert zhang_san in scope_filter(Person.objects.all(), hq_officer)


def test_outside_is_the_same_404_as_missing(ximazhuang_worker, zhang_san):
    with pytest.raises(Http404):
        get_for_user(Person.objects.all(), ximazhuang_worker, pk=zhang_san.pk)
    with pytest.raises(Http404):
        get_for_user(Person.objects.all(), ximazhuang_worker, pk=10**9)


def test_no_assignment_sees_nothing_even_a_superuser(django_user_model, zhang_san):
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    assert not scope_filter(Person.objects.all(), root).exists()


def test_an_inactive_assignment_grants_nothing(qinghuayuan_worker, zhang_san):
    assert scope_filter(Person.objects.all(), qinghuayuan_worker).exists()  # fills the per-process cache
    Assignment.objects.filter(user=qinghuayuan_worker).update(active=False)
    # The next request loads the user again: its new scope stamp misses the cache.
    user = type(qinghuayuan_worker).objects.get(pk=qinghuayuan_worker.pk)
    assert not scope_filter(Person.objects.all(), user).exists()


def test_the_assignment_cache_follows_every_kind_of_change(qinghuayuan_worker, zhang_san, django_assert_num_queries):
    User = type(qinghuayuan_worker)
    fresh = lambda: User.objects.get(pk=qinghuayuan_worker.pk)  # noqa: E731 - as each request loads it
    assert scope_prefixes(fresh()) == [QINGHUAYUAN]
    user = fresh()
    with django_assert_num_queries(0):
        assert scope_prefixes(user) == [QINGHUAYUAN]  # a cache hit: no query
    a = Assignment.objects.get(user=qinghuayuan_worker)
    a.active = False
    a.save()
    assert scope_prefixes(fresh()) == []
    a.active = True
    a.save()
    assert scope_prefixes(fresh()) == [QINGHUAYUAN]
    Assignment.objects.create(user=qinghuayuan_worker, role=a.role, division_id=XIMAZHUANG)
    assert scope_prefixes(fresh()) == sorted([QINGHUAYUAN, XIMAZHUANG])
    Assignment.objects.filter(division_id=XIMAZHUANG).delete()
    assert scope_prefixes(fresh()) == [QINGHUAYUAN]
    a.delete()
    assert scope_prefixes(fresh()) == []


def test_a_prefix_neighbour_is_not_inside(hebi, django_user_model):
    # 410611 must not cover 4106110..., only codes that start with it: the range is exact.
    user = django_user_model.objects.create_user("neighbour", password="x" * 12)
    Assignment.objects.create(user=user, role="county", division_id="410621")
    assert scope_prefixes(user) == ["410621"]
    assert not Person.objects.visible_to(user).filter(division_code__startswith=QIBIN).exists()


def test_capability_narrows_the_scope(checkpoint_staff, zhang_san):
    assert scope_filter(Person.objects.all(), checkpoint_staff).exists()  # division scope only
    assert not scope_filter(Person.objects.all(), checkpoint_staff, "people.view").exists()
    assert QINGHUAYUAN.startswith(scope_prefixes(checkpoint_staff)[0])
    assert XIMAZHUANG


def test_require_capability_refuses_with_a_reason(qinghuayuan_worker):
    from django.core.exceptions import PermissionDenied

    from fangkong.accounts.roles import FOLLOWUPS_EDIT, SCREENING_POLICY
    from fangkong.accounts.scoping import require_capability

    require_capability(qinghuayuan_worker, FOLLOWUPS_EDIT, "410611005007")
    with pytest.raises(PermissionDenied, match="您没有此项操作的权限"):
        require_capability(qinghuayuan_worker, SCREENING_POLICY)
    with pytest.raises(PermissionDenied, match="您没有此项操作的权限"):
        require_capability(qinghuayuan_worker, FOLLOWUPS_EDIT, "410621")
    with pytest.raises(PermissionDenied, match="不在此卡点"):
        require_capability(qinghuayuan_worker, SCREENING_POLICY, message="不在此卡点")
