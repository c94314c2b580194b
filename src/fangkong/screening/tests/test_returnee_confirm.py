import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from conftest import QIBIN, XIMAZHUANG, new_resident_id
from fangkong.approvals.models import ApprovalRequest
from fangkong.approvals.services import approval_decide
from fangkong.followups.models import FollowUp
from fangkong.followups.services import followup_start
from fangkong.lib import vault
from fangkong.people.models import Person
from fangkong.people.services import household_create, person_create, person_move_request
from fangkong.screening.models import Returnee
from fangkong.screening.services import returnee_confirm

from .helpers import an_arrival

TODAY = timezone.localdate


def started():
    """The follow-ups the confirmations started (followups.services.followup_start, the real one)."""
    return list(FollowUp.objects.order_by("pk"))


def test_confirming_registers_a_new_person_and_starts_the_proposed_measure(qinghuayuan_worker, household_qhy):
    a = an_arrival(arrived_on=TODAY() - dt.timedelta(days=3))
    r = returnee_confirm(
        user=qinghuayuan_worker,
        arrival=a,
        measure="health_monitoring",
        measure_reason="14天内自外地返回",
        travel_mode="train",
        travel_number="G507",
        household=household_qhy,
    )
    a.refresh_from_db()
    assert a.status == "confirmed" and a.person == r.person
    p = Person.objects.get()
    assert p.household == household_qhy and vault.decrypt(p.doc_cipher) == vault.decrypt(a.doc_cipher)
    assert r.proposed_measure == "health_monitoring" and r.measure_state == "started"
    assert started() == [r.followup]
    assert r.followup.kind == "health_monitoring" and r.followup.person == p
    assert r.followup.source_ref == f"returnee:{r.pk}" and r.followup.created_by == qinghuayuan_worker


def test_a_registered_person_in_scope_is_linked_not_duplicated(qinghuayuan_worker, zhang_san):
    a = an_arrival(number=vault.decrypt(zhang_san.doc_cipher), name="张三")
    r = returnee_confirm(user=qinghuayuan_worker, arrival=a, measure="health_monitoring", measure_reason="返乡")
    assert r.person == zhang_san and Person.objects.count() == 1


def test_a_person_registered_elsewhere_is_moved_into_the_chosen_household(
    qinghuayuan_worker, ximazhuang_worker, household_xmz, household_qhy
):
    elsewhere = person_create(
        user=ximazhuang_worker, household=household_xmz, name="赵六", doc_number=new_resident_id(QIBIN)
    )
    a = an_arrival(number=vault.decrypt(elsewhere.doc_cipher), name="赵六")
    with pytest.raises(ValidationError) as exc:
        returnee_confirm(user=qinghuayuan_worker, arrival=a, measure="health_monitoring", measure_reason="返乡")
    assert "household" in exc.value.message_dict
    # Moving them here needs their current community's approval (people.services.person_move_request).
    with pytest.raises(ValidationError) as exc:
        returnee_confirm(
            user=qinghuayuan_worker,
            arrival=a,
            measure="health_monitoring",
            measure_reason="返乡",
            household=household_qhy,
        )
    assert "household" in exc.value.message_dict
    elsewhere.refresh_from_db()
    assert elsewhere.household == household_xmz
    outcome = person_move_request(
        user=qinghuayuan_worker, person=elsewhere, household=household_qhy, reason="返乡人员现居本户"
    )
    approval_decide(user=ximazhuang_worker, approval=outcome.approval, approve=True, reason="已核实")
    r = returnee_confirm(
        user=qinghuayuan_worker, arrival=a, measure="health_monitoring", measure_reason="返乡", household=household_qhy
    )
    elsewhere.refresh_from_db()
    assert r.person == elsewhere and elsewhere.household == household_qhy


def test_case_contact_proposes_central_quarantine(qinghuayuan_worker):
    r = returnee_confirm(
        user=qinghuayuan_worker,
        arrival=an_arrival(),
        case_contact=True,
        measure="central_quarantine",
        measure_reason="密接",
        site_name="淇滨区集中隔离点",
    )
    assert r.proposed_measure == "central_quarantine" and r.measure_state == "started"
    assert r.followup.site_name == "淇滨区集中隔离点" and started() == [r.followup]


def test_central_quarantine_needs_a_site(qinghuayuan_worker):
    with pytest.raises(ValidationError) as exc:
        returnee_confirm(
            user=qinghuayuan_worker,
            arrival=an_arrival(),
            case_contact=True,
            measure="central_quarantine",
            measure_reason="密接",
        )
    assert "site_name" in exc.value.message_dict


def test_a_measure_stricter_than_the_rules_waits_for_a_second_person(qinghuayuan_worker, township_officer):
    r = returnee_confirm(
        user=qinghuayuan_worker, arrival=an_arrival(), measure="home_quarantine", measure_reason="家属反映其曾去过医院"
    )
    assert r.proposed_measure == "health_monitoring" and r.measure_state == "awaiting" and not started()
    approval = ApprovalRequest.objects.get(object_id=str(r.pk))
    with pytest.raises(PermissionDenied, match="不能审批自己提出的申请"):
        approval_decide(user=qinghuayuan_worker, approval=approval, approve=True, reason="同意")
    approval_decide(user=township_officer, approval=approval, approve=True, reason="情况属实")
    r.refresh_from_db()
    assert r.measure_state == "started" and r.followup.kind == "home_quarantine" and started() == [r.followup]


def test_a_rejected_stricter_measure_is_not_started(qinghuayuan_worker, township_officer):
    r = returnee_confirm(
        user=qinghuayuan_worker,
        arrival=an_arrival(),
        measure="central_quarantine",
        measure_reason="自行决定",
        site_name="某隔离点",
    )
    approval_decide(user=township_officer, approval=ApprovalRequest.objects.get(), approve=False, reason="依据不足")
    r.refresh_from_db()
    assert r.measure_state == "rejected" and r.followup is None and not started()


def test_no_measure_starts_nothing(qinghuayuan_worker):
    a = an_arrival(arrived_on=TODAY() - dt.timedelta(days=20))
    r = returnee_confirm(user=qinghuayuan_worker, arrival=a, measure="none", measure_reason="已超过14天")
    assert r.proposed_measure == "none" and r.measure_state == "none" and r.followup is None and not started()


def test_a_reason_and_a_measure_are_required(qinghuayuan_worker):
    with pytest.raises(ValidationError) as exc:
        returnee_confirm(user=qinghuayuan_worker, arrival=an_arrival(), measure="jail", measure_reason="")
    assert {"measure", "measure_reason"} <= set(exc.value.message_dict)


def test_an_arrival_is_confirmed_only_once(qinghuayuan_worker):
    a = an_arrival()
    returnee_confirm(user=qinghuayuan_worker, arrival=a, measure="health_monitoring", measure_reason="返乡")
    with pytest.raises(ValidationError):
        returnee_confirm(user=qinghuayuan_worker, arrival=a, measure="health_monitoring", measure_reason="返乡")
    assert Returnee.objects.count() == 1


def test_an_outsider_gets_404(ximazhuang_worker):
    with pytest.raises(Http404):
        returnee_confirm(user=ximazhuang_worker, arrival=an_arrival(), measure="none", measure_reason="x x")


def test_a_household_from_another_community_is_refused(qinghuayuan_worker, township_officer):
    other = household_create(user=township_officer, division_code="410611005001", address="别的社区1号")
    with pytest.raises(ValidationError) as exc:
        returnee_confirm(
            user=township_officer, arrival=an_arrival(), measure="none", measure_reason="不需要", household=other
        )
    assert "household" in exc.value.message_dict


def test_an_outsiders_own_arrival_works(ximazhuang_worker):
    r = returnee_confirm(
        user=ximazhuang_worker, arrival=an_arrival(XIMAZHUANG), measure="health_monitoring", measure_reason="返乡"
    )
    assert r.division_code == XIMAZHUANG and r.person.division_code == XIMAZHUANG


def test_the_decision_starts_a_follow_up_in_the_followups_app(qinghuayuan_worker, household_qhy):
    a = an_arrival(arrived_on=TODAY() - dt.timedelta(days=2))
    r = returnee_confirm(
        user=qinghuayuan_worker,
        arrival=a,
        measure="home_quarantine",
        risk_area_contact=True,
        measure_reason="14天内到过风险地区",
        household=household_qhy,
    )
    f = FollowUp.objects.get(pk=r.followup_id)
    assert f.person == r.person and f.kind == "home_quarantine" and f.source_ref == f"returnee:{r.pk}"
    assert f.start_date == a.arrived_on


def test_a_person_already_under_a_measure_is_reported_and_nothing_is_saved(qinghuayuan_worker, zhang_san):
    followup_start(user=qinghuayuan_worker, person=zhang_san, kind="health_monitoring", reason="已在监测")
    a = an_arrival(number=vault.decrypt(zhang_san.doc_cipher), name="张三")
    with pytest.raises(ValidationError):
        returnee_confirm(user=qinghuayuan_worker, arrival=a, measure="health_monitoring", measure_reason="返乡")
    a.refresh_from_db()
    assert a.status == "pending" and not Returnee.objects.exists()


def test_a_checkpoint_risk_area_flag_counts_as_risk_area_contact(qinghuayuan_worker):
    r = returnee_confirm(
        user=qinghuayuan_worker,
        arrival=an_arrival(flags=["risk_area"]),
        measure="home_quarantine",
        measure_reason="卡点标记来自风险地区",
    )
    assert r.proposed_measure == "home_quarantine" and r.risk_area_contact and r.measure_state == "started"
