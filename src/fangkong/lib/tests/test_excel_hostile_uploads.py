"""Hand-crafted uploads that used to hold a server thread for hours: one cell at
row 2,000,000,000 (openpyxl makes up every empty row before it), a lying
<dimension>, column letters beyond Excel's XFD. Each is refused at once,
saying why; and every reading of an upload stops at its time budget."""

import io
import re
import time
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from fangkong.lib.excel import EXCEL_MAX_ROW, ImportFileError, check_rows, inspect_workbook, last_row_number
from fangkong.lib.tests.test_excel_import import LIMITS, Fruit, message, xlsx

QUICK = 3.0  # seconds: generous for a loaded two-core machine; the old code needed hours


def crafted(sheet_xml_edit) -> bytes:
    """A real two-row workbook whose sheet XML is rewritten by ``sheet_xml_edit``."""
    data = xlsx(["名称", "数量"], ["苹果", 3])
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = sheet_xml_edit(body.decode()).encode()
                assert body != src.read(item)
            z.writestr(item.filename, body)
    return out.getvalue()


def row_two_at(number: int, dimension: str | None = None):
    def edit(xml: str) -> str:
        xml = xml.replace('<row r="2"', f'<row r="{number}"')
        xml = re.sub(r'r="([A-Z]+)2"', lambda m: f'r="{m.group(1)}{number}"', xml)
        if dimension:
            xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
        return xml
    return edit


def refused(read, data, **kw) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(ImportFileError) as exc:
        read(data, Fruit(), **LIMITS, **kw)
    return message(exc), time.monotonic() - started


@pytest.mark.parametrize("read", [inspect_workbook, check_rows])
def test_one_row_at_two_billion_is_refused_at_once_saying_why(read):
    data = crafted(row_two_at(2_000_000_000, dimension="A1:J2000000000"))
    assert len(data) < 10_000
    text, took = refused(read, data)
    assert took < QUICK
    assert "2,000,000,000" in text and "超出" in text


@pytest.mark.parametrize("read", [inspect_workbook, check_rows])
def test_a_data_row_past_the_row_limit_is_refused_by_its_number_even_alone(read):
    # only one data row, but at a row number no import of LIMITS may reach
    number = last_row_number(LIMITS["max_rows"]) + 1
    text, took = refused(read, crafted(row_two_at(number)))
    assert took < QUICK
    assert f"第 {number:,} 行超出了范围" in text and "最多导入 1,000 行" in text
    # the last allowed row number is fine
    assert len(check_rows(crafted(row_two_at(number - 1)), Fruit(), **LIMITS).items) == 1


def test_the_refusal_is_in_english_for_an_english_user():
    with translation.override("en"):
        beyond, _ = refused(inspect_workbook, crafted(row_two_at(2_000)))
        excel_cannot, _ = refused(inspect_workbook, crafted(row_two_at(2_000_000_000)))
    assert "Row 2,000 " in beyond and "1,000 rows" in beyond
    assert "Row 2,000,000,000 " in excel_cannot and "Excel" in excel_cannot


def test_a_row_number_excel_cannot_have_is_refused_even_without_data():
    text, took = refused(check_rows, crafted(row_two_at(EXCEL_MAX_ROW + 1)))
    assert took < QUICK and "超出 Excel 范围" in text


@pytest.mark.parametrize("ref", ["XFE2", "ZZZ2", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA2"])
@pytest.mark.parametrize("read", [inspect_workbook, check_rows])
def test_column_letters_beyond_xfd_are_refused_at_once_saying_why(read, ref):
    data = crafted(lambda xml: xml.replace('r="B2"', f'r="{ref}"'))
    text, took = refused(read, data)
    assert took < QUICK
    assert "第 2 行" in text and "超出 Excel 范围" in text
    assert ref not in text  # what the file says is never echoed


def test_a_dimension_far_beyond_the_rows_is_not_believed():
    data = crafted(row_two_at(2, dimension="A1:J2000000000"))
    assert inspect_workbook(data, Fruit(), **LIMITS).estimated_rows == 1
    progress = []
    check_rows(data, Fruit(), **LIMITS, progress=lambda done, estimate: progress.append(estimate))
    assert 2_000_000_000 - 1 not in progress


def test_rows_spread_out_with_blank_rows_between_still_import():
    def edit(xml):
        return row_two_at(900)(xml)
    assert [n for n, _ in check_rows(crafted(edit), Fruit(), **LIMITS).items] == [900]


def test_reading_stops_at_its_time_budget():
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "数量"])
    for i in range(900):
        ws.append([f"f{i}", 1])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ImportFileError) as exc:
        check_rows(buf.getvalue(), Fruit(), **LIMITS, seconds=1e-6)
    assert exc.value.code == "timeout" and "时限" in message(exc)
    # and without one (or a generous one) the same file reads
    assert len(check_rows(buf.getvalue(), Fruit(), **LIMITS, seconds=60).items) == 900
