import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fangkong.core.models import StatusChange
from fangkong.followups.models import FollowUp, HealthCheck, Referral
from fangkong.followups.selectors import referral_list
from fangkong.followups.services import health_check_record, referral_close, referral_pick_up

from .conftest import DAY1


def _record(user, followup, slot, **kw):
    check = HealthCheck.objects.get(followup=followup, slot_date=DAY1, slot=slot)
    return health_check_record(user=user, check=check, **kw)[0]


def test_a_fever_raises_a_fever_clinic_referral(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    _record(qinghuayuan_worker, quarantine, 0, temperature="37.8")
    referral = Referral.objects.get()
    assert referral.status == "open" and "37.8" in referral.reason and referral.person == quarantine.person
    quarantine.refresh_from_db()
    assert quarantine.status == "escalated"
    assert [s.to_status for s in StatusChange.objects.filter(object_type="followups.followup")] == [
        "active",
        "escalated",
    ]


def test_a_symptom_without_fever_also_escalates(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    _record(qinghuayuan_worker, quarantine, 0, temperature="36.8", symptoms=["cough", "smell_taste"])
    assert "咳嗽" in Referral.objects.get().reason


def test_37_2_is_not_a_fever(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    _record(qinghuayuan_worker, quarantine, 0, temperature="37.2")
    assert not Referral.objects.exists()


def test_further_abnormal_checks_are_counted_on_the_open_referral(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    _record(qinghuayuan_worker, quarantine, 0, temperature="37.5")
    clock.at(DAY1, 15)
    _record(qinghuayuan_worker, quarantine, 1, temperature="38.1", symptoms=["cough"])
    referral = Referral.objects.get()
    assert referral.checks_count == 2 and str(referral.temperature) == "38.1" and referral.symptoms == "cough"


def test_the_community_closes_it_and_the_followup_is_active_again(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    _record(qinghuayuan_worker, quarantine, 0, temperature="37.8")
    referral = Referral.objects.get()
    assert list(referral_list(user=qinghuayuan_worker)) == [referral]
    referral_close(user=qinghuayuan_worker, referral=referral, outcome="复测36.9，医生电话问诊排除")
    referral.refresh_from_db()
    quarantine.refresh_from_db()
    assert referral.status == "closed" and quarantine.status == "active"
    assert [s.to_status for s in StatusChange.objects.filter(object_type="followups.referral")] == ["open", "closed"]
    with pytest.raises(ValidationError):
        referral_close(user=qinghuayuan_worker, referral=referral, outcome="再关一次")


def test_once_a_clinic_picks_it_up_the_community_cannot_close_it(quarantine, qinghuayuan_worker, clinic_staff, clock):
    clock.at(DAY1, 9)
    _record(qinghuayuan_worker, quarantine, 0, temperature="38.5")
    referral = Referral.objects.get()
    with pytest.raises(PermissionDenied):
        referral_pick_up(user=qinghuayuan_worker, referral=referral)
    referral_pick_up(user=clinic_staff, referral=referral, note="发热门诊接诊")
    with pytest.raises(PermissionDenied):
        referral_close(user=qinghuayuan_worker, referral=referral, outcome="社区关闭")
    referral_close(user=clinic_staff, referral=referral, outcome="核酸阴性，排除")
    assert FollowUp.objects.get().status == "active"


def test_an_outsider_cannot_see_or_close_it(quarantine, qinghuayuan_worker, ximazhuang_worker, clock):
    clock.at(DAY1, 9)
    _record(qinghuayuan_worker, quarantine, 0, temperature="37.8")
    assert not referral_list(user=ximazhuang_worker).exists()
    with pytest.raises(Http404):
        referral_close(user=ximazhuang_worker, referral=Referral.objects.get(), outcome="越权关闭")
