import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from conftest import QINGHUAYUAN, XIMAZHUANG, new_resident_id
from fangkong.ledgers.services import import_job_create
from fangkong.lib import vault
from fangkong.lib.excel import MODE_GOOD_ROWS, MODE_NOTHING, run_import, template_workbook
from fangkong.screening.ledger import ReturneeListLedger
from fangkong.screening.models import Arrival

HEADER = [
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
YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _row(name="王小明", number=None, community=QINGHUAYUAN, origin="湖北省武汉市", day=YESTERDAY, **kw):
    return [
        name,
        number or new_resident_id("420102"),
        kw.get("phone", "13812345678"),
        origin,
        day,
        community,
        kw.get("address", "幸福路1号"),
        kw.get("mode", "火车/高铁"),
        kw.get("travel", "G507"),
    ]


def _run(user, rows, mode=MODE_GOOD_ROWS):
    return run_import(_xlsx(rows), ReturneeListLedger(user=user), mode=mode, max_bytes=5_000_000, max_rows=1000)


def test_good_rows_become_arrivals_in_each_communitys_queue(county_officer):
    outcome = _run(county_officer, [_row(), _row(name="李四", community="泰山路街道清华园社区")])
    assert outcome.saved_rows == 2 and not outcome.checked.errors
    arrivals = Arrival.objects.all()
    assert {a.source for a in arrivals} == {"import"} and {a.division_code for a in arrivals} == {QINGHUAYUAN}
    assert {a.origin_name for a in arrivals} == {"湖北省武汉市"} and {a.travel_mode for a in arrivals} == {"train"}


def test_a_registered_person_is_matched_by_id_number(county_officer, zhang_san):
    outcome = _run(county_officer, [_row(name="张三", number=vault.decrypt(zhang_san.doc_cipher))])
    assert outcome.saved["known_persons"] == 1 and Arrival.objects.get().person == zhang_san


def test_each_bad_row_is_reported_by_row_number_and_column(county_officer):
    rows = [
        _row(),
        _row(number="420102199001011234"),
        _row(community="不存在的社区"),
        _row(origin="火星"),
        _row(day="2020-13-45"),
        _row(community=XIMAZHUANG),
        _row(mode="骑马"),
    ]
    outcome = _run(county_officer, rows)
    by_row = {(e.row, e.column) for e in outcome.checked.errors}
    assert by_row == {
        (3, "身份证号码"),
        (4, "目的地村社区"),
        (5, "来源地"),
        (6, "抵达日期"),
        (7, "目的地村社区"),
        (8, "交通方式"),
    }
    assert outcome.saved_rows == 1 and Arrival.objects.count() == 1


def test_save_nothing_mode_saves_nothing_when_a_row_is_bad(county_officer):
    outcome = _run(county_officer, [_row(), _row(origin="火星")], mode=MODE_NOTHING)
    assert outcome.nothing_saved_because_of_errors and not Arrival.objects.exists()


def test_a_number_twice_in_the_file_is_reported(county_officer):
    number = new_resident_id("420102")
    outcome = _run(county_officer, [_row(number=number), _row(number=number)])
    assert [(e.row, e.column) for e in outcome.checked.errors] == [(3, "身份证号码")]


def test_a_community_name_shared_by_two_places_must_be_qualified(hq_officer):
    from django.db.models import Count

    from fangkong.regions.models import Division

    dup = (
        Division.objects.under("4106")
        .filter(level="community")
        .values("short_name")
        .annotate(n=Count("code"))
        .filter(n__gt=1)
        .order_by("short_name")
        .first()
    )
    if dup is None:
        pytest.skip("no duplicate community names in the bundled list")
    outcome = _run(hq_officer, [_row(community=dup["short_name"])])
    assert outcome.checked.errors and "同名" in outcome.checked.errors[0].message


def test_the_outsider_cannot_import_into_another_county(ximazhuang_worker):
    outcome = _run(ximazhuang_worker, [_row()])
    assert outcome.checked.errors[0].column == "目的地村社区" and not Arrival.objects.exists()


def test_the_template_has_the_columns_and_an_example(county_officer):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(template_workbook(ReturneeListLedger(user=county_officer))))
    assert [c.value for c in wb.active[1]][:6] == HEADER[:6]
    assert wb.active.max_row == 2  # the header and one example row, skipped on import


def test_the_import_runs_through_the_shared_ledgers_app(county_officer):
    upload = SimpleUploadedFile("list.xlsx", _xlsx([_row(), _row(origin="火星")]))
    job = import_job_create(user=county_officer, kind="returnees", upload=upload, mode="good_rows")
    assert job.status == "done" and job.saved_rows == 1 and job.error_rows == 1
    assert job.errors[0]["row"] == 3 and Arrival.objects.count() == 1


def test_the_import_page_leads_to_the_shared_import(client, county_officer):
    from django.urls import reverse

    from conftest import login

    r = login(client, county_officer).get(reverse("screening:import"))
    assert r.status_code == 302 and "kind=returnees" in r["Location"]
    assert client.get(r["Location"]).status_code == 200


def test_checkpoint_staff_may_not_import(client, checkpoint_staff):
    from django.urls import reverse

    from conftest import login

    assert login(client, checkpoint_staff).get(reverse("screening:import")).status_code == 403
