"""Local traffic does not flood the arrival queues: an inbound passage queues
an arrival only for someone from outside the city, from a risk area, with a
fever or not registered in the destination community (the rule HQ keeps,
screening.ArrivalRule); the passage is recorded either way and says whether
it queued one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import QINGHUAYUAN, XIMAZHUANG, login, new_resident_id
from fangkong.audit.models import AuditEntry
from fangkong.checkpoints.models import Passage
from fangkong.checkpoints.services import passage_register, passage_register_batch
from fangkong.lib import vault
from fangkong.screening.models import Arrival, ArrivalRule
from fangkong.screening.services import arrival_rule_set

from .conftest import passage

HEBI = "4106"  # an origin inside the city


def _rule(user, **ticked):
    values = {f: False for f in ArrivalRule.FIELDS} | ticked
    return arrival_rule_set(user=user, reason="本地通勤过多", **values)


def test_a_resident_passing_their_own_gate_queues_nothing(checkpoint_staff, qibin_checkpoint, zhang_san):
    number = vault.decrypt(zhang_san.doc_cipher)
    for _ in range(2):  # twice a day
        reg = passage_register(
            actor=checkpoint_staff,
            checkpoint=qibin_checkpoint,
            passage=passage(doc_number=number, name="张三", origin=HEBI),
        )
        assert reg.created and reg.queued == 0 and reg.first.arrival_id is None
    assert Passage.objects.filter(person=zhang_san).count() == 2
    assert not Arrival.objects.exists()


def test_the_same_resident_coming_from_outside_the_city_queues_one(checkpoint_staff, qibin_checkpoint, zhang_san):
    reg = passage_register(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        passage=passage(doc_number=vault.decrypt(zhang_san.doc_cipher), name="张三", origin="4101"),
    )
    assert reg.queued == 1 and Arrival.objects.get().person == zhang_san


def test_someone_not_registered_there_queues_one(checkpoint_staff, qibin_checkpoint, zhang_san):
    stranger = passage_register(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        passage=passage(doc_number=new_resident_id("410611"), origin=HEBI),
    )
    elsewhere = passage_register(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        passage=passage(
            doc_number=vault.decrypt(zhang_san.doc_cipher), name="张三", origin=HEBI, destination=XIMAZHUANG
        ),
    )
    assert stranger.queued == 1 and elsewhere.queued == 1
    assert {a.division_code for a in Arrival.objects.all()} == {QINGHUAYUAN, XIMAZHUANG}


def test_a_resident_with_a_fever_queues_one(checkpoint_staff, qibin_checkpoint, zhang_san):
    reg = passage_register(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        passage=passage(doc_number=vault.decrypt(zhang_san.doc_cipher), name="张三", origin=HEBI, temperature="38.2"),
    )
    assert reg.queued == 1 and Arrival.objects.get().flag_list() == ["fever"]


def test_hq_narrows_the_rule_to_risk_areas(checkpoint_staff, qibin_checkpoint, zhang_san, hq_officer, wuhan_high_risk):
    _rule(hq_officer, risk_area=True)
    number = vault.decrypt(zhang_san.doc_cipher)
    assert (
        passage_register(
            actor=checkpoint_staff,
            checkpoint=qibin_checkpoint,
            passage=passage(doc_number=number, name="张三", origin="4101"),
        ).queued
        == 0
    )
    assert (
        passage_register(
            actor=checkpoint_staff,
            checkpoint=qibin_checkpoint,
            passage=passage(doc_number=new_resident_id(), origin=HEBI),
        ).queued
        == 0
    )
    assert (
        passage_register(
            actor=checkpoint_staff,
            checkpoint=qibin_checkpoint,
            passage=passage(doc_number=number, name="张三", origin="4201"),
        ).queued
        == 1
    )
    assert Passage.objects.count() == 3 and Arrival.objects.count() == 1


def test_hq_may_queue_everyone(checkpoint_staff, qibin_checkpoint, zhang_san, hq_officer):
    _rule(hq_officer, everyone=True)
    reg = passage_register(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        passage=passage(doc_number=vault.decrypt(zhang_san.doc_cipher), name="张三", origin=HEBI),
    )
    assert reg.queued == 1


def test_a_carload_queues_only_those_the_rule_wants(checkpoint_staff, qibin_checkpoint, zhang_san):
    from fangkong.checkpoints.services import PassageIn

    reg = passage_register(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        passage=passage(doc_number=vault.decrypt(zhang_san.doc_cipher), name="张三", origin=HEBI),
        passengers=[PassageIn(direction="", temperature="36.6", doc_number=new_resident_id("420102"), name="李四")],
    )
    assert reg.queued == 1 and [p.arrival_id is not None for p in reg.passages] == [False, True]


def test_an_offline_batch_applies_the_rule(checkpoint_staff, qibin_checkpoint, zhang_san):
    number = vault.decrypt(zhang_san.doc_cipher)
    results = passage_register_batch(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        items=[
            passage(doc_number=number, name="张三", origin=HEBI, client_key="k1"),
            passage(doc_number=new_resident_id("420102"), client_key="k2"),
        ],
    )
    assert [r.status for r in results] == ["created", "created"]
    assert [r.record.arrival_id is not None for r in results] == [False, True]


def test_only_hq_changes_the_rule_with_a_reason_and_it_is_audited(hq_officer, county_officer):
    with pytest.raises(PermissionDenied):
        _rule(county_officer, outside_city=True)
    with pytest.raises(ValidationError) as exc:
        arrival_rule_set(
            user=hq_officer,
            reason="",
            everyone=True,
            outside_city=False,
            risk_area=False,
            fever=False,
            not_registered=False,
        )
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _rule(hq_officer)
    assert "__all__" in exc.value.message_dict
    _rule(hq_officer, outside_city=True, risk_area=True)
    entry = AuditEntry.objects.get(object_type="screening.arrivalrule")
    assert entry.reason == "本地通勤过多" and entry.detail["to"] == "outside_city,risk_area"
    assert entry.detail["from"] == "outside_city,risk_area,fever,not_registered"


def test_the_rule_is_read_once_per_few_seconds_and_a_change_clears_it(
    hq_officer, monkeypatch, django_assert_num_queries
):
    from fangkong.screening import rules

    monkeypatch.setattr(rules, "RULE_CACHE_SECONDS", 10)
    rules.clear_rule_cache()
    try:
        assert rules.queue_rule() == rules.QueueRule()
        with django_assert_num_queries(0):
            rules.queue_rule()
        _rule(hq_officer, everyone=True)
        assert rules.queue_rule().everyone
    finally:
        rules.clear_rule_cache()


def test_the_rule_page_is_hqs(client, hq_officer, qinghuayuan_worker):
    login(client, qinghuayuan_worker)
    shown = client.get(reverse("screening:arrival_rule"))  # a grid worker may read why residents are not queued
    assert shown.status_code == 200 and 'name="reason"' not in shown.content.decode()
    assert client.post(reverse("screening:arrival_rule"), {"everyone": "on", "reason": "试试"}).status_code == 403
    login(client, hq_officer)
    page = client.get(reverse("screening:arrival_rule"))
    assert page.status_code == 200 and 'name="outside_city" checked' in page.content.decode()
    refused = client.post(reverse("screening:arrival_rule"), {"reason": "全部取消"})
    assert refused.status_code == 400 and "请至少选择一项" in refused.content.decode()
    saved = client.post(reverse("screening:arrival_rule"), {"risk_area": "on", "reason": "只推送风险地区来人"})
    assert saved.status_code == 302
    rule = ArrivalRule.objects.get()
    assert rule.risk_area and not rule.outside_city and rule.updated_by == hq_officer


def test_the_rule_adds_no_statement_to_a_registration(checkpoint_staff, qibin_checkpoint, zhang_san, monkeypatch):
    """The hot path: with the per-process caches warm, a registration reads
    neither the rule nor the risk areas, and the registry lookup it already
    makes tells where the person is registered."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fangkong.checkpoints import services
    from fangkong.screening import rules

    monkeypatch.setattr(rules, "RULE_CACHE_SECONDS", 10)
    monkeypatch.setattr(services, "RISK_CACHE_SECONDS", 10)
    rules.clear_rule_cache()
    services._clear_risk_cache()
    try:
        number = vault.decrypt(zhang_san.doc_cipher)
        passage_register(actor=checkpoint_staff, checkpoint=qibin_checkpoint, passage=passage())  # warm
        counts = []
        for doc, origin in ((number, HEBI), (new_resident_id("420102"), "4101")):
            with CaptureQueriesContext(connection) as ctx:
                passage_register(
                    actor=checkpoint_staff,
                    checkpoint=qibin_checkpoint,
                    passage=passage(doc_number=doc, name="张三", origin=origin),
                )
            sql = " ".join(q["sql"] for q in ctx.captured_queries)
            assert "screening_arrivalrule" not in sql and "checkpoints_riskarea" not in sql
            counts.append(len(ctx.captured_queries))
        # Not queueing (a resident at their own gate) costs fewer statements than queueing.
        assert counts[0] < counts[1]
    finally:
        rules.clear_rule_cache()
        services._clear_risk_cache()


def test_the_result_on_the_phone_says_whether_an_arrival_was_queued(
    client, checkpoint_staff, qibin_checkpoint, zhang_san
):
    client.force_login(checkpoint_staff)
    url = reverse("checkpoints:register", args=[qibin_checkpoint.pk])
    data = {
        "direction": "in",
        "temperature": "36.5",
        "origin": "河南省鹤壁市",
        "destination": QINGHUAYUAN,
        "destination_text": "清华园社区",
        "purpose": "return_home",
        "passenger_count": "0",
        "action": "register",
    }
    local = client.post(
        url,
        {**data, "doc_number": vault.decrypt(zhang_san.doc_cipher), "name": "张三", "client_key": "local-1"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "未推送" in local and "已推送" not in local
    outsider = client.post(
        url,
        {
            **data,
            "doc_number": new_resident_id("420102"),
            "name": "钱多多",
            "origin": "河南省郑州市",
            "client_key": "out-1",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "已推送" in outsider.content.decode()
