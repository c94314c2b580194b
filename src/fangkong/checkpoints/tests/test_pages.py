import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import QINGHUAYUAN, XIMAZHUANG, new_resident_id
from fangkong.audit.models import AuditEntry
from fangkong.checkpoints.models import Passage, RiskArea, Shift, WorkNorm
from fangkong.lib import vault
from fangkong.screening.models import Arrival


@pytest.fixture
def as_staff(client, checkpoint_staff):
    client.force_login(checkpoint_staff)
    return client


@pytest.fixture
def as_xmz(client, ximazhuang_worker):
    client.force_login(ximazhuang_worker)
    return client


def form(**kw):
    data = {
        "direction": "in",
        "doc_number": new_resident_id("420102"),
        "name": "钱多多",
        "phone": "13600001111",
        "temperature": "36.5",
        "plate_province": "豫",
        "plate": "F12345",
        "origin": "河南省郑州市",
        "destination": QINGHUAYUAN,
        "destination_text": "清华园社区",
        "purpose": "return_home",
        "client_key": "",
        "passenger_count": "0",
        "action": "register",
    }
    data.update(kw)
    return data


def test_the_register_page_is_one_phone_screen(as_staff, qibin_checkpoint):
    page = as_staff.get(reverse("checkpoints:register", args=[qibin_checkpoint.pk])).content.decode()
    for marker in (
        'name="client_key"',
        'name="doc_number"',
        'inputmode="numeric"',
        'inputmode="decimal"',
        'name="direction"',
        'list="origin-list"',
        "湖北省武汉市",
        'name="destination_text"',
        "同车人员",
    ):
        assert marker in page, marker


def test_registering_from_the_page_redirects_to_the_result(as_staff, qibin_checkpoint):
    url = reverse("checkpoints:register", args=[qibin_checkpoint.pk])
    r = as_staff.post(url, form(temperature="38.2", client_key="page-1"))
    assert r.status_code == 302
    p = Passage.objects.get()
    assert p.plate == "豫F12345" and p.fever and p.origin_code == "4101" and p.arrival_id
    page = as_staff.get(r["Location"]).content.decode()
    assert "发热" in page and "复测" in page and "120" in page and "清华园社区" in page
    # the same submission again (a retry): the first result, nothing new
    r2 = as_staff.post(url, form(temperature="38.2", client_key="page-1"))
    assert r2.status_code == 302 and "again=1" in r2["Location"]
    assert Passage.objects.count() == 1 and Arrival.objects.count() == 1
    assert "重复提交" in as_staff.get(r2["Location"]).content.decode()


def test_the_empty_form_carries_a_fresh_client_key(as_staff, qibin_checkpoint):
    """Every empty form gets its own key, so a resent form never registers twice."""
    url = reverse("checkpoints:register", args=[qibin_checkpoint.pk])
    keys = {
        re.search(
            r'name="client_key" id="id_client_key" value="([0-9a-f]{32})"', as_staff.get(url).content.decode()
        ).group(1)
        for _ in range(2)
    }
    assert len(keys) == 2


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_with_the_page_script_a_registration_is_one_request(as_staff, qibin_checkpoint):
    """htmx posts the form and gets back only the result and the next key."""
    url = reverse("checkpoints:register", args=[qibin_checkpoint.pk])
    r = as_staff.post(url, form(temperature="38.2", client_key="htmx-1"), **HTMX)
    assert r.status_code == 200 and r["HX-Trigger"] == "passage-registered"
    body = r.content.decode()
    assert 'id="result"' in body and "发热" in body and "复测" in body and "清华园社区" in body
    assert "<form" not in body and "<html" not in body
    next_key = re.search(r'id="id_client_key" value="([0-9a-f]{32})" hx-swap-oob="true"', body).group(1)
    assert next_key != "htmx-1"
    p = Passage.objects.get()
    assert p.client_key == "htmx-1" and p.fever and p.arrival_id
    # the same key again (a resend): the first result, marked as such, nothing new
    again = as_staff.post(url, form(temperature="38.2", client_key="htmx-1"), **HTMX).content.decode()
    assert "重复提交" in again and Passage.objects.count() == 1 and Arrival.objects.count() == 1


def test_with_the_page_script_errors_send_back_the_form_to_replace_itself(as_staff, qibin_checkpoint):
    url = reverse("checkpoints:register", args=[qibin_checkpoint.pk])
    r = as_staff.post(url, form(temperature="43", name="钱多多", client_key="htmx-2"), **HTMX)
    assert r.status_code == 422 and r["HX-Retarget"] == "#reg-form" and r["HX-Reswap"] == "outerHTML"
    body = r.content.decode()
    assert body.startswith("<form") and "体温应在35.0℃到42.0℃之间" in body and 'value="钱多多"' in body
    assert 'value="htmx-2"' in body  # the same key: nothing was registered under it
    assert '<div id="result-slot" hx-swap-oob="true"></div>' in body  # the last person's result goes away
    assert not Passage.objects.exists()
    added = as_staff.post(url, form(action="add_passenger", passenger_count="0"), **HTMX)
    assert added.status_code == 200 and 'name="p0_doc_number"' in added.content.decode()


def test_a_risk_area_origin_is_flagged_on_screen(as_staff, qibin_checkpoint, wuhan_high_risk):
    r = as_staff.post(reverse("checkpoints:register", args=[qibin_checkpoint.pk]), form(origin="武汉"))
    page = as_staff.get(r["Location"]).content.decode()
    assert "高风险" in page and "居家隔离14天" in page and "已自动推送" in page


def test_errors_show_next_to_the_fields_and_keep_what_was_typed(as_staff, qibin_checkpoint):
    r = as_staff.post(
        reverse("checkpoints:register", args=[qibin_checkpoint.pk]),
        form(temperature="43", plate="I1234", name="钱多多"),
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "体温应在35.0℃到42.0℃之间" in page and "车牌号" in page and 'value="钱多多"' in page
    assert not Passage.objects.exists()


def test_a_destination_typed_by_name_is_found(as_staff, qibin_checkpoint):
    r = as_staff.post(
        reverse("checkpoints:register", args=[qibin_checkpoint.pk]), form(destination="", destination_text="西马庄村")
    )
    assert r.status_code == 302 and Passage.objects.get().destination_code == XIMAZHUANG


def test_a_destination_name_several_villages_share_must_be_picked_from_the_list(as_staff, qibin_checkpoint):
    r = as_staff.post(
        reverse("checkpoints:register", args=[qibin_checkpoint.pk]), form(destination="", destination_text="马庄村")
    )  # 浚县 twice and 淇县
    assert r.status_code == 400 and "请从列表中选择" in r.content.decode() and 'value="马庄村"' in r.content.decode()
    assert not Passage.objects.exists()


def test_a_carload_from_the_page(as_staff, qibin_checkpoint):
    url = reverse("checkpoints:register", args=[qibin_checkpoint.pk])
    r = as_staff.post(url, form(action="add_passenger", passenger_count="1"))
    assert r.status_code == 200 and 'name="p1_doc_number"' in r.content.decode() and not Passage.objects.exists()
    data = form(
        passenger_count="2",
        p0_doc_number=new_resident_id("420102"),
        p0_name="钱二",
        p0_temperature="36.4",
        p1_doc_number="",
        p1_name="",
        p1_temperature="",
    )  # a blank row is ignored
    assert as_staff.post(url, data).status_code == 302
    assert Passage.objects.count() == 2 and len({p.vehicle_group for p in Passage.objects.all()}) == 1
    bad = form(passenger_count="1", p0_doc_number="123", p0_name="钱三", p0_temperature="36.4")
    r = as_staff.post(url, bad)
    assert r.status_code == 400 and "同车人员信息有误" in r.content.decode() and Passage.objects.count() == 2


def test_the_checkpoint_pages_are_404_for_an_outsider(as_xmz, qibin_checkpoint, checkpoint_staff, county_officer):
    from fangkong.checkpoints.services import passage_register, shift_create

    from .conftest import passage

    p = passage_register(actor=checkpoint_staff, checkpoint=qibin_checkpoint, passage=passage()).first
    s = shift_create(
        actor=county_officer,
        checkpoint=qibin_checkpoint,
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=8),
        volunteers="志愿者甲",
    )
    for name, arg in (
        ("detail", qibin_checkpoint.pk),
        ("register", qibin_checkpoint.pk),
        ("passages", qibin_checkpoint.pk),
        ("passage_export", qibin_checkpoint.pk),
        ("edit", qibin_checkpoint.pk),
        ("shift_create", qibin_checkpoint.pk),
        ("shift", s.pk),
        ("shift_edit", s.pk),
        ("passage", p.pk),
    ):
        assert as_xmz.get(reverse(f"checkpoints:{name}", args=[arg])).status_code == 404, name
    for name, arg in (
        ("register", qibin_checkpoint.pk),
        ("status", qibin_checkpoint.pk),
        ("shift_check", s.pk),
        ("shift_handover", s.pk),
        ("passage_recheck", p.pk),
    ):
        assert as_xmz.post(reverse(f"checkpoints:{name}", args=[arg]), form()).status_code == 404, name
    assert "鹤壁东站" not in as_xmz.get(reverse("checkpoints:list")).content.decode()
    assert Passage.objects.count() == 1


def test_staff_of_qibin_cannot_open_a_xunxian_register_page(as_staff, xunxian_checkpoint):
    assert as_staff.get(reverse("checkpoints:register", args=[xunxian_checkpoint.pk])).status_code == 404
    assert as_staff.post(reverse("checkpoints:register", args=[xunxian_checkpoint.pk]), form()).status_code == 404


def test_the_person_lookup_names_a_registered_person_and_is_audited(as_staff, zhang_san):
    number = vault.decrypt(zhang_san.doc_cipher)
    url = reverse("checkpoints:person_lookup")
    assert as_staff.get(url, {"doc_number": number}).status_code == 405  # never in a URL
    page = as_staff.post(url, {"doc_number": number}).content.decode()
    assert "张三" in page and "138****1234" in page and "13812341234" not in page
    entry = AuditEntry.objects.filter(action="search").latest("id")
    assert entry.detail == {"kind": "doc", "results": 1, "via": "checkpoint"} and number not in str(entry.detail)
    from fangkong.lib.documents import make_resident_id

    unknown = as_staff.post(url, {"doc_number": make_resident_id("420102", dt.date(1990, 3, 4), 998)}).content.decode()
    assert "女" in unknown and "1990-03-04" in unknown and "已登记" not in unknown
    assert (
        "校验位"
        in as_staff.post(url, {"doc_number": number[:-1] + ("0" if number[-1] != "0" else "1")}).content.decode()
    )


def test_the_person_lookup_is_only_for_registering_staff(client, county_officer, zhang_san):
    client.force_login(county_officer)
    r = client.post(reverse("checkpoints:person_lookup"), {"doc_number": vault.decrypt(zhang_san.doc_cipher)})
    assert r.status_code == 403


def test_destinations_cover_the_whole_city(as_staff):
    r = as_staff.get(reverse("checkpoints:destination_lookup"), {"q": "西马庄"})
    assert [d["code"] for d in r.json()["results"]] == [XIMAZHUANG]
    html = as_staff.get(
        reverse("checkpoints:destination_lookup"), {"destination_text": "清华园"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert QINGHUAYUAN in html and "泰山路街道" in html


def test_the_passage_list_is_masked_and_the_export_is_watermarked_and_audited(
    client, checkpoint_staff, county_officer, qibin_checkpoint
):
    from fangkong.checkpoints.services import passage_register

    from .conftest import passage

    number = new_resident_id("420102")
    passage_register(actor=checkpoint_staff, checkpoint=qibin_checkpoint, passage=passage(doc_number=number))
    client.force_login(checkpoint_staff)
    page = client.get(reverse("checkpoints:passages", args=[qibin_checkpoint.pk])).content.decode()
    assert "钱多多" in page and number not in page and "136****1111" in page and "13600001111" not in page
    assert client.get(reverse("checkpoints:passage_export", args=[qibin_checkpoint.pk])).status_code == 403
    client.force_login(county_officer)
    r = client.get(reverse("checkpoints:passage_export", args=[qibin_checkpoint.pk]))
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert "导出人" in rows[0][0] and rows[1][2] == "姓名" and rows[2][2] == "钱多多"
    flat = str(rows)
    assert number not in flat and "13600001111" not in flat and number[:6] + "********" in flat
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.detail["rows"] == 1 and entry.object_type == "checkpoints.passage"


def test_viewing_a_passage_is_audited(as_staff, checkpoint_staff, qibin_checkpoint):
    from fangkong.checkpoints.services import passage_register

    from .conftest import passage

    p = passage_register(actor=checkpoint_staff, checkpoint=qibin_checkpoint, passage=passage(temperature="38")).first
    page = as_staff.get(reverse("checkpoints:passage", args=[p.pk])).content.decode()
    assert "复测" in page
    assert AuditEntry.objects.filter(action="view", object_type="checkpoints.passage", object_id=str(p.pk)).exists()
    r = as_staff.post(
        reverse("checkpoints:passage_recheck", args=[p.pk]), {"temperature": "36.8", "outcome": "released"}
    )
    p.refresh_from_db()
    assert r.status_code == 302 and str(p.recheck_temperature) == "36.8" and p.outcome == "released"


def test_the_checkpoint_page_shows_who_is_on_duty_and_the_gaps(
    client, county_officer, checkpoint_staff, qibin_checkpoint
):
    client.force_login(county_officer)
    now = timezone.now()
    data = {
        "starts_at": timezone.localtime(now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(now + dt.timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M"),
        "staff": [str(checkpoint_staff.pk)],
        "volunteers": "党员李四",
    }
    r = client.post(reverse("checkpoints:shift_create", args=[qibin_checkpoint.pk]), data)
    assert r.status_code == 302 and Shift.objects.count() == 1
    page = client.get(reverse("checkpoints:detail", args=[qibin_checkpoint.pk])).content.decode()
    assert "卡点陈" in page and "党员李四" in page and "排班空档" in page


def test_staff_tick_the_checklist_from_the_shift_page(client, county_officer, checkpoint_staff, qibin_checkpoint):
    from fangkong.checkpoints.services import shift_create

    s = shift_create(
        actor=county_officer,
        checkpoint=qibin_checkpoint,
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=8),
        staff_ids=[checkpoint_staff.pk],
    )
    client.force_login(checkpoint_staff)
    norm = WorkNorm.objects.filter(level="city").first()
    client.post(reverse("checkpoints:shift_check", args=[s.pk]), {"norm": norm.pk, "checked": "1"})
    client.post(reverse("checkpoints:shift_handover", args=[s.pk]), {"handover_note": "一切正常"})
    page = client.get(reverse("checkpoints:shift", args=[s.pk])).content.decode()
    assert "已落实 1 /" in page and "一切正常" in page


def test_only_hq_edits_risk_areas_and_norms(client, hq_officer, county_officer):
    client.force_login(county_officer)
    assert (
        client.post(
            reverse("checkpoints:risk_areas"), {"origin_code": "42", "level": "high", "starts_on": "2020-01-23"}
        ).status_code
        == 403
    )
    assert client.post(reverse("checkpoints:norms"), {"level": "city", "text": "新的规范内容"}).status_code == 403
    client.force_login(hq_officer)
    r = client.post(
        reverse("checkpoints:risk_areas"), {"origin_code": "湖北省", "level": "high", "starts_on": "2020-01-23"}
    )
    assert r.status_code == 302 and RiskArea.objects.get().origin_code == "42"
    assert client.post(reverse("checkpoints:norms"), {"level": "city", "text": "新的规范内容"}).status_code == 302
    assert WorkNorm.objects.filter(text="新的规范内容", level="city").exists()
    page = client.get(reverse("checkpoints:risk_areas")).content.decode()
    assert "湖北省" in page and "生效中" in page


def test_hq_sets_up_and_closes_a_checkpoint_from_the_pages(client, hq_officer):
    client.force_login(hq_officer)
    r = client.post(
        reverse("checkpoints:create"),
        {
            "name": "鹤壁高速站",
            "level": "city",
            "kind": "expressway_exit",
            "division_code": "410611",
            "location": "京港澳高速鹤壁出口",
        },
    )
    assert r.status_code == 302
    from fangkong.checkpoints.models import Checkpoint

    cp = Checkpoint.objects.get(name="鹤壁高速站")
    client.post(reverse("checkpoints:status", args=[cp.pk]), {"to_status": "closed", "reason": "高速恢复通行"})
    cp.refresh_from_db()
    assert cp.status == "closed"
    page = client.get(reverse("checkpoints:detail", args=[cp.pk])).content.decode()
    assert "高速恢复通行" in page and "已关闭" in page


def test_the_person_lookup_is_rate_limited(as_staff, monkeypatch):
    """Counted in the database (core.throttle), so the limit holds across server processes."""
    from fangkong.checkpoints import views
    from fangkong.core.models import Throttle

    monkeypatch.setattr(views, "LOOKUPS_PER_10_MINUTES", 3)
    url = reverse("checkpoints:person_lookup")
    answers = [as_staff.post(url, {"doc_number": new_resident_id("420102")}) for _ in range(5)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429, 429]
    assert "每10分钟最多 3 次" in answers[-1].content.decode() and 0 < int(answers[-1]["Retry-After"]) <= 600
    assert AuditEntry.objects.filter(action="search").count() == 3
    assert Throttle.objects.get(window__startswith="checkpoint.lookup@").count == 5


# ---------------------------------------------------------------- home: my shift


def test_home_takes_a_checkpoint_worker_to_the_checkpoint_of_their_shift(
    as_staff, checkpoint_staff, hq_officer, qibin_checkpoint
):
    from fangkong.checkpoints.services import checkpoint_create, shift_create

    now = timezone.now()
    bus = checkpoint_create(
        actor=hq_officer, level="county", division_code="410611", name="鹤壁汽车站", kind="bus_station"
    )
    old = checkpoint_create(
        actor=hq_officer, level="county", division_code="410611", name="老站卡点", kind="bus_station"
    )
    shift_create(
        actor=hq_officer,
        checkpoint=qibin_checkpoint,
        starts_at=now - dt.timedelta(hours=2),
        ends_at=now + dt.timedelta(hours=10),
        staff_ids=[checkpoint_staff.pk],
    )
    shift_create(
        actor=hq_officer,
        checkpoint=bus,
        starts_at=now + dt.timedelta(hours=10),
        ends_at=now + dt.timedelta(hours=22),
        staff_ids=[checkpoint_staff.pk],
    )
    shift_create(
        actor=hq_officer,
        checkpoint=old,
        starts_at=now - dt.timedelta(hours=14),
        ends_at=now - dt.timedelta(hours=2),
        staff_ids=[checkpoint_staff.pk],
    )
    html = as_staff.get(reverse("accounts:home")).content.decode()
    card = html[html.index("我的值守") :]
    assert "鹤壁东站" in card and "当前在岗" in card
    assert reverse("checkpoints:register", args=[qibin_checkpoint.pk]) in card
    assert "鹤壁汽车站" in card and "即将开始" in card
    assert card.index("鹤壁东站") < card.index("鹤壁汽车站")
    assert "老站卡点" not in card  # that shift is over


def test_home_without_a_shift_lists_the_open_checkpoints_of_the_jurisdiction(
    as_staff, hq_officer, qibin_checkpoint, xunxian_checkpoint
):
    from fangkong.checkpoints.services import checkpoint_create, checkpoint_status_change

    closed = checkpoint_create(
        actor=hq_officer, level="county", division_code="410611", name="已撤卡点", kind="highway"
    )
    checkpoint_status_change(actor=hq_officer, checkpoint=closed, to_status="closed", reason="疫情缓解，撤点")
    html = as_staff.get(reverse("accounts:home")).content.decode()
    card = html[html.index("我的值守") :]
    assert "没有排班" in card
    assert reverse("checkpoints:register", args=[qibin_checkpoint.pk]) in card
    assert "浚县107国道卡点" not in card  # outside 淇滨区
    assert "已撤卡点" not in card


def test_home_has_no_duty_card_for_who_does_not_register_passages(client, inspector):
    client.force_login(inspector)
    assert "我的值守" not in client.get(reverse("accounts:home")).content.decode()
