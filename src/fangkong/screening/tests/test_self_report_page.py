import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import QINGHUAYUAN, new_resident_id
from fangkong.screening.models import Arrival
from fangkong.screening.services import SELF_REPORT_PER_MINUTE


@pytest.fixture
def time_stands_still():
    """Minute windows: every post of the test inside one minute, whenever it runs."""
    with time_machine.travel(timezone.now().replace(second=10, microsecond=0), tick=False):
        yield


def _data(**changes):
    data = {
        "reporter": "self",
        "name": "孙七",
        "doc_number": new_resident_id("420102"),
        "phone": "13900001234",
        "province": "42",
        "city": "4201",
        "arrived_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "travel_mode": "train",
        "travel_number": "G507",
        "county": "410611",
        "township": "410611005",
        "destination_code": QINGHUAYUAN,
        "address": "泰山路8号院1号楼",
        "website": "",
    }
    data.update(changes)
    return data


def test_the_page_opens_without_login_on_a_phone(client, hebi):
    r = client.get(reverse("report:form"))
    html = r.content.decode()
    assert r.status_code == 200 and "主动配合登记" in html and 'name="viewport"' in html
    assert "淇滨区" in html and "湖北省" in html


def test_a_report_lands_in_the_queue_and_the_confirmation_is_masked(client, hebi):
    data = _data()
    r = client.post(reverse("report:form"), data)
    assert r.status_code == 302 and r["Location"] == reverse("report:done")
    a = Arrival.objects.get()
    assert a.source == "self_report" and a.division_code == QINGHUAYUAN and a.origin_code == "4201"
    html = client.get(reverse("report:done")).content.decode()
    assert "登记成功" in html and "清华园社区" in html
    assert data["doc_number"] not in html and "13900001234" not in html and "孙七" not in html
    assert a.doc_masked in html and "139****1234" in html and "孙*" in html
    # the confirmation is shown once
    assert client.get(reverse("report:done")).status_code == 302


def test_bad_input_is_shown_next_to_the_fields(client, hebi):
    r = client.post(reverse("report:form"), _data(doc_number="420102199001011234", destination_code="110105001001"))
    html = r.content.decode()
    assert r.status_code == 400 and not Arrival.objects.exists()
    assert html.count("field-error") >= 2 and "本市的目的地村/社区" in html


def test_an_origin_inside_the_city_is_refused(client, hebi):
    r = client.post(reverse("report:form"), _data(province="41", city="4106"))
    assert r.status_code == 400 and "来源地不能是本市" in r.content.decode()


def test_spam_is_rate_limited(client, hebi, time_stands_still):
    # Minute windows: all six posts inside one minute, whenever the test runs.
    for _ in range(SELF_REPORT_PER_MINUTE):
        client.post(reverse("report:form"), _data(doc_number=new_resident_id("420102")))
    r = client.post(reverse("report:form"), _data(doc_number=new_resident_id("420102")))
    assert r.status_code == 429 and int(r["Retry-After"]) > 0 and "提交太频繁" in r.content.decode()
    assert Arrival.objects.count() <= SELF_REPORT_PER_MINUTE


def test_a_bot_filling_the_honeypot_is_thanked_and_ignored(client, hebi):
    r = client.post(reverse("report:form"), _data(website="http://spam.example"))
    assert r.status_code == 302 and not Arrival.objects.exists()


def test_the_form_is_csrf_protected(hebi):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("report:form"), _data()).status_code == 403
    assert not Arrival.objects.exists()


def test_the_place_picker_lists_townships_and_communities_of_the_city_only(client, hebi):
    towns = client.get(reverse("report:places"), {"county": "410611"}).content.decode()
    assert "泰山路街道" in towns
    communities = client.get(reverse("report:places"), {"township": "410611005"}).content.decode()
    assert "清华园社区" in communities
    assert 'option value="1' not in client.get(reverse("report:places"), {"county": "110105"}).content.decode()


@pytest.mark.parametrize("doc", ["", "abc", "1" * 40, "420102199013321234"])
def test_malformed_id_numbers_are_refused(client, hebi, doc):
    r = client.post(reverse("report:form"), _data(doc_number=doc))
    assert r.status_code == 400 and not Arrival.objects.exists()


def test_behind_the_reverse_proxy_each_resident_has_their_own_limit(hebi, settings, time_stands_still):
    """Every request reaches the server from the proxy; the limit follows the
    address the proxy saw, and a header a client writes itself changes nothing."""
    import ipaddress

    from fangkong.audit.models import AuditEntry

    settings.FANGKONG_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.5")]
    first = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(SELF_REPORT_PER_MINUTE):
        assert first.post(reverse("report:form"), _data(doc_number=new_resident_id("420102"))).status_code == 302
    # The same resident, pretending to be someone else: still limited.
    spoof = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7")
    assert spoof.post(reverse("report:form"), _data(doc_number=new_resident_id("420102"))).status_code == 429
    # Another resident behind the same proxy is not.
    other = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.post(reverse("report:form"), _data(doc_number=new_resident_id("420102"))).status_code == 302
    assert AuditEntry.objects.filter(ip="203.0.113.8").exists()
