"""A masked ID number plus the birth date would be the whole number: without a
reveal nobody sees the birth date — pages, lists, the export and the API show
the age — and what they do see leaves many candidate numbers. The birth date
comes with an audited reveal of the number."""

import datetime as dt

import pytest
from django.urls import reverse

from conftest import QIBIN
from fangkong.audit.models import AuditEntry
from fangkong.core.tests.leaks import MASKED_ID, candidates, leaks, xlsx_text
from fangkong.lib import vault
from fangkong.lib.documents import make_resident_id
from fangkong.lib.masking import age
from fangkong.people.services import person_create

BIRTH = dt.date(1980, 8, 30)


@pytest.fixture
def li_si(qinghuayuan_worker, household_qhy):
    """The issue's example: 410611********0839, born 1980-08-30."""
    return person_create(
        user=qinghuayuan_worker,
        household=household_qhy,
        name="李四",
        relation="head",
        doc_number=make_resident_id(QIBIN, BIRTH, 83),
        phone="13912340839",
    )


def _secrets(person) -> set[str]:
    return {vault.decrypt(person.doc_cipher), vault.decrypt(person.phone_cipher)}


def _views(client, person):
    """Everything that shows the person to someone who has not revealed."""
    from fangkong.accounts.services import token_create

    yield "list", client.get(reverse("people:person_list")).content.decode()
    yield "search", client.get(reverse("people:person_list"), {"q": "李四"}).content.decode()
    yield "detail", client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    yield "household", client.get(reverse("people:household_detail", args=[person.household_id])).content.decode()
    edit = client.get(reverse("people:person_edit", args=[person.pk]))
    if edit.status_code == 200:
        yield "edit form", edit.content.decode()
    export = client.get(reverse("people:person_export"))
    if export.status_code == 200:
        yield "export", xlsx_text(export.content)
    _token, raw = token_create(user=client.user, name="pytest")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for url in (
        "/api/v1/persons",
        f"/api/v1/persons/{person.pk}",
        f"/api/v1/households/{person.household_id}",
        "/api/v1/persons?q=%E6%9D%8E%E5%9B%9B",
    ):
        yield url, client.get(url, **auth).content.decode()


@pytest.mark.parametrize("who", ["qinghuayuan_worker", "county_officer", "hq_officer", "inspector", "clinic_staff"])
def test_nothing_shown_without_a_reveal_rebuilds_the_number(client, li_si, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    client.user = user
    secrets = _secrets(li_si)
    today = dt.date.today()
    for where, text in _views(client, li_si):
        assert li_si.doc_masked in text, where
        assert not leaks(text, secrets), where
        assert "1980-08-30" not in text and "1980年8月30日" not in text and "19800830" not in text, where
        # What is shown (mask, sex, age) leaves many numbers with a valid check digit.
        for masked in {m.group(0) for m in MASKED_ID.finditer(text)}:
            assert len(candidates(masked, age=age(BIRTH), today=today)) > 1, where
    assert len(candidates(li_si.doc_masked, age=age(BIRTH))) >= 10


def test_pages_lists_and_the_export_show_the_age(client, qinghuayuan_worker, li_si):
    client.force_login(qinghuayuan_worker)
    years = age(BIRTH)
    assert f"{years}岁" in client.get(reverse("people:person_detail", args=[li_si.pk])).content.decode()
    assert f">{years}<" in client.get(reverse("people:person_list")).content.decode()
    sheet = xlsx_text(client.get(reverse("people:person_export")).content)
    assert "年龄" in sheet and f"\t{years}\t" in sheet


def test_the_birth_date_comes_with_a_reveal_of_the_number(client, qinghuayuan_worker, li_si):
    client.force_login(qinghuayuan_worker)
    r = client.post(reverse("people:person_reveal", args=[li_si.pk]), {"field": "doc_number", "reason": "核对身份"})
    page = r.content.decode()
    assert vault.decrypt(li_si.doc_cipher) in page and "1980-08-30" in page
    r = client.post(reverse("people:person_reveal", args=[li_si.pk]), {"field": "phone", "reason": "电话联系"})
    assert "1980-08-30" not in r.content.decode()
    assert AuditEntry.objects.filter(action="reveal", object_id=str(li_si.pk)).count() == 2


def test_editing_a_person_with_a_resident_id_keeps_the_birth_date(client, qinghuayuan_worker, li_si):
    client.force_login(qinghuayuan_worker)
    url = reverse("people:person_edit", args=[li_si.pk])
    r = client.post(url, {"name": "李四", "doc_type": "ric", "relation": "head", "sex": "M"})
    assert r.status_code == 302
    li_si.refresh_from_db()
    assert li_si.birth_date == BIRTH
