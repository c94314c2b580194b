import datetime as dt

from django.urls import reverse
from django.utils import timezone

from conftest import QINGHUAYUAN, TAISHANLU, login, new_resident_id
from fangkong.people.services import household_create
from fangkong.screening.models import Arrival, Campaign, Visit

from .helpers import a_campaign


def test_a_grid_worker_starts_a_campaign_from_the_page(client, qinghuayuan_worker):
    login(client, qinghuayuan_worker)
    assert client.get(reverse("screening:campaign_create")).status_code == 200
    today = timezone.localdate()
    r = client.post(
        reverse("screening:campaign_create"),
        {
            "division_code": QINGHUAYUAN,
            "name": "第一轮入户排查",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=1)).isoformat(),
        },
    )
    c = Campaign.objects.get()
    assert r.status_code == 302 and r["Location"] == c.get_absolute_url()
    assert "第一轮入户排查" in client.get(reverse("screening:campaign_list")).content.decode()


def test_an_overlapping_campaign_is_refused_with_the_reason(client, township_officer, qinghuayuan_worker):
    a_campaign(township_officer, TAISHANLU)
    today = timezone.localdate()
    r = login(client, qinghuayuan_worker).post(
        reverse("screening:campaign_create"),
        {"division_code": QINGHUAYUAN, "name": "重复", "starts_on": today.isoformat(), "ends_on": today.isoformat()},
    )
    assert r.status_code == 400 and "时间不能重叠" in r.content.decode()


def test_the_campaign_page_shows_live_coverage(client, qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    login(client, qinghuayuan_worker)
    client.post(reverse("screening:visit_quick", args=[c.pk, household_qhy.pk]), {"result": "none"})
    html = client.get(c.get_absolute_url()).content.decode()
    assert 'id="coverage-percent">100.0%' in html
    partial = client.get(reverse("screening:campaign_coverage", args=[c.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert 'hx-trigger="every 15s"' in partial.content.decode()


def test_households_are_listed_by_visit_state(client, qinghuayuan_worker):
    c = a_campaign(qinghuayuan_worker)
    h1 = household_create(user=qinghuayuan_worker, division_code=QINGHUAYUAN, address="一号楼101")
    household_create(user=qinghuayuan_worker, division_code=QINGHUAYUAN, address="二号楼202")
    login(client, qinghuayuan_worker)
    client.post(reverse("screening:visit_quick", args=[c.pk, h1.pk]), {"result": "nobody_home"})
    url = reverse("screening:campaign_households", args=[c.pk])
    todo = client.get(url, {"state": "todo"}).content.decode().split('id="household-visits"')[1]
    assert "二号楼202" in todo and "一号楼101" not in todo
    revisit = client.get(url, {"state": "revisit"}).content.decode().split('id="household-visits"')[1]
    assert "一号楼101" in revisit and "二号楼202" not in revisit


def test_a_one_tap_visit_over_htmx_returns_the_row(client, qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    r = login(client, qinghuayuan_worker).post(
        reverse("screening:visit_quick", args=[c.pk, household_qhy.pk]),
        {"result": "nobody_home", "client_key": "tap-1"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and f'id="household-{household_qhy.pk}"' in r.content.decode()
    client.post(
        reverse("screening:visit_quick", args=[c.pk, household_qhy.pk]),
        {"result": "nobody_home", "client_key": "tap-1"},
        HTTP_HX_REQUEST="true",
    )
    assert Visit.objects.get().attempts == 1


def test_the_visit_form_records_returnees_found(client, qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    login(client, qinghuayuan_worker)
    url = reverse("screening:visit_record", args=[c.pk, household_qhy.pk])
    assert client.get(url).status_code == 200
    data = {
        "result": "returnees",
        "note": "",
        "client_key": "form-1",
        "p-TOTAL_FORMS": "3",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "10",
        "p-0-name": "李四",
        "p-0-doc_number": new_resident_id("420102"),
        "p-0-phone": "13700001111",
        "p-0-origin_code": "42",
        "p-0-arrived_on": timezone.localdate().isoformat(),
        "p-0-travel_mode": "car",
    }
    r = client.post(url, data)
    assert r.status_code == 302
    a = Arrival.objects.get()
    assert a.source == "visit" and a.name == "李四" and a.travel_mode == "car"


def test_a_bad_id_on_the_visit_form_is_shown_next_to_the_person(client, qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    login(client, qinghuayuan_worker)
    data = {
        "result": "returnees",
        "client_key": "form-2",
        "p-TOTAL_FORMS": "3",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "10",
        "p-0-name": "李四",
        "p-0-doc_number": "123",
    }
    r = client.post(reverse("screening:visit_record", args=[c.pk, household_qhy.pk]), data)
    assert r.status_code == 400 and not Visit.objects.exists() and not Arrival.objects.exists()
    assert "field-error" in r.content.decode()


def test_the_outsider_gets_404_for_the_campaign_and_its_households(
    client, qinghuayuan_worker, household_qhy, ximazhuang_worker
):
    c = a_campaign(qinghuayuan_worker)
    login(client, ximazhuang_worker)
    for url in (
        c.get_absolute_url(),
        reverse("screening:campaign_coverage", args=[c.pk]),
        reverse("screening:campaign_households", args=[c.pk]),
        reverse("screening:visit_record", args=[c.pk, household_qhy.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("screening:visit_quick", args=[c.pk, household_qhy.pk]), {"result": "none"}).status_code
        == 404
    )
    assert client.post(reverse("screening:campaign_close", args=[c.pk])).status_code == 404
    assert "第一轮入户排查" not in client.get(reverse("screening:campaign_list")).content.decode()
    assert not Visit.objects.exists()


def test_a_community_worker_takes_part_in_the_townships_campaign(
    client, township_officer, qinghuayuan_worker, household_qhy
):
    c = a_campaign(township_officer, TAISHANLU)
    login(client, qinghuayuan_worker)
    assert client.get(c.get_absolute_url()).status_code == 200
    client.post(reverse("screening:visit_quick", args=[c.pk, household_qhy.pk]), {"result": "none"})
    assert Visit.objects.get().result == "none"


def test_closing_a_campaign(client, qinghuayuan_worker):
    c = a_campaign(qinghuayuan_worker)
    login(client, qinghuayuan_worker).post(reverse("screening:campaign_close", args=[c.pk]), {"reason": "完成"})
    c.refresh_from_db()
    assert c.status == "closed"
