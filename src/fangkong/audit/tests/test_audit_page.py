"""The audit trail, readable for an inspector: objects named in words with a
link when the inspector may open them, facts in words, filters by kind, person
(an ID number, POSTed, never in a URL), user, place and denied-only."""

from django.urls import reverse

from conftest import QINGHUAYUAN, XIMAZHUANG
from fangkong.audit.models import AuditEntry
from fangkong.lib import vault


def _page(client, **params):
    r = client.get(reverse("audit:list"), params)
    assert r.status_code == 200
    return r.content.decode()


def test_objects_are_named_in_words_and_linked(client, inspector, qinghuayuan_worker, zhang_san):
    client.force_login(inspector)
    page = _page(client, object_type="people.person")
    assert f'<a href="{reverse("people:person_detail", args=[zhang_san.pk])}">人员 #{zhang_san.pk} 张*</a>' in page
    assert "people.person" not in page.split("<tbody>")[1]
    assert vault.decrypt(zhang_san.doc_cipher) not in page and "张三" not in page.split("<tbody>")[1]


def test_english_names_and_facts(client, inspector, qinghuayuan_worker, zhang_san):
    client.force_login(qinghuayuan_worker)
    client.post(reverse("people:person_reveal", args=[zhang_san.pk]), {"field": "doc_number", "reason": "核实身份"})
    client.force_login(inspector)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = _page(client, action="reveal")
    assert f"Person #{zhang_san.pk}" in page and "Field: ID number" in page
    assert '<option value="people.household">Household</option>' in page


def test_a_deleted_object_is_named_without_a_link(client, inspector, qinghuayuan_worker, zhang_san):
    from fangkong.people.services import person_delete

    pk = zhang_san.pk
    person_delete(user=qinghuayuan_worker, person=zhang_san, reason="重复建档")
    client.force_login(inspector)
    page = _page(client, object_type="people.person", object_id=pk)
    assert f"人员 #{pk}" in page and reverse("people:person_detail", args=[pk]) not in page


def test_filter_by_person_takes_the_id_number_by_post(client, inspector, qinghuayuan_worker, zhang_san, household_qhy):
    number = vault.decrypt(zhang_san.doc_cipher)
    client.force_login(inspector)
    r = client.post(reverse("audit:list"), {"doc_number": number})
    assert r.status_code == 302 and number not in r["Location"]
    assert r["Location"].endswith(f"object_type=people.person&object_id={zhang_san.pk}")
    page = _page(client, object_type="people.person", object_id=zhang_san.pk)
    assert page.count('class="audit-row') >= 1 and f"户 #{household_qhy.pk}" not in page
    search = AuditEntry.objects.filter(actor=inspector, action="search").latest("id")
    assert search.detail == {"kind": "doc", "results": 1, "via": "audit"}


def test_an_unknown_id_number_keeps_what_was_typed(client, inspector, zhang_san):
    from conftest import new_resident_id

    client.force_login(inspector)
    other = new_resident_id()
    r = client.post(reverse("audit:list"), {"doc_number": other})
    page = r.content.decode()
    assert r.status_code == 200 and "没有找到该身份证号的人员" in page and f'value="{other}"' in page


def test_an_inspector_of_another_county_cannot_find_the_person(client, django_user_model, zhang_san):
    from fangkong.accounts.models import Assignment

    xun = django_user_model.objects.create_user("xun_inspector", password="x" * 12)
    Assignment.objects.create(user=xun, role="inspector", division_id="410621")
    client.force_login(xun)
    r = client.post(reverse("audit:list"), {"doc_number": vault.decrypt(zhang_san.doc_cipher)})
    assert r.status_code == 200 and "没有找到该身份证号的人员" in r.content.decode()


def test_filter_by_place_code_or_name(
    client, inspector, qinghuayuan_worker, ximazhuang_worker, zhang_san, household_xmz
):
    client.force_login(inspector)
    for place in (QINGHUAYUAN, "清华园社区"):
        page = _page(client, place=place)
        assert "qinghuayuan_worker" in page and "ximazhuang_worker" not in page
    page = _page(client, place=XIMAZHUANG)
    assert "ximazhuang_worker" in page and "qinghuayuan_worker" not in page
    page = _page(client, place="火星")
    assert "没有找到该区划" in page and 'value="火星"' in page and "audit-row" not in page


def test_filter_denied_only_and_by_kind(client, inspector, ximazhuang_worker, zhang_san):
    client.force_login(ximazhuang_worker)
    client.get(reverse("people:person_detail", args=[zhang_san.pk]))
    client.force_login(inspector)
    page = _page(client, denied="1")
    assert page.count('class="audit-row') == 1 and "ximazhuang_worker" in page and "拒绝访问" in page
    assert "超出辖区" in page
    page = _page(client, object_type="people.household")
    assert f"户 #{zhang_san.household_id}" in page and "人员 #" not in page.split("<tbody>")[1]


def test_the_export_names_objects_in_words(client, inspector, qinghuayuan_worker, zhang_san):
    import io

    from openpyxl import load_workbook

    client.force_login(inspector)
    r = client.get(reverse("audit:export"), {"object_type": "people.person"})
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert f"人员 #{zhang_san.pk}" in cells
