"""``fangkong demo``: the accounts and a populated arrivals flow, and a second
run that reuses what exists."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import QINGHUAYUAN


def _counts():
    from fangkong.demo_flow import existing_counts
    from fangkong.people.models import Person

    return {**existing_counts(), "persons": Person.objects.count()}


def _run() -> str:
    out = StringIO()
    call_command("demo", persons=300, seed=1, no_serve=True, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_sets_up_a_city_whose_arrivals_flow_is_not_empty_and_a_second_run_duplicates_nothing(hebi):
    from fangkong.accounts.models import User
    from fangkong.approvals.models import ApprovalRequest
    from fangkong.checkpoints.models import Checkpoint, Passage
    from fangkong.followups.models import DeliveryRequest, FollowUp, HealthCheck, Referral
    from fangkong.screening.models import Arrival, Campaign

    output = _run()

    for username in (
        "hq",
        "qibin",
        "taishanlu",
        "qinghuayuan",
        "qinghuayuan2",
        "ximazhuang",
        "checkpoint",
        "clinic",
        "inspector",
        "admin",
    ):
        assert User.objects.filter(username=username).exists(), username
        assert username in output
    assert set(Checkpoint.objects.values_list("level", flat=True)) == {"city", "county", "community"}
    assert Passage.objects.filter(direction="in").count() >= 30
    assert Passage.objects.filter(direction="out").exists()
    assert Arrival.objects.filter(division_code__startswith=QINGHUAYUAN, status="pending", flagged=True).exists()
    now = timezone.now()
    overdue = HealthCheck.objects.filter(division_code__startswith=QINGHUAYUAN, status="due", window_end__lt=now)
    assert FollowUp.objects.filter(pk__in=overdue.values("followup_id"), status__in=["active", "escalated"]).exists()
    assert HealthCheck.objects.filter(status="done", temperature__gte=37.3).exists()
    assert Referral.objects.filter(status="open").exists()
    release = ApprovalRequest.objects.get(kind="quarantine_release", status="pending")
    assert release.requested_by.username == "qinghuayuan"
    assert Campaign.objects.exists()
    assert set(DeliveryRequest.objects.values_list("status", flat=True)) == {"open", "taken", "delivered"}
    assert Arrival.objects.filter(source="self_report").count() == 2
    assert "==> passages:" in output

    before = _counts()
    again = _run()
    assert _counts() == before
    assert "arrivals flow exists" in again
    assert "（）" not in again  # the division import's summary on a second run


@pytest.mark.django_db
def test_the_second_grid_worker_can_approve_the_release(hebi):
    from fangkong.accounts.models import User
    from fangkong.approvals.models import ApprovalRequest
    from fangkong.approvals.services import approval_decide
    from fangkong.followups.models import FollowUp

    _run()
    release = ApprovalRequest.objects.get(kind="quarantine_release", status="pending")
    approval_decide(
        user=User.objects.get(username="qinghuayuan2"), approval=release, approve=True, reason="核实无误，同意解除"
    )
    assert FollowUp.objects.get(pk=release.object_id).status == "released"


def test_the_demos_local_traffic_queues_no_arrival(hebi):
    """Residents passing their own gate are recorded, and queue nothing."""
    from fangkong.checkpoints.models import Passage

    _run()
    local = Passage.objects.filter(
        direction="in",
        origin_code="4106",
        destination_code=QINGHUAYUAN,
        person__isnull=False,
        person__division_code__startswith=QINGHUAYUAN,
    )
    assert local.count() >= 2 and not local.filter(arrival__isnull=False).exists()
