"""Every export is masked and watermarked: no full ID number or phone in the
file, and a line naming who exported it and when."""

from django.urls import reverse
from django.utils import timezone

from conftest import login
from fangkong.audit.models import AuditEntry
from fangkong.ledgers.tests.xlsx import all_text, fresh_id, read_rows
from fangkong.lib import vault
from fangkong.people.services import household_create, person_create


def _family(user, household):
    numbers, phones = [], []
    for i, name in enumerate(["李一", "李二", "李三"]):
        number, phone = fresh_id(), f"1391234{5670 + i}"
        person_create(
            user=user,
            household=household,
            name=name,
            doc_number=number,
            phone=phone,
            relation="head" if i == 0 else "child",
        )
        numbers.append(number)
        phones.append(phone)
    return numbers, phones


def _assert_masked_and_watermarked(data: bytes, user, numbers, phones):
    text = all_text(data)
    for secret in [*numbers, *phones]:
        assert secret not in text
    for number in numbers:
        assert number[:6] + "********" + number[-4:] in text
    rows = read_rows(data)
    watermark = str(rows[0][0])
    assert "导出人" in watermark and user.username in watermark and user.full_name in watermark
    assert timezone.localtime().strftime("%Y-%m-%d") in watermark
    assert str(rows[-1][0]) == watermark  # and again at the end


def test_the_household_export_is_masked_watermarked_and_audited(client, qinghuayuan_worker, zhang_san, household_qhy):
    numbers, phones = _family(
        qinghuayuan_worker,
        household_create(user=qinghuayuan_worker, division_code="410611005007", address="泰山路99号"),
    )
    numbers.append(vault.decrypt(zhang_san.doc_cipher))
    phones.append(vault.decrypt(zhang_san.phone_cipher))
    response = login(client, qinghuayuan_worker).get(reverse("ledgers:household_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="households-')
    _assert_masked_and_watermarked(
        response.content, qinghuayuan_worker, numbers[:1] + numbers[-1:], phones[:1] + phones[-1:]
    )
    rows = read_rows(response.content)
    assert rows[1][:4] == ("乡镇街道", "村社区", "网格", "地址")
    body = {r[3]: r for r in rows[2:-1]}
    assert body["泰山路99号"][4] == "李一" and body["泰山路99号"][7] == 3
    assert body[household_qhy.address][4] == "张三" and body[household_qhy.address][7] == 1
    assert body["泰山路99号"][1] == "清华园社区" and body["泰山路99号"][0] == "泰山路街道"
    entry = AuditEntry.objects.get(action="export")
    assert entry.object_type == "people.household" and entry.detail == {"rows": 2, "kind": "households"}


def test_the_household_export_follows_the_list_filters(client, qinghuayuan_worker, household_qhy):
    household_create(user=qinghuayuan_worker, division_code="410611005007", address="黄河路1号")
    response = login(client, qinghuayuan_worker).get(reverse("ledgers:household_export") + "?q=黄河")
    assert [r[3] for r in read_rows(response.content)[2:-1]] == ["黄河路1号"]


def test_the_household_export_is_scoped(client, ximazhuang_worker, household_qhy, household_xmz):
    response = login(client, ximazhuang_worker).get(reverse("ledgers:household_export"))
    assert [r[3] for r in read_rows(response.content)[2:-1]] == [household_xmz.address]


def test_the_household_list_links_to_the_export(client, qinghuayuan_worker):
    html = login(client, qinghuayuan_worker).get(reverse("people:household_list") + "?q=泰山").content.decode()
    assert reverse("ledgers:household_export") + "?q=" in html


def test_staff_without_export_rights_cannot_export_households(client, inspector):
    assert login(client, inspector).get(reverse("ledgers:household_export")).status_code == 403


def test_the_person_export_is_masked_and_watermarked(client, qinghuayuan_worker, household_qhy):
    numbers, phones = _family(qinghuayuan_worker, household_qhy)
    response = login(client, qinghuayuan_worker).get(reverse("people:person_export"))
    assert response.status_code == 200
    _assert_masked_and_watermarked(response.content, qinghuayuan_worker, numbers, phones)
    assert "139****5670" in all_text(response.content)


def test_imported_people_export_masked(client, qinghuayuan_worker):
    """The whole round: import a ledger, export it, and find no full number."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fangkong.ledgers.tests.xlsx import people_xlsx, person

    rows = [person(address="长江路1号", phone=f"1381234{5600 + i}") for i in range(5)]
    login(client, qinghuayuan_worker).post(
        reverse("ledgers:import"),
        {"kind": "people", "mode": "nothing", "file": SimpleUploadedFile("a.xlsx", people_xlsx(rows))},
    )
    response = client.get(reverse("people:person_export"))
    _assert_masked_and_watermarked(
        response.content, qinghuayuan_worker, [r["doc_number"] for r in rows], [r["phone"] for r in rows]
    )


def test_the_export_button_is_not_offered_without_export_rights(client, inspector):
    html = login(client, inspector).get(reverse("people:household_list")).content.decode()
    assert 'id="household-export"' not in html
