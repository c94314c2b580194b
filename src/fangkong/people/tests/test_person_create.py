import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from conftest import QIBIN, QINGHUAYUAN, XIMAZHUANG, new_resident_id
from fangkong.audit.models import AuditEntry
from fangkong.lib import vault
from fangkong.people.models import Person
from fangkong.people.services import DuplicatePerson, person_create
from fangkong.regions.models import Division


def test_it_fills_sex_and_birth_date_from_the_id_number(qinghuayuan_worker, household_qhy):
    number = new_resident_id(QIBIN, dt.date(1990, 3, 4), "F")
    p = person_create(user=qinghuayuan_worker, household=household_qhy, name="李四", doc_number=number, sex="M")
    assert p.sex == "F"
    assert p.birth_date == dt.date(1990, 3, 4)


def test_it_stores_the_id_number_encrypted_and_masked(qinghuayuan_worker, household_qhy):
    number = new_resident_id()
    p = person_create(
        user=qinghuayuan_worker, household=household_qhy, name="王五", doc_number=number, phone="13912345678"
    )
    row = Person.objects.get(pk=p.pk)
    assert number not in row.doc_cipher and "13912345678" not in row.phone_cipher
    assert vault.decrypt(row.doc_cipher) == number
    assert row.doc_masked == number[:6] + "********" + number[-4:]
    assert row.phone_masked == "139****5678"


def test_it_rejects_a_bad_checksum_with_a_chinese_message(qinghuayuan_worker, household_qhy):
    number = new_resident_id()
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        person_create(user=qinghuayuan_worker, household=household_qhy, name="赵六", doc_number=bad)
    assert "校验位" in " ".join(exc.value.message_dict["doc_number"])


def test_it_reports_every_bad_field_at_once(qinghuayuan_worker, household_qhy):
    with pytest.raises(ValidationError) as exc:
        person_create(user=qinghuayuan_worker, household=household_qhy, name="", doc_number="123", phone="12")
    assert {"name", "doc_number", "phone"} <= set(exc.value.message_dict)


def test_a_passport_needs_a_reason(qinghuayuan_worker, household_qhy):
    with pytest.raises(ValidationError) as exc:
        person_create(
            user=qinghuayuan_worker,
            household=household_qhy,
            name="John Smith",
            doc_type="passport",
            doc_number="E12345678",
        )
    assert "doc_reason" in exc.value.message_dict
    p = person_create(
        user=qinghuayuan_worker,
        household=household_qhy,
        name="John Smith",
        doc_type="passport",
        doc_number="E12345678",
        doc_reason="外籍",
    )
    assert p.doc_masked == "E1*****78"


def test_a_duplicate_id_number_is_never_a_second_person(
    qinghuayuan_worker, ximazhuang_worker, zhang_san, household_xmz
):
    number = vault.decrypt(zhang_san.doc_cipher)
    with pytest.raises(DuplicatePerson) as exc:
        person_create(user=ximazhuang_worker, household=household_xmz, name="张三", doc_number=number)
    assert exc.value.existing.pk == zhang_san.pk
    assert exc.value.in_scope is False
    # Out of the worker's jurisdiction: only "elsewhere in the city", no place name at all.
    assert exc.value.where == "本市其他地方（不在您的辖区内）"
    assert exc.value.messages == ["该证件号码已在本市其他地方登记（不在您的辖区内）。不会重复登记，可将其迁入本户。"]
    assert Person.objects.count() == 1


def test_it_refuses_a_household_outside_the_jurisdiction(ximazhuang_worker, household_qhy):
    with pytest.raises(ValidationError) as exc:
        person_create(user=ximazhuang_worker, household=household_qhy, name="钱七", doc_number=new_resident_id())
    assert "household" in exc.value.message_dict


def test_it_counts_the_person_up_the_tree(qinghuayuan_worker, household_qhy):
    before = Division.objects.get(code="4106").person_count
    person_create(user=qinghuayuan_worker, household=household_qhy, name="孙八", doc_number=new_resident_id())
    assert Division.objects.get(code="4106").person_count == before + 1
    assert Division.objects.get(code=QINGHUAYUAN).person_count >= 1
    assert Division.objects.get(code=XIMAZHUANG).person_count == 0


def test_it_writes_an_audit_entry_without_personal_data(qinghuayuan_worker, household_qhy):
    number = new_resident_id()
    p = person_create(
        user=qinghuayuan_worker, household=household_qhy, name="周九", doc_number=number, phone="13712345678"
    )
    entry = AuditEntry.objects.get(action="create", object_type="people.person", object_id=str(p.pk))
    assert entry.role == "grid" and entry.division_code == QINGHUAYUAN
    dumped = str(entry.__dict__)
    assert number not in dumped and "13712345678" not in dumped
