"""Moving a registered person into one's household: immediate within one's own
jurisdiction, from outside it a request that the person's current community
(or a common superior) approves; until then nothing moves and the requester
sees nothing of the person."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from conftest import QINGHUAYUAN, XIMAZHUANG
from fangkong.approvals.models import ApprovalRequest
from fangkong.approvals.services import approval_decide
from fangkong.audit.models import AuditEntry
from fangkong.lib import vault
from fangkong.people.models import Person
from fangkong.people.services import MoveNeedsApproval, household_create, person_move, person_move_request
from fangkong.regions.models import Division

from .test_api_support import remember

URL = "/api/v1/persons"
PLACE_WORDS = ("清华园", "泰山路", "淇滨", QINGHUAYUAN)


@pytest.fixture
def xmz(api, secrets, ximazhuang_worker, zhang_san):
    remember(secrets, zhang_san)
    return api(ximazhuang_worker)


def _number(person) -> str:
    return vault.decrypt(person.doc_cipher)


def _request_move(xmz, person, household):
    return xmz.post(
        f"{URL}/move", {"household_id": household.pk, "doc_number": _number(person), "reason": "已搬到西马庄村居住"}
    )


def _unmoved(person, household_id):
    person.refresh_from_db()
    return person.division_code == QINGHUAYUAN and person.household_id == household_id


# ---------------------------------------------------------------- API


def test_a_move_from_another_county_is_only_a_request_and_nothing_moves(xmz, zhang_san, household_xmz):
    before = Division.objects.get(code=QINGHUAYUAN).person_count
    r = _request_move(xmz, zhang_san, household_xmz)
    assert r.status_code == 202, r.json()
    body = r.json()
    assert body["status"] == "pending" and "等待此人现居村/社区审批" in body["detail"]
    assert not any(word in r.content.decode() for word in PLACE_WORDS)
    assert _unmoved(zhang_san, zhang_san.household_id)
    assert Division.objects.get(code=QINGHUAYUAN).person_count == before
    approval = ApprovalRequest.objects.get(pk=body["approval_id"])
    assert approval.kind == "people.move" and approval.status == "pending"
    assert approval.division_code == QINGHUAYUAN and approval.object_id == str(zhang_san.pk)
    assert not AuditEntry.objects.filter(action="move").exists()


def test_before_approval_the_requester_can_neither_see_nor_reveal_the_person(xmz, zhang_san, household_xmz):
    _request_move(xmz, zhang_san, household_xmz)
    assert xmz.get(f"{URL}/{zhang_san.pk}").status_code == 404
    r = xmz.post(f"{URL}/{zhang_san.pk}/reveal", {"field": "phone", "reason": "电话联系本人"})
    assert r.status_code == 404
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_the_requester_cannot_approve_their_own_request(xmz, ximazhuang_worker, zhang_san, household_xmz):
    approval = ApprovalRequest.objects.get(pk=_request_move(xmz, zhang_san, household_xmz).json()["approval_id"])
    with pytest.raises(Http404):  # the request lies in the person's community: outside the requester's scope
        approval_decide(user=ximazhuang_worker, approval=approval, approve=True, reason="同意迁入")
    approval.refresh_from_db()
    assert approval.status == "pending" and _unmoved(zhang_san, zhang_san.household_id)


def test_the_current_community_approves_and_the_person_moves(xmz, qinghuayuan_worker, zhang_san, household_xmz):
    approval = ApprovalRequest.objects.get(pk=_request_move(xmz, zhang_san, household_xmz).json()["approval_id"])
    approval_decide(user=qinghuayuan_worker, approval=approval, approve=True, reason="已核实搬迁")
    zhang_san.refresh_from_db()
    assert zhang_san.household_id == household_xmz.pk and zhang_san.division_code == XIMAZHUANG
    moves = AuditEntry.objects.filter(action="move", object_id=str(zhang_san.pk))
    assert {e.division_code for e in moves} == {QINGHUAYUAN, XIMAZHUANG}
    assert all(e.actor_username == "qinghuayuan_worker" and e.detail["approval"] == approval.pk for e in moves)
    assert xmz.get(f"{URL}/{zhang_san.pk}").status_code == 200
    r = xmz.post(f"{URL}/{zhang_san.pk}/reveal", {"field": "phone", "reason": "电话联系本人"}, may_reveal=True)
    assert r.status_code == 200 and r.json()["value"] == "13812341234"


def test_a_rejected_request_moves_nothing(xmz, qinghuayuan_worker, zhang_san, household_xmz):
    household_id = zhang_san.household_id
    approval = ApprovalRequest.objects.get(pk=_request_move(xmz, zhang_san, household_xmz).json()["approval_id"])
    approval_decide(user=qinghuayuan_worker, approval=approval, approve=False, reason="此人仍在本社区居住")
    assert _unmoved(zhang_san, household_id)
    assert xmz.get(f"{URL}/{zhang_san.pk}").status_code == 404


def test_a_second_request_for_the_same_person_waits_for_the_first(xmz, zhang_san, household_xmz):
    assert _request_move(xmz, zhang_san, household_xmz).status_code == 202
    r = _request_move(xmz, zhang_san, household_xmz)
    assert r.status_code == 422 and "待审批" in r.json()["errors"]["__all__"][0]


def test_a_move_within_my_jurisdiction_stays_immediate(api, county_officer, zhang_san):
    other = household_create(user=county_officer, division_code="410611005001", address="泰山路1号")
    r = api(county_officer).post(
        f"{URL}/move", {"household_id": other.pk, "doc_number": _number(zhang_san), "reason": "搬到同一街道的另一社区"}
    )
    assert r.status_code == 200 and r.json()["household"]["id"] == other.pk
    assert not ApprovalRequest.objects.exists()


def test_approving_after_the_person_moved_elsewhere_changes_nothing(
    xmz, qinghuayuan_worker, county_officer, zhang_san, household_xmz
):
    approval = ApprovalRequest.objects.get(pk=_request_move(xmz, zhang_san, household_xmz).json()["approval_id"])
    other = household_create(user=county_officer, division_code="410611005001", address="泰山路1号")
    person_move(user=county_officer, person=zhang_san, household=other, reason="搬到另一社区")
    with pytest.raises(ValidationError):
        approval_decide(user=county_officer, approval=approval, approve=True, reason="同意迁入")
    zhang_san.refresh_from_db()
    assert zhang_san.household_id == other.pk
    assert ApprovalRequest.objects.get(pk=approval.pk).status == "pending"


def test_the_immediate_move_service_refuses_a_person_from_outside(ximazhuang_worker, zhang_san, household_xmz):
    with pytest.raises(MoveNeedsApproval):
        person_move(user=ximazhuang_worker, person=zhang_san, household=household_xmz, reason="迁入本户")
    outcome = person_move_request(user=ximazhuang_worker, person=zhang_san, household=household_xmz, reason="迁入本户")
    assert not outcome.moved and Person.objects.get(pk=zhang_san.pk).household_id == zhang_san.household_id


# ---------------------------------------------------------------- pages


def test_the_page_sends_a_request_without_saying_where_the_person_lives(
    client, ximazhuang_worker, qinghuayuan_worker, zhang_san, household_xmz
):
    household_id = zhang_san.household_id
    client.force_login(ximazhuang_worker)
    r = client.post(
        reverse("people:person_move"),
        {"household": household_xmz.pk, "doc_type": "ric", "doc_number": _number(zhang_san), "reason": "已搬到本村"},
        follow=True,
    )
    page = r.content.decode()
    assert "已提交迁入申请，等待此人现居村/社区审批" in page
    assert not any(word in page for word in PLACE_WORDS)
    assert _unmoved(zhang_san, household_id)
    assert client.get(reverse("people:person_detail", args=[zhang_san.pk])).status_code == 404
    r = client.post(reverse("people:person_reveal", args=[zhang_san.pk]), {"field": "phone", "reason": "电话联系本人"})
    assert r.status_code == 404

    approval = ApprovalRequest.objects.get(kind="people.move")
    # The requester cannot decide (the request is outside their jurisdiction).
    r = client.post(reverse("approvals:decide", args=[approval.pk]), {"decision": "approve", "reason": "同意"})
    assert r.status_code == 404 and _unmoved(zhang_san, household_id)

    # The person's community sees the request, with the person and where they would go, and approves it.
    client.force_login(qinghuayuan_worker)
    moves = client.get(reverse("people:move_requests")).content.decode()
    assert "张三" in moves and "西马庄村" in moves and "已搬到本村" in moves
    client.post(
        reverse("approvals:decide", args=[approval.pk]),
        {"decision": "approve", "reason": "已核实", "next": reverse("people:move_requests")},
    )
    zhang_san.refresh_from_db()
    assert zhang_san.household_id == household_xmz.pk
    client.force_login(ximazhuang_worker)
    assert client.get(reverse("people:person_detail", args=[zhang_san.pk])).status_code == 200


def test_the_move_requests_page_shows_only_my_jurisdictions_requests(
    client, ximazhuang_worker, zhang_san, household_xmz
):
    person_move_request(user=ximazhuang_worker, person=zhang_san, household=household_xmz, reason="迁入本户")
    client.force_login(ximazhuang_worker)
    page = client.get(reverse("people:move_requests")).content.decode()
    assert "张三" not in page


def test_the_persons_page_tells_their_community_about_a_pending_move(
    client, ximazhuang_worker, qinghuayuan_worker, zhang_san, household_xmz
):
    person_move_request(user=ximazhuang_worker, person=zhang_san, household=household_xmz, reason="迁入本户")
    client.force_login(qinghuayuan_worker)
    page = client.get(reverse("people:person_detail", args=[zhang_san.pk])).content.decode()
    assert 'id="pending-move"' in page and "西马庄村" in page and reverse("people:move_requests") in page
    assert "1 个迁出申请待审批" in client.get(reverse("people:person_list")).content.decode()
