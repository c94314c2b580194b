import datetime as dt
import json

import pytest

from conftest import QIBIN, QINGHUAYUAN, XIMAZHUANG, XUNXIAN, new_resident_id
from fangkong.audit.models import AuditEntry
from fangkong.lib import vault
from fangkong.lib.masking import age
from fangkong.people.models import Person
from fangkong.people.services import person_create

from .test_api_support import remember

URL = "/api/v1/persons"


@pytest.fixture
def qhy(api, secrets, qinghuayuan_worker, zhang_san):
    remember(secrets, zhang_san)
    return api(qinghuayuan_worker)


@pytest.fixture
def xmz(api, secrets, ximazhuang_worker, zhang_san):
    remember(secrets, zhang_san)
    return api(ximazhuang_worker)


def _number(person) -> str:
    return vault.decrypt(person.doc_cipher)


# ---------------------------------------------------------------- list and search


def test_the_list_shows_my_persons_masked(qhy, zhang_san):
    r = qhy.get(URL)
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["page"] == 1 and body["pages"] == 1
    item = body["items"][0]
    assert item["name"] == "张三" and item["doc_masked"] == zhang_san.doc_masked
    assert item["phone_masked"] == "138****1234" and item["community"] == "清华园社区"
    assert set(item) >= {"id", "sex", "age", "household_id", "tags"} and "birth_date" not in item


def test_search_by_the_exact_id_number_finds_the_person_and_is_audited(qhy, zhang_san):
    r = qhy.post(f"{URL}/search", {"q": _number(zhang_san)})  # a number goes in the body (test_search_by_post.py)
    assert [p["id"] for p in r.json()["items"]] == [zhang_san.pk]
    entry = AuditEntry.objects.filter(action="search").latest("id")
    assert entry.detail["kind"] == "doc" and entry.detail["results"] == 1
    assert _number(zhang_san) not in str(entry.__dict__)


@pytest.mark.parametrize("q", ["13812341234", "张", "zhangsan", "zs"])
def test_search_by_phone_name_and_pinyin(qhy, zhang_san, q):
    assert [p["id"] for p in qhy.post(f"{URL}/search", {"q": q}).json()["items"]] == [zhang_san.pk]


def test_outsider_search_by_the_exact_id_number_finds_nothing(xmz, zhang_san):
    r = xmz.post(f"{URL}/search", {"q": _number(zhang_san)})
    assert r.status_code == 200 and r.json()["items"] == [] and r.json()["count"] == 0
    assert xmz.get(URL).json()["count"] == 0
    assert xmz.client.get(URL, {"division": QINGHUAYUAN}).status_code == 404  # outside: 404, not an empty list


def test_filters_by_tag_sex_and_division(qhy, qinghuayuan_worker, household_qhy, zhang_san):
    person_create(
        user=qinghuayuan_worker,
        household=household_qhy,
        name="李梅",
        doc_type="none",
        doc_reason="未办理",
        sex="F",
        tags={"tag_chronic": True},
    )
    assert [p["name"] for p in qhy.get(URL, {"tag": "tag_chronic"}).json()["items"]] == ["李梅"]
    assert [p["name"] for p in qhy.get(URL, {"sex": "M"}).json()["items"]] == ["张三"]
    assert qhy.get(URL, {"division": QINGHUAYUAN}).json()["count"] == 2
    assert qhy.get(URL, {"household": household_qhy.pk}).json()["count"] == 2


def test_paging_is_limited_to_100_a_page(qhy, qinghuayuan_worker, household_qhy):
    for i in range(3):
        person_create(
            user=qinghuayuan_worker,
            household=household_qhy,
            name=f"王{'一二三'[i]}",
            doc_type="none",
            doc_reason="未办理",
        )
    body = qhy.get(URL, {"page_size": 3, "page": 2}).json()  # with 张三: four
    assert body["count"] == 4 and body["pages"] == 2 and len(body["items"]) == 1
    assert qhy.get(URL, {"page": 9}).json()["items"] == []
    r = qhy.get(URL, {"page_size": 101})
    assert r.status_code == 422 and "page_size" in r.json()["errors"]
    assert qhy.get(URL, {"page": 0}).status_code == 422


@pytest.mark.parametrize(
    "params",
    [
        {"tag": "nonsense"},
        {"sex": "X"},
        {"division": "abc"},
        {"q": "x" * 61},
        {"q": "张\x01"},
        {"household": "x"},
        {"page": "99999999999999999999"},
    ],
)
def test_bad_query_parameters_are_422(qhy, params):
    r = qhy.get(URL, params)
    assert r.status_code == 422 and r.json()["detail"] == "invalid"


def test_a_nul_in_the_query_is_refused(qhy):
    # Refused by the site-wide NUL guard (core.middleware) before the API sees it.
    assert qhy.get(URL, {"q": "张\x00"}).status_code == 400


def test_checkpoint_staff_may_not_list_persons(api, checkpoint_staff, zhang_san):
    client = api(checkpoint_staff)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{zhang_san.pk}").status_code == 403
    assert client.patch(f"{URL}/{zhang_san.pk}", {"occupation": "教师"}).status_code == 403
    assert client.post(f"{URL}/{zhang_san.pk}/reveal", {"field": "phone", "reason": "核对"}).status_code == 403


# ---------------------------------------------------------------- one person


def test_detail_is_masked_and_audited(qhy, zhang_san):
    r = qhy.get(f"{URL}/{zhang_san.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["doc_masked"] == zhang_san.doc_masked and body["phone_masked"] == "138****1234"
    assert body["place"] == "淇滨区 泰山路街道 清华园社区" and body["household"]["id"] == zhang_san.household_id
    assert body["can_edit"] and body["can_reveal"]
    assert AuditEntry.objects.filter(action="view", object_type="people.person", object_id=str(zhang_san.pk)).exists()


def test_outsider_gets_404_for_a_person(xmz, zhang_san):
    assert xmz.get(f"{URL}/{zhang_san.pk}").status_code == 404
    assert xmz.patch(f"{URL}/{zhang_san.pk}", {"occupation": "教师"}).status_code == 404
    assert xmz.delete(f"{URL}/{zhang_san.pk}", {"reason": "测试删除"}).status_code == 404
    assert xmz.post(f"{URL}/{zhang_san.pk}/reveal", {"field": "doc_number", "reason": "核对身份"}).status_code == 404
    assert Person.objects.filter(pk=zhang_san.pk, occupation="").exists()
    assert not AuditEntry.objects.filter(actor__username="ximazhuang_worker", action__in=["view", "reveal"]).exists()


def test_a_missing_person_is_404_like_an_outsiders(qhy):
    assert qhy.get(f"{URL}/999999").status_code == 404
    assert qhy.get(f"{URL}/99999999999999999999999").status_code == 404


# ---------------------------------------------------------------- create


def test_create_registers_a_person_in_a_household(qhy, secrets, household_qhy):
    number = new_resident_id(QIBIN, dt.date(1992, 2, 29), "F")
    secrets.update({number, "13912345678"})
    r = qhy.post(
        URL,
        {
            "household_id": household_qhy.pk,
            "name": "刘芳",
            "doc_number": number,
            "phone": "139 1234 5678",
            "relation": "spouse",
            "tags": ["tag_pregnant"],
        },
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["sex"] == "F" and body["age"] == age(dt.date(1992, 2, 29)) and "birth_date" not in body
    assert body["tags"] == ["tag_pregnant"]
    assert body["doc_masked"] == number[:6] + "********" + number[-4:] and body["phone_masked"] == "139****5678"
    assert vault.decrypt(Person.objects.get(pk=body["id"]).doc_cipher) == number


def test_create_directly_in_a_community(qhy):
    r = qhy.post(URL, {"division_code": QINGHUAYUAN, "name": "流动人员", "doc_type": "none", "doc_reason": "未办理"})
    assert r.status_code == 201 and r.json()["household_id"] is None


def test_validation_errors_are_422_per_field_in_chinese(qhy, household_qhy):
    number = new_resident_id()
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    r = qhy.post(URL, {"household_id": household_qhy.pk, "name": "", "doc_number": bad, "phone": "12"})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert {"name", "doc_number", "phone"} <= set(errors)
    assert "校验位" in errors["doc_number"][0] and "姓名" in errors["name"][0]


def test_schema_errors_are_422_per_field_in_chinese(qhy, household_qhy):
    r = qhy.post(
        URL,
        {
            "household_id": household_qhy.pk,
            "name": 12,
            "birth_date": "2020-13-45",
            "sex": "X",
            "tags": ["unknown"],
            "colour": "red",
        },
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors["name"] == ["应为文本。"]
    assert errors["birth_date"] == ["日期格式应为 2020-01-31。"]
    assert errors["sex"][0].startswith("取值无效") and errors["tags"][0].startswith("取值无效")
    assert errors["colour"] == ["没有这个字段。"]


def test_too_long_and_control_characters_are_422_in_chinese(qhy, household_qhy):
    r = qhy.post(
        URL,
        {"household_id": household_qhy.pk, "name": "张" * 51, "occupation": "教\x00师", "tags": ["tag_chronic"] * 6},
    )
    errors = r.json()["errors"]
    assert r.status_code == 422
    assert errors["name"] == ["不能超过50个字。"] and errors["occupation"] == ["不能包含控制字符。"]
    assert errors["tags"] == ["最多5项。"]
    r = qhy.post(URL, b'{"name": "\\ud800"}')
    assert r.status_code == 422 and r.json()["errors"]["name"] == ["包含无效的字符。"]


def test_malformed_json_is_400_with_a_reason(qhy):
    r = qhy.post(URL, b'{"name": ')
    assert r.status_code == 400 and r.json()["detail"]
    r = qhy.post(URL, b"[1, 2]")
    assert r.status_code == 422 and r.json()["errors"] == {"__all__": ["应为 JSON 对象。"]}


def test_a_household_outside_the_jurisdiction_is_a_field_error(xmz, household_qhy):
    r = xmz.post(URL, {"household_id": household_qhy.pk, "name": "钱七"})
    assert r.status_code == 422 and "household_id" in r.json()["errors"]
    r = xmz.post(URL, {"division_code": QINGHUAYUAN, "name": "钱七"})
    assert r.status_code == 422 and "division_code" in r.json()["errors"]
    assert not Person.objects.filter(name="钱七").exists()


def test_a_duplicate_in_my_jurisdiction_is_409_with_the_person(qhy, household_qhy, zhang_san):
    r = qhy.post(URL, {"household_id": household_qhy.pk, "name": "张三", "doc_number": _number(zhang_san)})
    assert r.status_code == 409
    body = r.json()
    assert body["detail"] == "duplicate" and body["person_id"] == zhang_san.pk
    assert body["where"] == "淇滨区 泰山路街道 清华园社区" and "doc_number" in body["errors"]
    assert Person.objects.count() == 1


def test_a_duplicate_elsewhere_is_409_with_a_masked_place_and_no_id(xmz, household_xmz, zhang_san):
    r = xmz.post(URL, {"household_id": household_xmz.pk, "name": "张三", "doc_number": _number(zhang_san)})
    assert r.status_code == 409
    body = r.json()
    assert body["person_id"] is None
    text = json.dumps(body, ensure_ascii=False)
    assert body["where"] == "本市其他地方（不在您的辖区内）"
    assert body["errors"]["doc_number"] == [
        "该证件号码已在本市其他地方登记（不在您的辖区内）。不会重复登记，可将其迁入本户。"
    ]
    assert not any(place in text for place in ("清华园", "泰山路", "淇滨"))
    assert Person.objects.count() == 1


def test_an_inspector_can_read_but_not_write(api, inspector, household_qhy, zhang_san):
    client = api(inspector)
    assert client.get(URL).json()["count"] == 1
    assert client.get(f"{URL}/{zhang_san.pk}").status_code == 200
    assert client.post(URL, {"household_id": household_qhy.pk, "name": "赵六"}).status_code == 403
    assert client.patch(f"{URL}/{zhang_san.pk}", {"occupation": "教师"}).status_code == 403
    assert client.delete(f"{URL}/{zhang_san.pk}", {"reason": "测试删除"}).status_code == 403
    assert client.post(f"{URL}/{zhang_san.pk}/reveal", {"field": "phone", "reason": "核对"}).status_code == 403
    assert (
        client.post(f"{URL}/move", {"household_id": household_qhy.pk, "doc_number": "x", "reason": "迁入"}).status_code
        == 403
    )


# ---------------------------------------------------------------- update and delete


def test_patch_changes_only_the_given_fields(qhy, secrets, zhang_san):
    secrets.add("13700001111")
    r = qhy.patch(f"{URL}/{zhang_san.pk}", {"occupation": "教师", "phone": "13700001111", "tags": ["tag_chronic"]})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["occupation"] == "教师" and body["phone_masked"] == "137****1111" and body["tags"] == ["tag_chronic"]
    assert body["name"] == "张三" and body["doc_masked"] == zhang_san.doc_masked
    entry = AuditEntry.objects.filter(action="update", object_id=str(zhang_san.pk)).latest("id")
    assert "13700001111" not in str(entry.__dict__)


def test_patch_to_someone_elses_number_is_409(qhy, qinghuayuan_worker, household_qhy, zhang_san, secrets):
    other = person_create(user=qinghuayuan_worker, household=household_qhy, name="李四", doc_number=new_resident_id())
    remember(secrets, other)
    r = qhy.patch(f"{URL}/{other.pk}", {"doc_number": _number(zhang_san)})
    assert r.status_code == 409 and r.json()["person_id"] == zhang_san.pk


def test_patch_rejects_null_for_a_required_field(qhy, zhang_san):
    r = qhy.patch(f"{URL}/{zhang_san.pk}", {"name": None})
    assert r.status_code == 422 and "name" in r.json()["errors"]


def test_delete_needs_a_reason(qhy, zhang_san):
    r = qhy.delete(f"{URL}/{zhang_san.pk}")
    assert r.status_code == 422 and r.json()["errors"]["reason"] == ["请填写删除原因。"]
    assert qhy.delete(f"{URL}/{zhang_san.pk}", {"reason": "重复登记"}).status_code == 204
    assert not Person.objects.filter(pk=zhang_san.pk).exists()
    assert AuditEntry.objects.filter(action="delete", reason="重复登记").exists()


# ---------------------------------------------------------------- reveal


def test_reveal_needs_a_reason(qhy, zhang_san):
    r = qhy.post(f"{URL}/{zhang_san.pk}/reveal", {"field": "doc_number"})
    assert r.status_code == 422 and "至少4个字" in r.json()["errors"]["reason"][0]  # test_reveal_limits.py
    r = qhy.post(f"{URL}/{zhang_san.pk}/reveal", {"field": "doc_number", "reason": "  看 "})
    assert r.status_code == 422 and "reason" in r.json()["errors"]
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_reveal_returns_the_full_value_and_is_audited(qhy, zhang_san):
    r = qhy.post(f"{URL}/{zhang_san.pk}/reveal", {"field": "doc_number", "reason": "核对身份"}, may_reveal=True)
    assert r.status_code == 200 and r.json() == {
        "field": "doc_number",
        "value": _number(zhang_san),
        "birth_date": "1980-01-01",
    }
    assert r["Cache-Control"] == "no-store"
    r = qhy.post(f"{URL}/{zhang_san.pk}/reveal", {"field": "phone", "reason": "电话联系"}, may_reveal=True)
    assert r.json()["value"] == "13812341234"
    entries = AuditEntry.objects.filter(action="reveal", object_id=str(zhang_san.pk)).order_by("id")
    assert [(e.reason, e.detail["field"]) for e in entries] == [("核对身份", "doc_number"), ("电话联系", "phone")]


def test_reveal_of_another_field_is_422(qhy, zhang_san):
    r = qhy.post(f"{URL}/{zhang_san.pk}/reveal", {"field": "doc_cipher", "reason": "核对身份"})
    assert r.status_code == 422 and "field" in r.json()["errors"]


# ---------------------------------------------------------------- move


def test_move_brings_a_registered_person_here_by_document_number(xmz, household_xmz, zhang_san, qinghuayuan_worker):
    from fangkong.approvals.models import ApprovalRequest
    from fangkong.approvals.services import approval_decide

    r = xmz.post(
        f"{URL}/move", {"household_id": household_xmz.pk, "doc_number": _number(zhang_san), "reason": "已迁居西马庄村"}
    )
    assert r.status_code == 202, r.json()  # from another county: a request (test_person_move.py)
    assert Person.objects.get(pk=zhang_san.pk).division_code == QINGHUAYUAN
    approval_decide(
        user=qinghuayuan_worker,
        approval=ApprovalRequest.objects.get(pk=r.json()["approval_id"]),
        approve=True,
        reason="已核实",
    )
    assert Person.objects.get(pk=zhang_san.pk).division_code == XIMAZHUANG
    assert AuditEntry.objects.filter(action="move", object_id=str(zhang_san.pk)).count() == 2


def test_move_needs_a_reason_and_a_valid_number(xmz, household_xmz, zhang_san):
    r = xmz.post(f"{URL}/move", {"household_id": household_xmz.pk, "doc_number": _number(zhang_san)})
    assert r.status_code == 422 and r.json()["errors"]["reason"] == ["请填写迁入原因。"]
    r = xmz.post(f"{URL}/move", {"household_id": household_xmz.pk, "doc_number": "123", "reason": "迁入"})
    assert r.status_code == 422 and "doc_number" in r.json()["errors"]
    r = xmz.post(f"{URL}/move", {"household_id": household_xmz.pk, "doc_number": new_resident_id(), "reason": "迁入"})
    assert r.status_code == 404
    assert Person.objects.get(pk=zhang_san.pk).division_code == QINGHUAYUAN


def test_move_into_an_outsiders_household_is_404(xmz, household_qhy, zhang_san):
    r = xmz.post(f"{URL}/move", {"household_id": household_qhy.pk, "doc_number": _number(zhang_san), "reason": "迁入"})
    assert r.status_code == 404


def test_a_county_officer_sees_the_county(api, county_officer, secrets, zhang_san):
    remember(secrets, zhang_san)
    client = api(county_officer)
    assert client.get(URL, {"division": QIBIN}).json()["count"] == 1
    assert client.client.get(URL, {"division": XUNXIAN}).status_code == 404
