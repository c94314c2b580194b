"""A grid worker fills in the ledger template with some good and several bad
rows and uploads it: every bad row is listed with its row number, and nothing
is saved, or only the good rows, as they chose."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from playwright.sync_api import expect

import conftest as root

pytestmark = pytest.mark.browser


def fill_template(template: bytes, rows: list[dict[str, str]]) -> tuple[bytes, dict[str, int]]:
    """The downloaded template with our rows after its example row; the Excel row number of each row by its key."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert {"村社区代码或名称", "地址", "姓名", "证件号码"} <= set(headers), headers
    first = ws.max_row + 1
    numbers = {}
    for offset, row in enumerate(rows):
        number = first + offset
        numbers[row["key"]] = number
        for column, header in enumerate(headers, start=1):
            ws.cell(row=number, column=column, value=row.get(header))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), numbers


def ledger_rows() -> list[dict[str, str]]:
    ok1 = root.new_resident_id(root.QIBIN, dt.date(1975, 2, 3), "M")
    ok2 = root.new_resident_id(root.QIBIN, dt.date(1978, 4, 5), "F")
    ok3 = root.new_resident_id(root.QIBIN, dt.date(2005, 6, 7), "M")
    bad_checksum = root.new_resident_id(root.QIBIN, dt.date(1960, 8, 9), "M")
    bad_checksum = bad_checksum[:17] + ("0" if bad_checksum[17] != "0" else "1")
    home = {"村社区代码或名称": "清华园社区", "地址": "黄河路8号院1号楼101"}
    return [
        {"key": "good-head", **home, "姓名": "李建国", "证件号码": ok1, "电话": "13912345678", "与户主关系": "户主"},
        {"key": "no-name", **home, "姓名": "", "证件号码": root.new_resident_id(root.QIBIN, dt.date(1990, 1, 2))},
        {"key": "good-spouse", **home, "姓名": "王秀英", "证件号码": ok2, "与户主关系": "配偶"},
        {"key": "bad-checksum", **home, "姓名": "赵六", "证件号码": bad_checksum},
        {
            "key": "outside",
            "村社区代码或名称": root.XIMAZHUANG,
            "地址": "西马庄村东街9号",
            "姓名": "钱七",
            "证件号码": root.new_resident_id(root.XUNXIAN, dt.date(1970, 3, 4)),
        },
        {
            "key": "bad-phone",
            **home,
            "姓名": "孙八",
            "证件号码": root.new_resident_id(root.QIBIN, dt.date(1982, 5, 6)),
            "电话": "12345",
        },
        {"key": "duplicate", **home, "姓名": "周九", "证件号码": ok1},
        {
            "key": "bad-sex",
            **home,
            "姓名": "吴十",
            "证件号码": root.new_resident_id(root.QIBIN, dt.date(1999, 9, 9)),
            "性别": "男女",
        },
        {"key": "good-child", **home, "姓名": "李小龙", "证件号码": ok3, "与户主关系": "子女"},
    ]


def upload(journey, data: bytes, mode: str) -> None:
    page = journey.page
    journey.go("/ledgers/import/")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "清华园社区人员台账.xlsx",
                "buffer": data,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ],
    )
    page.check(f"#mode-{mode}")
    with page.expect_navigation():
        journey.press(page.locator("#import-submit"))
    expect(page.locator("#import-summary")).to_have_attribute("data-status", "done")


def listed_rows(journey) -> set[int]:
    cells = journey.page.locator("table#import-errors tr.import-error")
    return {int(n) for n in cells.evaluate_all("rows => rows.map(r => r.dataset.row)")}


def test_an_import_with_bad_rows_lists_every_bad_row_and_saves_as_chosen(journey, qinghuayuan_worker):
    page = journey.page
    journey.log_in("qinghuayuan_worker")
    journey.go("/ledgers/import/")
    journey.shot("import")
    with page.expect_download() as download:
        journey.press(page.locator("#download-template"))
    template = open(download.value.path(), "rb").read()
    rows = ledger_rows()
    data, number = fill_template(template, rows)
    bad = {number[r["key"]] for r in rows if not r["key"].startswith("good")}
    good = {number[r["key"]] for r in rows if r["key"].startswith("good")}

    # "Nothing if anything is wrong" (the default): every bad row listed, nothing saved.
    upload(journey, data, "nothing")
    expect(page.locator("#import-outcome")).to_have_attribute("data-outcome", "nothing-saved")
    expect(page.locator("#count-saved")).to_have_text("0")
    assert listed_rows(journey) == bad
    expect(page.locator("main")).not_to_contain_text(rows[0]["证件号码"])
    journey.shot("import-errors")
    journey.go("/people/?q=ljg")
    expect(page.locator("#person-results")).not_to_contain_text("李建国")

    # "Only the good rows": the same errors, and the good rows are in the registry.
    upload(journey, data, "good_rows")
    expect(page.locator("#import-outcome")).to_have_attribute("data-outcome", "saved")
    expect(page.locator("#count-saved")).to_have_text(str(len(good)))
    expect(page.locator("#count-error-rows")).to_have_text(str(len(bad)))
    assert listed_rows(journey) == bad
    journey.shot("import-saved")
    journey.go("/people/?q=ljg")
    expect(page.locator("#person-results").get_by_role("link", name="李建国")).to_be_visible()
