import json

from django.test import Client

from conftest import QINGHUAYUAN, new_resident_id
from fangkong.checkpoints.models import Passage
from fangkong.screening.models import Arrival

URL = "/api/v1/checkpoints"


def api(user):
    from fangkong.accounts.services import token_create

    _token, raw = token_create(user=user, name="pytest")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, body):
    r = client.post(url, json.dumps(body), content_type="application/json")
    assert r.status_code < 500, r.content[:500]
    return r


def item(**kw):
    body = {
        "direction": "in",
        "doc_number": new_resident_id("420102"),
        "name": "钱多多",
        "phone": "13600001111",
        "temperature": "36.6",
        "plate": "豫F12345",
        "origin": "4101",
        "destination": QINGHUAYUAN,
    }
    body.update(kw)
    return body


def test_the_list_and_detail_are_scoped(checkpoint_staff, ximazhuang_worker, qibin_checkpoint, xunxian_checkpoint):
    names = [c["name"] for c in api(checkpoint_staff).get(URL).json()["items"]]
    assert names == ["鹤壁东站"]
    assert api(checkpoint_staff).get(f"{URL}/{qibin_checkpoint.pk}").json()["level"] == "city"
    outsider = api(ximazhuang_worker)
    assert outsider.get(URL).json()["items"] == []
    assert outsider.get(f"{URL}/{qibin_checkpoint.pk}").status_code == 404
    assert outsider.get(f"{URL}/{qibin_checkpoint.pk}/passages").status_code == 404
    assert post(outsider, f"{URL}/{qibin_checkpoint.pk}/passages", item()).status_code == 404
    assert (
        post(outsider, f"{URL}/{qibin_checkpoint.pk}/passages/batch", {"items": [item(client_key="a")]}).status_code
        == 404
    )
    assert api(checkpoint_staff).get(f"{URL}/99999999").status_code == 404
    assert not Passage.objects.exists()


def test_register_returns_flags_and_what_to_do(checkpoint_staff, qibin_checkpoint):
    number = item()["doc_number"]
    r = post(
        api(checkpoint_staff),
        f"{URL}/{qibin_checkpoint.pk}/passages",
        item(doc_number=number, temperature="38.0", client_key="api-1"),
    )
    assert r.status_code == 201
    body = r.json()
    p = body["passages"][0]
    assert body["created"] and p["fever"] and p["flags"] == ["fever"] and p["arrival_id"]
    assert any("复测" in s for s in body["next_steps"])
    assert number not in r.content.decode() and "13600001111" not in r.content.decode()
    again = post(api(checkpoint_staff), f"{URL}/{qibin_checkpoint.pk}/passages", item(client_key="api-1"))
    assert again.status_code == 200 and not again.json()["created"] and again.json()["passages"][0]["id"] == p["id"]


def test_register_a_carload(checkpoint_staff, qibin_checkpoint):
    r = post(
        api(checkpoint_staff),
        f"{URL}/{qibin_checkpoint.pk}/passages",
        item(
            passengers=[
                {"doc_number": new_resident_id("420102"), "name": "钱二", "temperature": 36.4},
                {"doc_number": new_resident_id("420102"), "name": "钱三", "temperature": "36.7"},
            ]
        ),
    )
    assert r.status_code == 201 and len(r.json()["passages"]) == 3
    assert len({p["vehicle_group"] for p in r.json()["passages"]}) == 1
    assert Arrival.objects.count() == 3


def test_register_errors_are_per_field(checkpoint_staff, qibin_checkpoint):
    r = post(
        api(checkpoint_staff),
        f"{URL}/{qibin_checkpoint.pk}/passages",
        item(temperature="45", plate="XX", destination="110105001001"),
    )
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"temperature", "plate", "destination"}
    r = post(api(checkpoint_staff), f"{URL}/{qibin_checkpoint.pk}/passages", item(direction="sideways"))
    assert r.status_code == 422 and "direction" in r.json()["errors"]


def test_staff_of_qibin_cannot_register_at_xunxian(checkpoint_staff, xunxian_checkpoint):
    r = post(api(checkpoint_staff), f"{URL}/{xunxian_checkpoint.pk}/passages", item())
    assert r.status_code == 404


def test_a_role_without_the_capability_gets_403(county_officer, qibin_checkpoint):
    assert post(api(county_officer), f"{URL}/{qibin_checkpoint.pk}/passages", item()).status_code == 403


def test_batch_with_good_duplicate_and_bad_items(checkpoint_staff, qibin_checkpoint):
    client = api(checkpoint_staff)
    post(client, f"{URL}/{qibin_checkpoint.pk}/passages", item(client_key="b-0"))
    items = [
        item(client_key="b-0"),
        item(client_key="b-1"),
        item(client_key="b-2", temperature="30"),
        {"client_key": "b-3", "direction": "in", "temperature": {"not": "a number"}},  # malformed
        {"client_key": "b-4", "surprise": 1, **item()},
        item(client_key="b-5", temperature="39.1", origin="武汉"),
        "not even an object",
        item(client_key="b-6", direction="out", destination="", origin=""),
    ]
    r = post(client, f"{URL}/{qibin_checkpoint.pk}/passages/batch", {"items": items[:6] + items[7:]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [x["status"] for x in body["results"]] == [
        "duplicate",
        "created",
        "error",
        "error",
        "error",
        "created",
        "created",
    ]
    assert (body["created"], body["duplicate"], body["error"]) == (3, 1, 3)
    assert body["results"][2]["errors"] == {"temperature": ["体温应在35.0℃到42.0℃之间，请复测后填写。"]}
    assert "temperature" in body["results"][3]["errors"] and "surprise" in body["results"][4]["errors"]
    assert body["results"][5]["passage"]["fever"] and body["results"][5]["next_steps"]
    assert Passage.objects.count() == 4
    # a non-object item is reported in its own result too
    r = post(client, f"{URL}/{qibin_checkpoint.pk}/passages/batch", {"items": items})
    assert r.status_code == 200 and r.json()["results"][6]["status"] == "error"
    assert [x["status"] for x in r.json()["results"]].count("duplicate") == 4


def test_batch_of_more_than_500_is_refused(checkpoint_staff, qibin_checkpoint):
    r = post(
        api(checkpoint_staff),
        f"{URL}/{qibin_checkpoint.pk}/passages/batch",
        {"items": [item(client_key=f"m-{i}") for i in range(501)]},
    )
    assert r.status_code == 422 and not Passage.objects.exists()


def test_passage_list_is_masked(checkpoint_staff, qibin_checkpoint):
    number = item()["doc_number"]
    client = api(checkpoint_staff)
    post(client, f"{URL}/{qibin_checkpoint.pk}/passages", item(doc_number=number))
    r = client.get(f"{URL}/{qibin_checkpoint.pk}/passages")
    assert r.json()["count"] == 1 and number not in r.content.decode()
    assert r.json()["items"][0]["doc_masked"] == number[:6] + "********" + number[-4:]
    assert client.get(f"{URL}/{qibin_checkpoint.pk}/passages", {"day": "2020-13-01"}).status_code == 422


def test_risk_areas_are_listed(checkpoint_staff, wuhan_high_risk):
    r = api(checkpoint_staff).get(f"{URL}/risk-areas")
    assert r.json() == [
        {
            "id": wuhan_high_risk.pk,
            "origin_code": "4201",
            "origin_name": "湖北省武汉市",
            "level": "high",
            "starts_on": wuhan_high_risk.starts_on.isoformat(),
            "ends_on": None,
            "current": True,
        }
    ]


def test_anonymous_callers_get_401(qibin_checkpoint):
    assert Client().get(URL).status_code == 401
