"""The household and person ledger: every bad row is reported with its row
number, column and a reason in Chinese; the two modes; scope; duplicates."""

import datetime as dt

import pytest
from django.conf import settings
from django.test.utils import isolate_apps

from conftest import QIBIN, QINGHUAYUAN, XIMAZHUANG, new_resident_id
from fangkong.ledgers.tests.xlsx import fresh_id, people_xlsx, person
from fangkong.lib import vault
from fangkong.lib.documents import parse_resident_id
from fangkong.lib.excel import MODE_GOOD_ROWS, MODE_NOTHING, run_import
from fangkong.people.ledger import PeopleLedger
from fangkong.people.models import Household, Person
from fangkong.people.services import person_create
from fangkong.regions.models import Division


def _import(user, rows, mode=MODE_NOTHING, **kw):
    data = people_xlsx(rows, **kw)
    return run_import(
        data,
        PeopleLedger(user=user),
        mode=mode,
        max_bytes=settings.FANGKONG_IMPORT_MAX_BYTES,
        max_rows=settings.FANGKONG_IMPORT_MAX_ROWS,
    )


def _errors(outcome):
    return [(e.row, e.column, e.message) for e in outcome.checked.errors]


def test_good_rows_become_households_grouped_by_address(qinghuayuan_worker):
    rows = [
        person(address="泰山路2号101", name="赵一", relation="户主", phone="13912345678", tags="独居老人、慢性病"),
        person(address="泰山路2号101", name="赵二", relation="配偶"),
        person(address="泰山路2号102", name="钱三", relation="户主", grid="第一网格"),
    ]
    outcome = _import(qinghuayuan_worker, rows)
    assert _errors(outcome) == []
    assert outcome.saved == {"rows": 3, "persons": 3, "households": 2, "households_existing": 0}
    h1 = Household.objects.get(address="泰山路2号101")
    assert h1.division_code == QINGHUAYUAN and h1.head.name == "赵一"
    assert sorted(h1.members.values_list("name", flat=True)) == ["赵一", "赵二"]
    h2 = Household.objects.get(address="泰山路2号102")
    assert h2.division_code == QINGHUAYUAN + "001"  # 第一网格
    zhao = Person.objects.get(name="赵一")
    assert zhao.tag_elderly_alone and zhao.tag_chronic and not zhao.tag_disabled
    assert zhao.phone_masked == "139****5678" and vault.decrypt(zhao.phone_cipher) == "13912345678"
    assert zhao.name_pinyin == "zhaoyi"


def test_sex_and_birth_date_come_from_the_id_number(qinghuayuan_worker):
    number = new_resident_id(QIBIN, dt.date(1990, 3, 4), "F")
    _import(qinghuayuan_worker, [person(doc_number=number, sex="男", birth_date="2000-01-01")])
    p = Person.objects.get(doc_masked=number[:6] + "********" + number[-4:])
    assert (p.sex, p.birth_date) == ("F", parse_resident_id(number).birth_date)
    assert p.birth_date.year == 1990


def test_division_counts_stay_exact(qinghuayuan_worker):
    before = Division.objects.get(code="4106")
    _import(qinghuayuan_worker, [person(address="a1"), person(address="a1"), person(address="a2", grid="第二网格")])
    after = Division.objects.get(code="4106")
    assert after.person_count - before.person_count == 3
    assert after.household_count - before.household_count == 2
    assert Division.objects.get(code=QINGHUAYUAN + "002").person_count == 1


def test_a_person_joins_an_existing_household_at_the_same_address(qinghuayuan_worker, zhang_san, household_qhy):
    outcome = _import(qinghuayuan_worker, [person(address=household_qhy.address, name="张小三", relation="子女")])
    assert outcome.saved["households"] == 0 and outcome.saved["households_existing"] == 1
    assert Person.objects.get(name="张小三").household_id == household_qhy.pk
    household_qhy.refresh_from_db()
    assert household_qhy.head_id == zhang_san.pk


def test_every_bad_row_is_reported_with_row_column_and_a_chinese_reason(qinghuayuan_worker):
    good = fresh_id()
    bad_checksum = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        person(name="好人"),  # row 2: good
        person(name=""),  # row 3: no name
        person(doc_number=bad_checksum),  # row 4: checksum
        person(phone="12345"),  # row 5: phone
        person(community="不存在社区"),  # row 6: unknown community
        person(doc_type="驾照"),  # row 7: unknown document type
        person(doc_type="护照", doc_number="E1234567"),  # row 8: passport without reason
        person(relation="邻居"),  # row 9: relation
        person(birth_date="去年", doc_type="无证件", doc_number="", doc_reason="未办理"),  # row 10: date
        person(tags="独居老人、VIP"),  # row 11: tag
        person(address=""),  # row 12: no address
        person(grid="第九网格"),  # row 13: no such grid
        person(name="张3", phone="abc"),  # row 14: two errors in one row
    ]
    outcome = _import(qinghuayuan_worker, rows)
    errors = _errors(outcome)
    by_row = {}
    for row, column, message in errors:
        by_row.setdefault(row, []).append((column, message))
    assert sorted(by_row) == list(range(3, 15))
    assert by_row[3] == [("姓名", "请填写姓名。")]
    assert by_row[4][0][0] == "证件号码" and "校验位" in by_row[4][0][1]
    assert by_row[5][0][0] == "电话"
    assert by_row[6][0][0] == "村社区代码或名称" and "找不到" in by_row[6][0][1]
    assert by_row[7][0][0] == "证件类型" and "居民身份证" in by_row[7][0][1]
    assert by_row[8] == [("无证件原因", by_row[8][0][1])] and "原因" in by_row[8][0][1]
    assert by_row[9][0][0] == "与户主关系"
    assert by_row[10][0][0] == "出生日期"
    assert by_row[11][0][0] == "标签" and "VIP" in by_row[11][0][1]
    assert by_row[12] == [("地址", "请填写地址。")]
    assert by_row[13][0][0] == "网格"
    assert {c for c, _m in by_row[14]} == {"姓名", "电话"}
    # Chinese, and never the number itself
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for _r, _c, m in errors)
    assert not any(bad_checksum in m for _r, _c, m in errors)
    assert outcome.checked.total_rows == 13 and len(outcome.checked.bad_rows) == 12


def test_save_nothing_saves_nothing_when_a_row_is_bad(qinghuayuan_worker):
    outcome = _import(qinghuayuan_worker, [person(name="甲"), person(name="")], mode=MODE_NOTHING)
    assert outcome.nothing_saved_because_of_errors
    assert outcome.saved_rows == 0
    assert not Person.objects.exists() and not Household.objects.exists()


def test_save_the_good_rows_skips_only_the_bad_ones(qinghuayuan_worker):
    outcome = _import(qinghuayuan_worker, [person(name="甲"), person(name=""), person(name="丙")], mode=MODE_GOOD_ROWS)
    assert not outcome.nothing_saved_because_of_errors
    assert outcome.saved_rows == 2 and outcome.checked.bad_rows == {3}
    assert sorted(Person.objects.values_list("name", flat=True)) == ["丙", "甲"]


def test_rows_outside_the_jurisdiction_are_errors(qinghuayuan_worker, ximazhuang_worker):
    outcome = _import(
        ximazhuang_worker,
        [
            person(community="清华园社区"),  # a name outside 浚县 西马庄村
            person(community=QINGHUAYUAN),  # a code outside
            person(community=XIMAZHUANG, address="西马庄村东街1号"),
        ],
        mode=MODE_GOOD_ROWS,
    )
    assert [(r, c) for r, c, _m in _errors(outcome)] == [(2, "村社区代码或名称"), (3, "村社区代码或名称")]
    assert all("不在您的辖区内" in m for _r, _c, m in _errors(outcome))
    assert list(Person.objects.values_list("division_code", flat=True)) == [XIMAZHUANG]


def test_a_township_code_is_not_a_place_for_a_household(township_officer):
    outcome = _import(township_officer, [person(community="410611005")])
    assert "村/社区或网格" in _errors(outcome)[0][2]


def test_a_county_officer_may_name_any_community_in_the_county(county_officer):
    outcome = _import(
        county_officer,
        [
            person(community="清华园社区"),
            person(community=QINGHUAYUAN),
            person(community=QINGHUAYUAN + "001", address="第一网格1号"),
        ],
    )
    assert _errors(outcome) == []
    assert sorted(Household.objects.values_list("division_code", flat=True)) == [QINGHUAYUAN, QINGHUAYUAN + "001"]
    assert Person.objects.count() == 3


def test_one_address_in_two_grids_is_an_error(county_officer):
    outcome = _import(county_officer, [person(grid="第一网格"), person(grid="第二网格")])
    assert _errors(outcome) == [(3, "网格", "同一地址在第2行填写的网格与此行不同。")]


def test_a_blank_grid_means_the_households_grid(county_officer):
    outcome = _import(county_officer, [person(name="甲"), person(name="乙", grid="第二网格"), person(name="丙")])
    assert _errors(outcome) == []
    household = Household.objects.get()
    assert household.division_code == QINGHUAYUAN + "002"
    assert set(household.members.values_list("division_code", flat=True)) == {QINGHUAYUAN + "002"}


def test_duplicates_within_the_file_are_errors(qinghuayuan_worker):
    number = fresh_id()
    outcome = _import(
        qinghuayuan_worker,
        [person(doc_number=number), person(), person(doc_number=number.lower())],
        mode=MODE_GOOD_ROWS,
    )
    assert _errors(outcome) == [(4, "证件号码", "证件号码与第2行重复。")]
    assert Person.objects.count() == 2


def test_duplicates_outside_the_jurisdiction_say_only_elsewhere_in_the_city(ximazhuang_worker, zhang_san):
    number = vault.decrypt(zhang_san.doc_cipher)
    outcome = _import(ximazhuang_worker, [person(community="西马庄村", doc_number=number)])
    [(row, column, message)] = _errors(outcome)
    assert (row, column) == (2, "证件号码")
    assert message == "该证件号码已在本市其他地方登记（不在您的辖区内）。不会重复登记。如需迁入，请在该户页面办理。"
    assert not any(place in message for place in ("清华园", "泰山路", "淇滨", "网格"))
    assert "张三" not in message and number not in message
    assert Person.objects.count() == 1


def test_duplicates_inside_the_jurisdiction_say_where_the_person_lives(qinghuayuan_worker, zhang_san):
    number = vault.decrypt(zhang_san.doc_cipher)
    outcome = _import(qinghuayuan_worker, [person(doc_number=number)])
    [(_row, _column, message)] = _errors(outcome)
    assert message.startswith("该证件号码已登记：此人现居 淇滨区 泰山路街道 清华园社区")


def test_an_id_number_stored_as_a_number_is_explained(qinghuayuan_worker):
    outcome = _import(qinghuayuan_worker, [person(doc_number=4.10611198506151e17)])
    [(_row, column, message)] = _errors(outcome)
    assert column == "证件号码" and "文本" in message


def test_a_phone_typed_as_a_number_is_read_as_digits(qinghuayuan_worker):
    outcome = _import(qinghuayuan_worker, [person(phone=13912345678), person(phone=13912345679.0)])
    assert _errors(outcome) == []
    assert sorted(Person.objects.values_list("phone_masked", flat=True)) == ["139****5678", "139****5679"]


def test_the_header_may_sit_below_a_title_and_use_other_names(qinghuayuan_worker):
    headers = ["所属村社区", "住址", "姓名", "身份证号码", "联系电话", "备注（不导入）"]
    rows = [
        {
            "community": "清华园社区",
            "address": "x路1号",
            "name": "孙五",
            "doc_number": fresh_id(),
            "phone": "13812345678",
        }
    ]
    outcome = _import(qinghuayuan_worker, rows, headers=headers, before=[["清华园社区人员台账"], []])
    assert _errors(outcome) == []
    assert outcome.checked.header_row == 3 and outcome.checked.ignored_headers == ["备注（不导入）"]
    assert Person.objects.get().name == "孙五"


def test_one_audit_entry_is_not_written_by_the_ledger_itself(qinghuayuan_worker):
    # The ledger saves; the import job (fangkong.ledgers.services) records the one audit entry.
    from fangkong.audit.models import AuditEntry

    _import(qinghuayuan_worker, [person(), person()])
    assert not AuditEntry.objects.filter(action="create").exists()


def test_saving_is_all_or_nothing_when_the_database_refuses(qinghuayuan_worker, monkeypatch):
    # save() is atomic: inside the test's transaction that is a savepoint, rolled back here.
    from django.db import IntegrityError

    from fangkong.people import ledger

    original = ledger._insert_many

    def failing(model, objs):
        original(model, objs[:1])
        raise IntegrityError("simulated")

    monkeypatch.setattr(ledger, "_insert_many", failing)
    with pytest.raises(IntegrityError):
        _import(qinghuayuan_worker, [person(), person(address="b")])
    assert not Person.objects.exists() and not Household.objects.exists()


def test_the_fast_insert_stores_what_the_orm_would(qinghuayuan_worker, household_qhy):
    """Every column written by the executemany path reads back as the ORM wrote it."""
    number = fresh_id()
    _import(
        qinghuayuan_worker,
        [
            person(
                address=household_qhy.address,
                name="吕布",
                doc_number=number,
                phone="0392-3301234",
                occupation="武将",
                tags="残疾人",
                relation="兄弟姐妹",
            )
        ],
    )
    imported = Person.objects.get(name="吕布")
    via_form = person_create(
        user=qinghuayuan_worker,
        household=household_qhy,
        name="吕布",
        doc_number=fresh_id(),
        phone="0392-3301234",
        occupation="武将",
        tags={"tag_disabled": True},
        relation="sibling",
    )
    skip = {
        "id",
        "doc_cipher",
        "doc_index",
        "doc_masked",
        "phone_cipher",
        "birth_date",
        "sex",
        "created_at",
        "updated_at",
    }
    for f in Person._meta.concrete_fields:
        if f.attname not in skip:
            assert getattr(imported, f.attname) == getattr(via_form, f.attname), f.attname
    assert vault.decrypt(imported.doc_cipher) == number
    assert imported.birth_date == parse_resident_id(number).birth_date
    assert abs((imported.created_at - via_form.created_at).total_seconds()) < 60
    assert imported.phone_index == via_form.phone_index and imported.phone_masked == via_form.phone_masked


@isolate_apps("fangkong.people")
def test_the_fast_insert_refuses_a_field_it_does_not_know():
    from django.db import models

    from fangkong.people.ledger import _insert_many

    class Odd(models.Model):
        data = models.JSONField()

        class Meta:
            app_label = "people"

        def __str__(self) -> str:
            return "odd"

    with pytest.raises(TypeError):
        _insert_many(Odd, [Odd(data={})])
