"""Central quarantine starts at once and must be confirmed by a second person
within FANGKONG_CENTRAL_APPROVAL_HOURS (default 24); until then it shows as
待审批, past the time as overdue; a rejection ends it with the reason."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from conftest import QINGHUAYUAN, login
from fangkong.approvals.models import ApprovalRequest
from fangkong.approvals.services import approval_decide
from fangkong.followups.models import FollowUp, HealthCheck
from fangkong.followups.selectors import followup_counts
from fangkong.followups.services import followup_start, followup_transfer

from .conftest import DAY1
from .test_api import Api


@pytest.fixture
def central(clock, qinghuayuan_worker, zhang_san):
    clock.at(DAY1, 8)
    return followup_start(
        user=qinghuayuan_worker,
        person=zhang_san,
        kind="central_quarantine",
        reason="密切接触者",
        site_name="淇滨区隔离酒店",
    )


def _request(f):
    return ApprovalRequest.objects.get(kind="followup_central", object_id=str(f.pk))


def test_it_starts_at_once_and_asks_a_second_person(central, clock):
    assert central.status == "active" and HealthCheck.objects.filter(followup=central).exists()
    assert central.approval == "pending" and central.unapproved and not central.approval_overdue
    assert central.approval_due == clock.now + dt.timedelta(hours=24)
    assert _request(central).status == "pending"


def test_home_quarantine_and_monitoring_need_no_second_person(quarantine):
    assert quarantine.approval == "" and not quarantine.unapproved
    assert not ApprovalRequest.objects.exists()


def test_the_requester_cannot_confirm_it_and_another_user_can(central, qinghuayuan_worker, qinghuayuan_head):
    with pytest.raises(PermissionDenied):
        approval_decide(user=qinghuayuan_worker, approval=_request(central), approve=True, reason="自己批")
    approval_decide(user=qinghuayuan_head, approval=_request(central), approve=True, reason="情况属实")
    central.refresh_from_db()
    assert central.approval == "approved" and not central.unapproved


def test_a_rejection_ends_it_with_the_reason(central, qinghuayuan_head, clock):
    clock.advance(hours=3)
    approval_decide(user=qinghuayuan_head, approval=_request(central), approve=False, reason="不属于密接")
    central.refresh_from_db()
    assert central.status == "revoked" and central.ended_on == DAY1 and not central.is_open
    assert not HealthCheck.objects.filter(followup=central, status="due").exists()
    assert followup_counts(prefix=QINGHUAYUAN, day=DAY1).in_measure["central_quarantine"] == 0
    from fangkong.core.services import status_history

    assert "不属于密接" in status_history(central)[-1].reason


def test_a_rejected_transfer_resumes_the_home_quarantine(quarantine, qinghuayuan_worker, qinghuayuan_head, clock):
    clock.at(DAY1 + dt.timedelta(days=2), 10)
    central = followup_transfer(
        user=qinghuayuan_worker,
        followup=quarantine,
        kind="central_quarantine",
        reason="转集中隔离",
        site_name="隔离酒店",
    )
    assert central.unapproved
    approval_decide(user=qinghuayuan_head, approval=_request(central), approve=False, reason="居家条件具备")
    home = FollowUp.objects.get(status__in=["active", "extended", "escalated"])
    assert home.kind == "home_quarantine" and home.planned_end == quarantine.planned_end
    assert home.transferred_from_id == central.pk


def test_past_its_time_it_is_listed_as_overdue(client, central, qinghuayuan_worker, clock):
    login(client, qinghuayuan_worker)
    assert "待审批" in client.get(reverse("followups:today")).content.decode()
    clock.advance(hours=25)
    login(client, qinghuayuan_worker)  # the session idled out meanwhile
    central.refresh_from_db()
    assert central.approval_overdue
    for url in (
        reverse("followups:today"),
        reverse("followups:list"),
        reverse("followups:list") + "?approval=overdue",
        reverse("followups:detail", args=[central.pk]),
    ):
        assert "审批逾期" in client.get(url).content.decode(), url
    api = Api(client, qinghuayuan_worker).get("/api/v1/followups", approval="overdue").json()
    assert [f["id"] for f in api["items"]] == [central.pk] and api["items"][0]["approval_overdue"] is True


def test_the_time_is_configurable(settings, clock, qinghuayuan_worker, zhang_san):
    settings.FANGKONG_CENTRAL_APPROVAL_HOURS = 6
    clock.at(DAY1, 8)
    f = followup_start(
        user=qinghuayuan_worker, person=zhang_san, kind="central_quarantine", reason="密接", site_name="隔离点"
    )
    assert f.approval_due == clock.now + dt.timedelta(hours=6)


def test_an_approved_central_quarantine_is_not_listed(client, central, qinghuayuan_worker, qinghuayuan_head):
    approval_decide(user=qinghuayuan_head, approval=_request(central), approve=True, reason="情况属实")
    login(client, qinghuayuan_worker)
    assert "集中隔离待审批" not in client.get(reverse("followups:today")).content.decode()
    assert "待审批</span>" not in client.get(reverse("followups:list")).content.decode()


def test_a_transfer_keeps_the_clock_and_withdraws_the_old_request(central, qinghuayuan_worker, clock):
    clock.advance(hours=5)
    new = followup_transfer(
        user=qinghuayuan_worker, followup=central, kind="central_quarantine", reason="换隔离点", site_name="第二隔离点"
    )
    assert new.approval == "pending" and new.approval_due == central.approval_due
    assert _request(central).status == "cancelled" and _request(new).status == "pending"


def test_the_approval_card_says_whom_and_what_and_links_to_it(client, central, qinghuayuan_head):
    login(client, qinghuayuan_head)
    page = client.get(reverse("approvals:list")).content.decode()
    assert "确认集中隔离" in page and "淇滨区隔离酒店" in page
    assert (
        "张*" in page and central.person.doc_masked in page and reverse("followups:detail", args=[central.pk]) in page
    )
    assert central.person.name not in page
    assert "2020-02-01" in page and central.planned_end.isoformat() in page


def test_an_outsider_does_not_see_the_card(client, central, ximazhuang_worker):
    login(client, ximazhuang_worker)
    page = client.get(reverse("approvals:list")).content.decode()
    assert "张*" not in page and "淇滨区隔离酒店" not in page


def test_screening_stricter_central_quarantine_is_approved_once(qinghuayuan_worker, township_officer):
    """A returnee's central quarantine stricter than the rules propose waits for
    screening's approval; that approval is the second person: one mechanism,
    no second confirmation."""
    from fangkong.screening.services import returnee_confirm
    from fangkong.screening.tests.helpers import an_arrival

    r = returnee_confirm(
        user=qinghuayuan_worker,
        arrival=an_arrival(),
        measure="central_quarantine",
        measure_reason="家属反映其曾去过医院",
        site_name="淇滨区隔离酒店",
    )
    assert not FollowUp.objects.exists()
    approval_decide(user=township_officer, approval=ApprovalRequest.objects.get(), approve=True, reason="情况属实")
    f = FollowUp.objects.get(source_ref=f"returnee:{r.pk}")
    assert f.kind == "central_quarantine" and f.approval == "approved" and not f.unapproved
    assert not ApprovalRequest.objects.filter(kind="followup_central").exists()


def test_screening_central_quarantine_the_rules_propose_still_needs_a_second_person(qinghuayuan_worker):
    from fangkong.screening.services import returnee_confirm
    from fangkong.screening.tests.helpers import an_arrival

    r = returnee_confirm(
        user=qinghuayuan_worker,
        arrival=an_arrival(),
        case_contact=True,
        measure="central_quarantine",
        measure_reason="密接",
        site_name="淇滨区隔离酒店",
    )
    f = FollowUp.objects.get(source_ref=f"returnee:{r.pk}")
    assert f.unapproved and _request(f).requested_by == qinghuayuan_worker


def test_the_screening_card_says_whom_and_what_and_links_to_it(client, qinghuayuan_worker, township_officer):
    from fangkong.screening.models import Returnee
    from fangkong.screening.services import returnee_confirm
    from fangkong.screening.tests.helpers import an_arrival

    r = returnee_confirm(
        user=qinghuayuan_worker,
        arrival=an_arrival(),
        measure="central_quarantine",
        measure_reason="家属反映其曾去过医院",
        site_name="淇滨区隔离酒店",
    )
    r = Returnee.objects.select_related("person").get(pk=r.pk)
    login(client, township_officer)
    page = client.get(reverse("approvals:list")).content.decode()
    assert "健康监测 → 集中隔离" in page and r.person.doc_masked in page and "淇滨区隔离酒店" in page
    assert reverse("screening:returnee_detail", args=[r.pk]) in page and r.person.name not in page
