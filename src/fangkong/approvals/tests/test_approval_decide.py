import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fangkong.approvals import registry
from fangkong.approvals.models import ApprovalStatus
from fangkong.approvals.services import approval_cancel, approval_decide, approval_request
from fangkong.core.models import StatusChange
from fangkong.people.models import Household


def _apply(*, approval, decider):
    Household.objects.filter(pk=approval.object_id).update(note=approval.payload["note"])


@pytest.fixture(autouse=True)
def note_kind():
    # A kind used only by this mechanism's own tests: approving sets a household's note.
    registry.register(registry.ApprovalKind(code="test_note", label="测试备注", capability="people.edit", apply=_apply))


@pytest.fixture
def second_worker(hebi, django_user_model):
    from fangkong.accounts.models import Assignment

    u = django_user_model.objects.create_user("qinghuayuan_head", password="x" * 12)
    Assignment.objects.create(user=u, role="grid", division_id="410611005007")
    return u


def test_a_second_person_approves_and_the_change_applies(qinghuayuan_worker, second_worker, household_qhy):
    a = approval_request(
        user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="需要备注", payload={"note": "已核实"}
    )
    approval_decide(user=second_worker, approval=a, approve=True, reason="同意")
    household_qhy.refresh_from_db()
    assert household_qhy.note == "已核实"
    a.refresh_from_db()
    assert a.status == ApprovalStatus.APPROVED and a.decided_by == second_worker
    assert [s.to_status for s in StatusChange.objects.filter(object_id=str(a.pk))] == ["pending", "approved"]


def test_the_requester_cannot_approve_their_own_request(qinghuayuan_worker, household_qhy):
    a = approval_request(
        user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="需要备注", payload={"note": "x"}
    )
    with pytest.raises(PermissionDenied):
        approval_decide(user=qinghuayuan_worker, approval=a, approve=True, reason="自己批")
    household_qhy.refresh_from_db()
    assert household_qhy.note == ""


def test_an_outsider_cannot_see_or_decide(ximazhuang_worker, qinghuayuan_worker, household_qhy, client):
    from django.http import Http404

    a = approval_request(
        user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="需要备注", payload={"note": "x"}
    )
    with pytest.raises(Http404):
        approval_decide(user=ximazhuang_worker, approval=a, approve=True, reason="越权")
    client.force_login(ximazhuang_worker)
    assert (
        client.post(reverse("approvals:decide", args=[a.pk]), {"decision": "approve", "reason": "越权"}).status_code
        == 404
    )
    assert "需要备注" not in client.get(reverse("approvals:list")).content.decode()


def test_a_decider_without_the_capability_is_refused(qinghuayuan_worker, inspector, household_qhy):
    a = approval_request(
        user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="需要备注", payload={"note": "x"}
    )
    with pytest.raises(PermissionDenied):
        approval_decide(user=inspector, approval=a, approve=True, reason="督查批")


def test_reasons_are_required_and_a_request_is_decided_once(qinghuayuan_worker, second_worker, household_qhy):
    with pytest.raises(ValidationError):
        approval_request(user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="", payload={})
    a = approval_request(
        user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="需要备注", payload={"note": "x"}
    )
    with pytest.raises(ValidationError):
        approval_request(user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="再来一次", payload={})
    with pytest.raises(ValidationError):
        approval_decide(user=second_worker, approval=a, approve=False, reason="")
    approval_decide(user=second_worker, approval=a, approve=False, reason="材料不全")
    with pytest.raises(ValidationError):
        approval_decide(user=second_worker, approval=a, approve=True, reason="改主意")


def test_cancel_by_the_requester_only(qinghuayuan_worker, second_worker, household_qhy):
    a = approval_request(user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="需要备注", payload={})
    with pytest.raises(PermissionDenied):
        approval_cancel(user=second_worker, approval=a)
    approval_cancel(user=qinghuayuan_worker, approval=a, reason="填错了")
    a.refresh_from_db()
    assert a.status == ApprovalStatus.CANCELLED


def test_the_page_lists_and_decides(client, qinghuayuan_worker, second_worker, household_qhy):
    a = approval_request(
        user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="需要备注", payload={"note": "页面批准"}
    )
    client.force_login(second_worker)
    page = client.get(reverse("approvals:list")).content.decode()
    assert "需要备注" in page and "批准" in page
    client.post(reverse("approvals:decide", args=[a.pk]), {"decision": "approve", "reason": "同意"})
    household_qhy.refresh_from_db()
    assert household_qhy.note == "页面批准"


@pytest.mark.parametrize("decision", ["", "maybe", "approve"])
@pytest.mark.parametrize("nxt", ["https://evil.example/x", "//evil.example/x", "/\\evil.example/x"])
def test_deciding_never_redirects_off_the_site(client, qinghuayuan_worker, second_worker, household_qhy, decision, nxt):
    a = approval_request(
        user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="需要备注", payload={"note": "x"}
    )
    client.force_login(second_worker)
    response = client.post(
        reverse("approvals:decide", args=[a.pk]), {"decision": decision, "reason": "同意", "next": nxt}
    )
    assert response.status_code == 302 and response["Location"] == reverse("approvals:list")


def test_deciding_goes_back_to_a_local_next(client, qinghuayuan_worker, second_worker, household_qhy):
    a = approval_request(
        user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="需要备注", payload={"note": "x"}
    )
    client.force_login(second_worker)
    response = client.post(
        reverse("approvals:decide", args=[a.pk]),
        {"decision": "reject", "reason": "不同意", "next": "/approvals/?status=pending"},
    )
    assert response["Location"] == "/approvals/?status=pending"


def test_a_kind_without_describe_still_lists(client, qinghuayuan_worker, second_worker, household_qhy):
    approval_request(
        user=qinghuayuan_worker, kind="test_note", obj=household_qhy, reason="需要备注", payload={"note": "x"}
    )
    assert registry.describe(registry_get_first()) is None
    client.force_login(second_worker)
    page = client.get(reverse("approvals:list")).content.decode()
    assert "测试备注" in page and "需要备注" in page


def registry_get_first():
    from fangkong.approvals.models import ApprovalRequest

    return ApprovalRequest.objects.get()


def test_a_kind_may_describe_its_requests(client, qinghuayuan_worker, second_worker, household_qhy):
    registry.register(
        registry.ApprovalKind(
            code="test_described",
            label="测试描述",
            capability="people.edit",
            apply=_apply,
            describe=lambda a: registry.Description(summary="王* · 某事项", details=("第一行",), url="/people/"),
        )
    )
    approval_request(user=qinghuayuan_worker, kind="test_described", obj=household_qhy, reason="需要描述")
    client.force_login(second_worker)
    page = client.get(reverse("approvals:list")).content.decode()
    assert '<a href="/people/">王* · 某事项</a>' in page and "第一行" in page
