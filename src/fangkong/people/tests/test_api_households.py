import pytest

from conftest import QINGHUAYUAN, XIMAZHUANG
from fangkong.audit.models import AuditEntry
from fangkong.people.models import Household
from fangkong.people.services import person_create
from fangkong.regions.models import Division

from .test_api_support import remember

URL = "/api/v1/households"


@pytest.fixture
def qhy(api, secrets, qinghuayuan_worker, zhang_san):
    remember(secrets, zhang_san)
    return api(qinghuayuan_worker)


@pytest.fixture
def xmz(api, secrets, ximazhuang_worker, zhang_san):
    remember(secrets, zhang_san)
    return api(ximazhuang_worker)


def test_the_list_is_paged_and_scoped(qhy, xmz, household_qhy, household_xmz):
    body = qhy.get(URL).json()
    assert body["count"] == 1 and body["pages"] == 1 and body["page_size"] == 50
    item = body["items"][0]
    assert item["address"] == household_qhy.address and item["community"] == "清华园社区"
    assert item["head"]["name"] == "张三"
    assert [h["id"] for h in xmz.get(URL).json()["items"]] == [household_xmz.pk]
    assert xmz.client.get(URL, {"division": QINGHUAYUAN}).status_code == 404  # outside: 404, not an empty list


def test_the_list_searches_the_address(qhy, household_qhy):
    assert qhy.get(URL, {"q": "3号楼"}).json()["count"] == 1
    assert qhy.get(URL, {"q": "不存在的路"}).json()["count"] == 0


def test_page_size_is_at_most_100(qhy):
    r = qhy.get(URL, {"page_size": 1000})
    assert r.status_code == 422 and "不能大于100" in r.json()["errors"]["page_size"][0]


def test_detail_shows_masked_members_and_is_audited(qhy, household_qhy, zhang_san):
    r = qhy.get(f"{URL}/{household_qhy.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["place"] == "淇滨区 泰山路街道 清华园社区" and body["can_edit"]
    assert [(m["name"], m["doc_masked"], m["phone_masked"]) for m in body["members"]] == [
        ("张三", zhang_san.doc_masked, "138****1234")
    ]
    assert AuditEntry.objects.filter(
        action="view", object_type="people.household", object_id=str(household_qhy.pk)
    ).exists()


def test_outsider_gets_404_for_a_household(xmz, household_qhy):
    url = f"{URL}/{household_qhy.pk}"
    assert xmz.get(url).status_code == 404
    assert xmz.put(url, {"address": "别处"}).status_code == 404
    assert xmz.delete(url, {"reason": "测试删除"}).status_code == 404
    assert Household.objects.get(pk=household_qhy.pk).address == household_qhy.address


def test_create_adds_a_household_and_counts_it(qhy):
    before = Division.objects.get(code=QINGHUAYUAN).household_count
    r = qhy.post(URL, {"division_code": QINGHUAYUAN, "address": "  泰山路 14号院 ", "note": "新建"})
    assert r.status_code == 201, r.json()
    assert r.json()["address"] == "泰山路 14号院" and r.json()["members"] == []
    assert Division.objects.get(code=QINGHUAYUAN).household_count == before + 1


def test_create_in_a_grid(qhy):
    grid = Division.objects.filter(parent_code=QINGHUAYUAN).first()
    r = qhy.post(URL, {"division_code": grid.code, "address": "网格里的一户"})
    assert r.status_code == 201 and r.json()["place"].endswith(grid.short_name)


def test_create_outside_the_jurisdiction_is_a_field_error(xmz):
    r = xmz.post(URL, {"division_code": QINGHUAYUAN, "address": "泰山路1号"})
    assert r.status_code == 422 and "辖区" in r.json()["errors"]["division_code"][0]


def test_create_validates_each_field(qhy):
    r = qhy.post(URL, {"division_code": QINGHUAYUAN, "address": "   "})
    assert r.status_code == 422 and r.json()["errors"]["address"] == ["请填写地址。"]
    r = qhy.post(URL, {"address": "x" * 201})
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"division_code", "address"}
    assert r.json()["errors"]["division_code"] == ["必须填写。"]


def test_put_changes_the_address_and_head(qhy, qinghuayuan_worker, household_qhy, zhang_san):
    wife = person_create(
        user=qinghuayuan_worker, household=household_qhy, name="李梅", doc_type="none", doc_reason="未办理"
    )
    r = qhy.put(f"{URL}/{household_qhy.pk}", {"address": "泰山路12号院3号楼2单元302", "head_id": wife.pk})
    assert r.status_code == 200, r.json()
    assert r.json()["address"].endswith("302") and r.json()["head"] == {"id": wife.pk, "name": "李梅"}


def test_put_refuses_a_head_from_another_household(qhy, xmz, household_qhy, household_xmz, ximazhuang_worker):
    stranger = person_create(
        user=ximazhuang_worker, household=household_xmz, name="刘强", doc_type="none", doc_reason="未办理"
    )
    r = qhy.put(f"{URL}/{household_qhy.pk}", {"address": "泰山路12号", "head_id": stranger.pk})
    assert r.status_code == 422 and "head_id" in r.json()["errors"]


def test_put_moves_the_household_to_a_grid_with_its_members(qhy, household_qhy, zhang_san):
    grid = Division.objects.filter(parent_code=QINGHUAYUAN).first()
    r = qhy.put(f"{URL}/{household_qhy.pk}", {"address": household_qhy.address, "division_code": grid.code})
    assert r.status_code == 200 and r.json()["division_code"] == grid.code
    assert r.json()["members"][0]["division_code"] == grid.code


def test_put_cannot_move_a_household_out_of_the_jurisdiction(qhy, household_qhy):
    r = qhy.put(f"{URL}/{household_qhy.pk}", {"address": "别处", "division_code": XIMAZHUANG})
    assert r.status_code == 422 and "division_code" in r.json()["errors"]
    assert Household.objects.get(pk=household_qhy.pk).division_code == QINGHUAYUAN


def test_delete_needs_a_reason_and_an_empty_household(qhy, qinghuayuan_worker):
    from fangkong.people.services import household_create

    empty = household_create(user=qinghuayuan_worker, division_code=QINGHUAYUAN, address="空户")
    r = qhy.delete(f"{URL}/{empty.pk}")
    assert r.status_code == 422 and r.json()["errors"]["reason"] == ["请填写删除原因。"]
    assert qhy.delete(f"{URL}/{empty.pk}", {"reason": "已拆迁"}).status_code == 204
    assert not Household.objects.filter(pk=empty.pk).exists()


def test_a_household_with_members_cannot_be_deleted(qhy, household_qhy, zhang_san):
    r = qhy.delete(f"{URL}/{household_qhy.pk}", {"reason": "已拆迁"})
    assert r.status_code == 422 and "成员" in r.json()["errors"]["__all__"][0]


def test_an_inspector_can_read_but_not_write(api, inspector, household_qhy):
    client = api(inspector)
    assert client.get(URL).json()["count"] == 1
    assert client.get(f"{URL}/{household_qhy.pk}").json()["can_edit"] is False
    assert client.post(URL, {"division_code": QINGHUAYUAN, "address": "新户"}).status_code == 403
    assert client.put(f"{URL}/{household_qhy.pk}", {"address": "新地址"}).status_code == 403
    assert client.delete(f"{URL}/{household_qhy.pk}", {"reason": "测试删除"}).status_code == 403


def test_checkpoint_staff_may_not_list_households(api, checkpoint_staff, household_qhy):
    client = api(checkpoint_staff)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{household_qhy.pk}").status_code == 403
    assert client.put(f"{URL}/{household_qhy.pk}", {"address": "新地址"}).status_code == 403
