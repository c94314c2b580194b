import io

from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from fangkong.audit.models import AuditEntry
from fangkong.lib import vault
from fangkong.screening.models import Arrival, Returnee

from .helpers import an_arrival


def test_the_queue_shows_flagged_arrivals_first_with_what_the_flag_means(client, qinghuayuan_worker):
    plain = an_arrival(name="钱多多")
    flagged = an_arrival(name="孙发热", flags=["fever"])
    html = login(client, qinghuayuan_worker).get(reverse("screening:arrival_list")).content.decode()
    assert html.index("孙发热") < html.index("钱多多")
    assert "上门复测体温" in html and "37.9℃" in html
    assert flagged.doc_masked in html and vault.decrypt(plain.doc_cipher) not in html


def test_the_queue_filters_by_source_and_status(client, qinghuayuan_worker):
    an_arrival(name="钱多多")
    an_arrival(name="孙主动", source="self_report")
    login(client, qinghuayuan_worker)
    html = client.get(reverse("screening:arrival_list"), {"source": "self_report"}).content.decode()
    assert "孙主动" in html and "钱多多" not in html
    html = client.get(reverse("screening:arrival_list"), {"status": "dismissed"}).content.decode()
    assert "钱多多" not in html


def test_a_search_by_id_number_finds_the_arrival_and_is_audited(client, qinghuayuan_worker):
    a = an_arrival(name="钱多多")
    an_arrival(name="孙主动")
    location = login(client, qinghuayuan_worker).post(
        reverse("screening:arrival_search"), {"q": vault.decrypt(a.doc_cipher)}
    )["Location"]
    html = client.get(location).content.decode()  # by POST: the number is in no URL
    assert "钱多多" in html and "孙主动" not in html
    assert AuditEntry.objects.filter(action="search", object_type="screening.arrival").exists()


def test_the_outsider_sees_none_of_another_countys_arrivals(client, ximazhuang_worker):
    a = an_arrival(name="钱多多")
    login(client, ximazhuang_worker)
    assert "钱多多" not in client.get(reverse("screening:arrival_list")).content.decode()
    assert client.get(reverse("screening:arrival_detail", args=[a.pk])).status_code == 404
    assert client.get(reverse("screening:arrival_confirm", args=[a.pk])).status_code == 404
    assert client.post(reverse("screening:arrival_dismiss", args=[a.pk]), {"reason": "不是本村"}).status_code == 404
    assert (
        client.post(reverse("screening:arrival_reveal", args=[a.pk]), {"field": "phone", "reason": "核实"}).status_code
        == 404
    )
    a.refresh_from_db()
    assert a.status == "pending"


def test_checkpoint_staff_may_not_open_the_queue(client, checkpoint_staff):
    assert login(client, checkpoint_staff).get(reverse("screening:arrival_list")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get(reverse("screening:arrival_list")).status_code == 302


def test_viewing_an_arrival_is_audited(client, qinghuayuan_worker):
    a = an_arrival()
    assert login(client, qinghuayuan_worker).get(reverse("screening:arrival_detail", args=[a.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="view", object_type="screening.arrival", object_id=str(a.pk)).exists()


def test_revealing_the_phone_needs_a_reason_and_is_audited(client, qinghuayuan_worker):
    a = an_arrival(phone="13600001111")
    login(client, qinghuayuan_worker)
    url = reverse("screening:arrival_reveal", args=[a.pk])
    assert client.post(url, {"field": "phone", "reason": ""}).status_code == 400
    r = client.post(url, {"field": "phone", "reason": "电话联系返乡人员"})
    assert "13600001111" in r.content.decode()
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.reason == "电话联系返乡人员" and "13600001111" not in str(entry.detail)


def test_dismissing_from_the_page_needs_a_reason(client, qinghuayuan_worker):
    a = an_arrival()
    login(client, qinghuayuan_worker)
    url = reverse("screening:arrival_dismiss", args=[a.pk])
    r = client.post(url, {"reason": ""})
    assert r.status_code == 400 and "理由" in r.content.decode()
    assert client.post(url, {"reason": "途经本地"}).status_code == 302
    a.refresh_from_db()
    assert a.status == "dismissed"


def test_the_export_is_masked_watermarked_and_audited(client, qinghuayuan_worker):
    a = an_arrival(name="钱多多", flags=["fever"])
    r = login(client, qinghuayuan_worker).get(reverse("screening:arrival_export"))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = [str(c.value or "") for row in ws.iter_rows() for c in row]
    assert any("导出人" in c for c in cells) and "钱多多" in cells and a.doc_masked in cells
    assert vault.decrypt(a.doc_cipher) not in cells and vault.decrypt(a.phone_cipher) not in cells
    assert AuditEntry.objects.filter(action="export", object_type="screening.arrival").exists()


def test_the_outsiders_export_has_none_of_another_countys_rows(client, ximazhuang_worker):
    an_arrival(name="钱多多")
    r = login(client, ximazhuang_worker).get(reverse("screening:arrival_export"))
    assert "钱多多" not in [
        str(c.value) for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for c in row
    ]


def test_the_confirm_page_proposes_a_measure(client, qinghuayuan_worker):
    a = an_arrival()
    html = login(client, qinghuayuan_worker).get(reverse("screening:arrival_confirm", args=[a.pk])).content.decode()
    assert "系统建议" in html and "健康监测" in html


def test_confirming_from_the_page_creates_the_returnee(client, qinghuayuan_worker, household_qhy):
    a = an_arrival()
    login(client, qinghuayuan_worker)
    r = client.post(
        reverse("screening:arrival_confirm", args=[a.pk]),
        {
            "origin_code": "4201",
            "arrived_on": a.arrived_on.isoformat(),
            "travel_mode": "train",
            "travel_number": "G507",
            "measure": "health_monitoring",
            "measure_reason": "14天内自外地返回",
            "household": household_qhy.pk,
        },
    )
    assert r.status_code == 302
    returnee = Returnee.objects.get()
    assert r["Location"] == returnee.get_absolute_url() and returnee.person.household == household_qhy
    assert Arrival.objects.get().status == "confirmed"
    assert client.get(returnee.get_absolute_url()).status_code == 200


def test_confirming_with_bad_input_shows_the_errors_and_saves_nothing(client, qinghuayuan_worker):
    a = an_arrival()
    login(client, qinghuayuan_worker)
    r = client.post(
        reverse("screening:arrival_confirm", args=[a.pk]),
        {
            "arrived_on": a.arrived_on.isoformat(),
            "measure": "central_quarantine",
            "measure_reason": "密接",
            "doc_number": "123",
        },
    )
    assert r.status_code == 400 and not Returnee.objects.exists()
    html = r.content.decode()
    assert "集中隔离请填写隔离点名称" in html


def test_the_proposal_follows_the_form(client, qinghuayuan_worker):
    login(client, qinghuayuan_worker)
    html = client.get(reverse("screening:measure_proposal"), {"case_contact": "on"}).content.decode()
    assert "central_quarantine" in html


def test_a_township_officer_narrows_the_queue_to_one_community(client, township_officer):
    an_arrival(name="钱多多")
    an_arrival("410611005001", name="孙别处")
    login(client, township_officer)
    html = client.get(reverse("screening:arrival_list")).content.decode()
    assert "孙别处" in html and "钱多多" in html and 'id="f-division"' in html
    html = client.get(reverse("screening:arrival_list"), {"division": "410611005007"}).content.decode()
    assert "钱多多" in html and "孙别处" not in html
