"""Inputs that were a 500 (issue 9): a day no database can hold, deleting a
person who has follow-ups, and a division outside the jurisdiction. Each now
answers 4xx with a reason, the same on the page and in the API."""

from __future__ import annotations

import pytest

from conftest import QIBIN, QINGHUAYUAN, login

BAD_DAYS = ["0001-01-01", "9999-12-31", "0", "1999-12-31", "2101-01-01", "2020-02-30", "20200101", "x"]


@pytest.fixture
def checkpoint(hq_officer):
    from fangkong.checkpoints.services import checkpoint_create

    return checkpoint_create(
        actor=hq_officer, level="city", division_code=QIBIN, name="鹤壁东站", kind="railway_station"
    )


def _token(user) -> dict:
    from fangkong.accounts.services import token_create

    _t, raw = token_create(user=user, name="pytest")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize("day", BAD_DAYS)
def test_a_day_out_of_range_on_the_passage_api_is_422_with_a_reason(client, checkpoint, checkpoint_staff, day):
    r = client.get(f"/api/v1/checkpoints/{checkpoint.pk}/passages", {"day": day}, **_token(checkpoint_staff))
    assert r.status_code == 422, r.content
    assert r.json()["errors"]["day"]


@pytest.mark.parametrize("day", BAD_DAYS)
def test_a_day_out_of_range_on_the_passage_page_is_400_with_a_reason(client, checkpoint, checkpoint_staff, day):
    login(client, checkpoint_staff)
    r = client.get(f"/checkpoints/{checkpoint.pk}/passages/", {"day": day})
    assert r.status_code == 400
    assert "2000-01-01" in r.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/followups/checks?state=done&day={day}",
        "/api/v1/screening/counts?day={day}",
        "/api/v1/screening/coverage?day={day}",
        "/api/v1/screening/measure-proposal?arrived_on={day}",
    ],
)
def test_day_zero_is_refused_not_read_as_1970(client, qinghuayuan_worker, url):
    for day in ("0", "9999-12-31", "0001-01-01"):
        r = client.get(url.format(day=day), **_token(qinghuayuan_worker))
        assert r.status_code == 422, (url, day, r.content)


def test_a_good_day_is_still_accepted(client, checkpoint, checkpoint_staff):
    r = client.get(f"/api/v1/checkpoints/{checkpoint.pk}/passages", {"day": "2020-01-31"}, **_token(checkpoint_staff))
    assert r.status_code == 200 and r.json()["count"] == 0


@pytest.fixture
def followed_up(qinghuayuan_worker, zhang_san):
    from fangkong.followups.services import followup_start

    followup_start(user=qinghuayuan_worker, person=zhang_san, kind="home_quarantine", reason="武汉返回")
    return zhang_san


def test_deleting_a_person_with_follow_ups_in_the_api_is_409_with_a_reason(client, qinghuayuan_worker, followed_up):
    from fangkong.people.models import Person
    from fangkong.regions.models import Division

    before = Division.objects.get(code=QINGHUAYUAN).person_count
    r = client.delete(f"/api/v1/persons/{followed_up.pk}?reason=重复登记", **_token(qinghuayuan_worker))
    assert r.status_code == 409 and "随访" in r.json()["detail"]
    assert Person.objects.filter(pk=followed_up.pk).exists()
    assert Division.objects.get(code=QINGHUAYUAN).person_count == before  # nothing half done


def test_deleting_a_person_with_follow_ups_on_the_page_keeps_the_form_with_a_reason(
    client, qinghuayuan_worker, followed_up
):
    from fangkong.people.models import Person

    login(client, qinghuayuan_worker)
    r = client.post(f"/people/{followed_up.pk}/delete/", {"reason": "重复登记"})
    assert r.status_code == 409
    body = r.content.decode()
    assert "随访" in body and "重复登记" in body
    assert Person.objects.filter(pk=followed_up.pk).exists()


@pytest.mark.parametrize("url", ["/people/", "/people/households/", "/followups/", "/screening/"])
def test_a_division_filter_outside_the_jurisdiction_is_a_404_on_pages(client, ximazhuang_worker, url):
    login(client, ximazhuang_worker)
    assert client.get(url, {"division": QIBIN}).status_code == 404
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/persons",
        "/api/v1/households",
        "/api/v1/followups",
        "/api/v1/followups/checks",
        "/api/v1/followups/referrals",
        "/api/v1/followups/deliveries",
        "/api/v1/screening/arrivals",
        "/api/v1/screening/returnees",
        "/api/v1/screening/counts",
    ],
)
def test_a_division_filter_outside_the_jurisdiction_is_a_404_in_the_api(client, ximazhuang_worker, url):
    headers = _token(ximazhuang_worker)
    assert client.get(url, {"division": QIBIN}, **headers).status_code == 404
    assert client.get(url, **headers).status_code == 200


def test_the_document_declares_the_409_of_a_person_delete_and_the_errors_of_every_operation(client, qinghuayuan_worker):
    login(client, qinghuayuan_worker)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "409" in paths["/api/v1/persons/{person_id}"]["delete"]["responses"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = set(operation["responses"])
            assert {"400", "422"} <= responses or not operation.get("parameters"), (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= responses, (method, path)
