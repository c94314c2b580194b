import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import QINGHUAYUAN
from fangkong.approvals.models import ApprovalRequest
from fangkong.approvals.services import approval_decide
from fangkong.core.models import StatusChange
from fangkong.followups.models import HealthCheck
from fangkong.followups.selectors import followup_counts
from fangkong.followups.services import followup_release_request, release_blockers

from .conftest import DAY1
from .helpers import record_all

END = DAY1 + dt.timedelta(days=14)


def test_a_second_person_approves_release_after_the_period(quarantine, qinghuayuan_worker, qinghuayuan_head, clock):
    record_all(qinghuayuan_worker, quarantine, clock)
    clock.at(END, 9)
    assert release_blockers(quarantine) == []
    approval = followup_release_request(user=qinghuayuan_worker, followup=quarantine, reason="14天期满，体温正常")
    quarantine.refresh_from_db()
    assert quarantine.status == "active"  # not until approved
    approval_decide(user=qinghuayuan_head, approval=approval, approve=True, reason="同意解除")
    quarantine.refresh_from_db()
    assert quarantine.status == "released" and quarantine.ended_on == END
    change = StatusChange.objects.filter(object_type="followups.followup").last()
    assert change.to_status == "released" and change.actor == qinghuayuan_head and "清华园张" in change.reason
    assert followup_counts(prefix=QINGHUAYUAN, day=END).in_measure["home_quarantine"] == 0
    assert followup_counts(prefix=QINGHUAYUAN, day=END - dt.timedelta(days=1)).in_measure["home_quarantine"] == 1


def test_release_by_the_requester_alone_is_refused(quarantine, qinghuayuan_worker, clock):
    record_all(qinghuayuan_worker, quarantine, clock)
    clock.at(END, 9)
    approval = followup_release_request(user=qinghuayuan_worker, followup=quarantine, reason="期满")
    with pytest.raises(PermissionDenied):
        approval_decide(user=qinghuayuan_worker, approval=approval, approve=True, reason="自己批准")
    quarantine.refresh_from_db()
    assert quarantine.status == "active"


def test_release_is_refused_before_the_period_ends(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1 + dt.timedelta(days=5), 9)
    with pytest.raises(ValidationError) as exc:
        followup_release_request(user=qinghuayuan_worker, followup=quarantine, reason="提前解除")
    assert "期限未满" in str(exc.value) and "未完成" in str(exc.value)
    assert not ApprovalRequest.objects.exists()


def test_release_needs_every_check_done(quarantine, qinghuayuan_worker, clock):
    record_all(qinghuayuan_worker, quarantine, clock)
    clock.at(END, 9)
    HealthCheck.objects.filter(followup=quarantine).order_by("slot_date").first()  # all done
    last = HealthCheck.objects.filter(followup=quarantine).order_by("-window_start").first()
    HealthCheck.objects.filter(pk=last.pk).update(status="due")
    assert "还有 1 次健康检测未完成。" in release_blockers(quarantine)


def test_a_fever_in_the_last_three_days_blocks_release(quarantine, qinghuayuan_worker, qinghuayuan_head, clock):
    from fangkong.followups.models import Referral
    from fangkong.followups.services import referral_close

    record_all(qinghuayuan_worker, quarantine, clock, fever_on=END - dt.timedelta(days=2))
    referral_close(user=qinghuayuan_head, referral=Referral.objects.get(), outcome="门诊排除")
    clock.at(END, 9)
    assert any("发热" in b for b in release_blockers(quarantine))
    with pytest.raises(ValidationError):
        followup_release_request(user=qinghuayuan_worker, followup=quarantine, reason="期满")


def test_an_earlier_fever_does_not_block_release(quarantine, qinghuayuan_worker, qinghuayuan_head, clock):
    from fangkong.followups.models import Referral
    from fangkong.followups.services import referral_close

    record_all(qinghuayuan_worker, quarantine, clock, fever_on=DAY1 + dt.timedelta(days=3))
    referral_close(user=qinghuayuan_head, referral=Referral.objects.get(), outcome="门诊排除")
    clock.at(END, 9)
    assert release_blockers(quarantine) == []


def test_the_conditions_are_checked_again_when_approving(quarantine, qinghuayuan_worker, qinghuayuan_head, clock):
    from fangkong.followups.services import followup_extend

    record_all(qinghuayuan_worker, quarantine, clock)
    clock.at(END, 9)
    approval = followup_release_request(user=qinghuayuan_worker, followup=quarantine, reason="期满")
    followup_extend(user=qinghuayuan_head, followup=quarantine, days=3, reason="补充观察")
    with pytest.raises(ValidationError):
        approval_decide(user=qinghuayuan_head, approval=approval, approve=True, reason="同意")
    approval.refresh_from_db()
    quarantine.refresh_from_db()
    assert approval.status == "pending" and quarantine.status == "extended"


def test_an_outsider_cannot_approve(quarantine, qinghuayuan_worker, ximazhuang_worker, clock):
    from django.http import Http404

    record_all(qinghuayuan_worker, quarantine, clock)
    clock.at(END, 9)
    approval = followup_release_request(user=qinghuayuan_worker, followup=quarantine, reason="期满")
    with pytest.raises(Http404):
        approval_decide(user=ximazhuang_worker, approval=approval, approve=True, reason="越权")
