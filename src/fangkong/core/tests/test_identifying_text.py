"""Names, addresses, plates and travel numbers: NFKC-normalized, and control or
format characters (a right-to-left override, zero-width spaces) refused at
every door — the registry form and service, the API, the Excel imports,
checkpoint registration, door-to-door visits and the public self-report."""

import dataclasses
import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import QIBIN, QINGHUAYUAN, new_resident_id
from fangkong.ledgers.tests.xlsx import people_xlsx, person
from fangkong.lib.excel import MODE_NOTHING, run_import
from fangkong.lib.plates import parse_plate
from fangkong.lib.text import has_invisible, identifying_text
from fangkong.people.ledger import PeopleLedger
from fangkong.people.models import Household, Person
from fangkong.people.services import household_create, person_create

MESSAGE = "不能包含控制字符或不可见字符（如文字方向控制符、零宽字符）。"
RLO_NAME = "张\u202e三"  # reads 三张 on screen
ZERO_WIDTH_NAME = "\u200b\u200c\u200d\ufeff"
BAD = [RLO_NAME, ZERO_WIDTH_NAME, "李\u2066四\u2069", "王\u00ad五", "\u3164", "赵\x07六", "孙\ue000七"]


@pytest.mark.parametrize("value", BAD)
def test_control_and_format_characters_are_refused(value):
    assert has_invisible(value)
    with pytest.raises(ValidationError) as exc:
        identifying_text(value)
    assert exc.value.code == "invisible" and exc.value.messages == [MESSAGE]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  张\t三 ", "张 三"),
        ("ＡＢＣ１２３", "ABC123"),
        ("买买提·艾力", "买买提·艾力"),
        ("\u00a0王五\u3000", "王五"),
        ("Anna Müller", "Anna Müller"),
    ],
)
def test_text_is_nfkc_normalized_and_white_space_collapsed(typed, stored):
    assert identifying_text(typed) == stored


@pytest.mark.parametrize("name", [RLO_NAME, ZERO_WIDTH_NAME])
def test_the_registry_refuses_such_a_name(qinghuayuan_worker, household_qhy, name):
    with pytest.raises(ValidationError) as exc:
        person_create(user=qinghuayuan_worker, household=household_qhy, name=name, doc_number=new_resident_id())
    assert exc.value.message_dict["name"] == [MESSAGE]
    assert not Person.objects.exists()


def test_the_registry_stores_the_normalized_name(qinghuayuan_worker, household_qhy):
    p = person_create(
        user=qinghuayuan_worker,
        household=household_qhy,
        name="ＪＯＨＮ　Ｓｍｉｔｈ",
        doc_type="passport",
        doc_number="E1234567",
        doc_reason="外籍",
    )
    assert p.name == "JOHN Smith"


def test_the_person_form_refuses_it_and_keeps_what_was_typed(client, qinghuayuan_worker, household_qhy):
    client.force_login(qinghuayuan_worker)
    r = client.post(
        reverse("people:person_create"),
        {"name": RLO_NAME, "doc_type": "ric", "doc_number": new_resident_id(), "household": household_qhy.pk},
    )
    assert r.status_code == 400 and MESSAGE in r.content.decode()
    assert not Person.objects.exists()


def test_the_api_refuses_it_with_a_reason(client, qinghuayuan_worker, household_qhy):
    from fangkong.accounts.services import token_create

    _token, raw = token_create(user=qinghuayuan_worker, name="pytest")
    r = client.post(
        "/api/v1/persons",
        {"household_id": household_qhy.pk, "name": ZERO_WIDTH_NAME, "doc_number": new_resident_id()},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert r.status_code == 422 and r.json()["errors"]["name"] == [MESSAGE]


def test_a_household_address_is_checked_the_same_way(qinghuayuan_worker):
    with pytest.raises(ValidationError) as exc:
        household_create(user=qinghuayuan_worker, division_code=QINGHUAYUAN, address="泰山路\u202e12号")
    assert exc.value.message_dict["address"] == [MESSAGE]
    h = household_create(user=qinghuayuan_worker, division_code=QINGHUAYUAN, address="泰山路１２号")
    assert h.address == "泰山路12号" and Household.objects.count() == 1


def test_the_people_import_reports_the_row(qinghuayuan_worker):
    data = people_xlsx([person(name=RLO_NAME), person(address="泰山路\u200b1号")])
    outcome = run_import(
        data,
        PeopleLedger(user=qinghuayuan_worker),
        mode=MODE_NOTHING,
        max_bytes=settings.FANGKONG_IMPORT_MAX_BYTES,
        max_rows=settings.FANGKONG_IMPORT_MAX_ROWS,
    )
    errors = [(e.row, e.column, e.message) for e in outcome.checked.errors]
    assert (2, "姓名", MESSAGE) in errors and (3, "地址", MESSAGE) in errors
    assert not Person.objects.exists()


def test_a_checkpoint_refuses_such_a_name_or_plate(hq_officer, checkpoint_staff):
    from fangkong.checkpoints.services import PassageIn, checkpoint_create, passage_register

    cp = checkpoint_create(
        actor=hq_officer,
        level="city",
        division_code=QIBIN,
        name="鹤壁东站",
        kind="railway_station",
        location="高铁站出站口",
    )
    item = PassageIn(
        direction="in",
        temperature="36.5",
        doc_number=new_resident_id("420102"),
        name=RLO_NAME,
        phone="13600001111",
        plate="豫F\u202e12345",
        origin="4101",
        destination=QINGHUAYUAN,
        purpose="return_home",
    )
    with pytest.raises(ValidationError) as exc:
        passage_register(actor=checkpoint_staff, checkpoint=cp, passage=item)
    assert exc.value.message_dict["name"] == [MESSAGE] and exc.value.message_dict["plate"] == [MESSAGE]
    with pytest.raises(ValidationError):
        parse_plate("豫F1234\u200b5")


def test_the_public_self_report_refuses_it(hebi):
    from fangkong.screening.services import SelfReport, self_report_submit

    report = SelfReport(
        name="孙七",
        doc_number=new_resident_id("420102"),
        phone="13900001234",
        origin_code="42",
        arrived_on=timezone.localdate() - dt.timedelta(days=1),
        destination_code=QINGHUAYUAN,
        address="泰山路8号院1号楼",
        travel_mode="train",
        travel_number="G507",
    )
    for changes, field in (
        ({"name": ZERO_WIDTH_NAME}, "name"),
        ({"address": "泰山路\u202e8号"}, "address"),
        ({"travel_number": "G\u200b507"}, "travel_number"),
    ):
        with pytest.raises(ValidationError) as exc:
            self_report_submit(report=dataclasses.replace(report, **changes))
        assert exc.value.message_dict[field] == [MESSAGE], field
    assert self_report_submit(report=dataclasses.replace(report, travel_number="Ｇ５０７")).travel_number == "G507"
