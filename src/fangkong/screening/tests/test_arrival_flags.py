"""An arrival's flags are computed one way whatever reported it
(screening.rules.arrival_flags): a checkpoint passage, a self-report, a
door-to-door visit or an imported list. Fever at 37.3 ℃ and above; a risk-area
origin when the origin (or its province) is a risk area on the arrival's date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from conftest import QINGHUAYUAN, new_resident_id
from fangkong.people.identity import recorded_identity
from fangkong.screening.rules import arrival_flags
from fangkong.screening.services import (
    FoundReturnee,
    SelfReport,
    arrival_record,
    self_report_submit,
    visit_record,
)

from .helpers import a_campaign, a_risk_area

TODAY = timezone.localdate


def test_the_rule_itself(hebi):
    a_risk_area("4201", days_ago=3)
    today = TODAY()
    assert arrival_flags(temperature=Decimal("37.3"), arrived_on=today) == ["fever"]
    assert arrival_flags(temperature=Decimal("37.2"), arrived_on=today) == []
    assert arrival_flags(origin_code="4201", arrived_on=today) == ["risk_area"]
    assert arrival_flags(origin_code="42", arrived_on=today) == []  # the province: not (only Wuhan is)
    assert arrival_flags(origin_code="4201", temperature=Decimal("38.5"), arrived_on=today) == ["fever", "risk_area"]
    # Before the risk area applied: not flagged.
    assert arrival_flags(origin_code="4201", arrived_on=today - dt.timedelta(days=5)) == []


def test_a_province_wide_risk_area_flags_its_cities(hebi):
    a_risk_area("42")
    assert arrival_flags(origin_code="4201", arrived_on=TODAY()) == ["risk_area"]


def test_a_self_report_from_a_risk_area_is_flagged(hebi):
    a_risk_area("4201")
    a = self_report_submit(
        report=SelfReport(
            name="孙七",
            doc_number=new_resident_id("420102"),
            phone="13900001234",
            origin_code="4201",
            arrived_on=TODAY() - dt.timedelta(days=1),
            destination_code=QINGHUAYUAN,
            address="泰山路8号院1号楼",
        )
    )
    assert a.flagged and a.flag_list() == ["risk_area"]


def test_a_self_report_from_elsewhere_is_not_flagged(hebi):
    a_risk_area("4201")
    a = self_report_submit(
        report=SelfReport(
            name="孙七",
            doc_number=new_resident_id("410102"),
            phone="13900001234",
            origin_code="4101",
            arrived_on=TODAY(),
            destination_code=QINGHUAYUAN,
            address="泰山路8号院1号楼",
        )
    )
    assert not a.flagged and a.flag_list() == []


def test_the_risk_area_applies_at_the_arrival_date(hebi):
    """Arrived before the area became a risk area: not flagged; arrived while
    it was one (since lifted): flagged."""
    a_risk_area("4201", days_ago=2)
    early = arrival_record(
        actor=None,
        division_code=QINGHUAYUAN,
        source="self_report",
        origin_code="4201",
        arrived_on=TODAY() - dt.timedelta(days=5),
        identity=recorded_identity(name="早到", doc_number=new_resident_id("420102")),
    )[0]
    assert not early.flagged
    from fangkong.checkpoints.models import RiskArea

    RiskArea.objects.create(
        origin_code="4205",
        origin_name="宜昌",
        level="medium",
        starts_on=TODAY() - dt.timedelta(days=20),
        ends_on=TODAY() - dt.timedelta(days=10),
    )
    lifted = arrival_record(
        actor=None,
        division_code=QINGHUAYUAN,
        source="self_report",
        origin_code="4205",
        arrived_on=TODAY() - dt.timedelta(days=12),
        identity=recorded_identity(name="晚到", doc_number=new_resident_id("420502")),
    )[0]
    assert lifted.flag_list() == ["risk_area"]


def test_a_person_found_at_the_door_from_a_risk_area_is_flagged(qinghuayuan_worker, household_qhy):
    a_risk_area("4201")
    campaign = a_campaign(qinghuayuan_worker)
    visit_record(
        user=qinghuayuan_worker,
        campaign=campaign,
        household=household_qhy,
        result="returnees",
        returnees=[
            FoundReturnee(
                name="李四",
                doc_number=new_resident_id("420102"),
                origin_code="4201",
                arrived_on=TODAY() - dt.timedelta(days=2),
            )
        ],
    )
    from fangkong.screening.models import Arrival

    a = Arrival.objects.get(source="visit")
    assert a.flagged and a.flag_list() == ["risk_area"]


@pytest.mark.skipif(not apps.is_installed("fangkong.ledgers"), reason="the shared Excel import is not installed")
def test_an_imported_row_from_a_risk_area_is_flagged(county_officer):
    import io

    from openpyxl import Workbook

    from fangkong.lib.excel import MODE_GOOD_ROWS, run_import
    from fangkong.screening.ledger import ReturneeListLedger
    from fangkong.screening.models import Arrival

    a_risk_area("4201")
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "姓名",
            "身份证号码",
            "手机号码",
            "来源地",
            "抵达日期",
            "目的地村社区",
            "目的地住址",
            "交通方式",
            "车次航班车牌",
        ]
    )
    yesterday = (TODAY() - dt.timedelta(days=1)).isoformat()
    ws.append(
        [
            "王小明",
            new_resident_id("420102"),
            "13812345678",
            "湖北省武汉市",
            yesterday,
            QINGHUAYUAN,
            "幸福路1号",
            "火车/高铁",
            "G507",
        ]
    )
    ws.append(
        [
            "李小红",
            new_resident_id("410102"),
            "13812345679",
            "河南省郑州市",
            yesterday,
            QINGHUAYUAN,
            "幸福路2号",
            "火车/高铁",
            "G508",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    outcome = run_import(
        buf.getvalue(), ReturneeListLedger(user=county_officer), mode=MODE_GOOD_ROWS, max_bytes=5_000_000, max_rows=1000
    )
    assert outcome.saved_rows == 2
    flags = {a.name: a.flag_list() for a in Arrival.objects.all()}
    assert flags == {"王小明": ["risk_area"], "李小红": []}


def test_a_passage_and_its_arrival_carry_the_same_flags(checkpoint_staff, hq_officer):
    from conftest import QIBIN
    from fangkong.checkpoints.services import PassageIn, checkpoint_create, passage_register

    a_risk_area("4201")
    cp = checkpoint_create(actor=hq_officer, level="city", division_code=QIBIN, name="鹤壁东站", kind="railway_station")
    reg = passage_register(
        actor=checkpoint_staff,
        checkpoint=cp,
        passage=PassageIn(
            direction="in",
            temperature="38.1",
            doc_number=new_resident_id("420102"),
            name="钱多多",
            origin="4201",
            destination=QINGHUAYUAN,
            purpose="return_home",
        ),
    )
    p = reg.first
    assert p.flag_list() == ["fever", "risk_area"] and p.risk_level == "high"
    from fangkong.screening.models import Arrival

    assert Arrival.objects.get(pk=p.arrival_id).flag_list() == ["fever", "risk_area"]


def test_a_merged_report_adds_its_flags(hebi):
    number = new_resident_id("420102")
    first = arrival_record(
        actor=None,
        division_code=QINGHUAYUAN,
        source="passage",
        origin_code="4101",
        identity=recorded_identity(name="钱多多", doc_number=number),
    )[0]
    assert not first.flagged
    merged = arrival_record(
        actor=None,
        division_code=QINGHUAYUAN,
        source="self_report",
        temperature=Decimal("37.5"),
        identity=recorded_identity(name="钱多多", doc_number=number),
    )[0]
    assert merged.pk == first.pk and merged.flag_list() == ["fever"]


def test_an_offline_passage_is_flagged_as_of_its_own_day(checkpoint_staff, hq_officer):
    """A tablet uploads a passage registered five days ago from 武汉, which became
    a risk area three days ago: neither the passage nor its arrival is flagged;
    today's passage from there is."""
    from conftest import QIBIN
    from fangkong.checkpoints.services import PassageIn, checkpoint_create, passage_register_batch
    from fangkong.screening.models import Arrival

    a_risk_area("4201", days_ago=3)
    cp = checkpoint_create(actor=hq_officer, level="city", division_code=QIBIN, name="鹤壁东站", kind="railway_station")
    item = {
        "direction": "in",
        "temperature": "36.5",
        "name": "钱多多",
        "origin": "4201",
        "destination": QINGHUAYUAN,
        "purpose": "return_home",
    }
    old, new = passage_register_batch(
        actor=checkpoint_staff,
        checkpoint=cp,
        items=[
            PassageIn(
                **item,
                doc_number=new_resident_id("420102"),
                client_key="b1",
                registered_at=timezone.now() - dt.timedelta(days=5),
            ),
            PassageIn(**item, doc_number=new_resident_id("420102"), client_key="b2"),
        ],
    )
    assert not old.record.risk_area and Arrival.objects.get(pk=old.record.arrival_id).flag_list() == []
    assert new.record.risk_area and Arrival.objects.get(pk=new.record.arrival_id).flag_list() == ["risk_area"]
