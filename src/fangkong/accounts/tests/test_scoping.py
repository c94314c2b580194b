import pytest
from django.http import Http404

from conftest import QIBIN, QINGHUAYUAN, XIMAZHUANG
from fangkong.accounts.models import Assignment
from fangkong.accounts.scoping import get_for_user, scope_filter, scope_prefixes
from fangkong.people.models import Person


def test_a_grid_worker_sees_only_their_community(qinghuayuan_worker, zhang_san, ximazhuang_worker, household_xmz):
    from fangkong.people.services import person_create
    from conftest import new_resident_id

    other = person_create(user=ximazhuang_worker, household=household_xmz, name="刘一", doc_number=new_resident_id("410621"))
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
    Assignment.objects.filter(user=qinghuayuan_worker).update(active=False)
    qinghuayuan_worker._fangkong_assignments = None
    del qinghuayuan_worker._fangkong_assignments
    assert not scope_filter(Person.objects.all(), qinghuayuan_worker).exists()


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
