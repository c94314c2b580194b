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


def with_shared_strings(data: bytes, table: str) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            z.writestr(item.filename, body)
        z.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + table + "</sst>",
        )
    return out.getvalue()


def test_shared_strings_read_as_openpyxl_reads_them():
    from openpyxl.reader.strings import read_string_table

    from fangkong.lib.excel import Budget, _shared_strings

    table = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>名称</t></si>'
        '<si><r><t>a</t></r><r><rPr><b/></rPr><t xml:space="preserve"> b</t></r>'
        '<rPh sb="0" eb="1"><t>PH</t></rPh></si><si><t/></si><si><t>x005F_x</t></si></sst>'
    ).encode()
    assert (
        _shared_strings(io.BytesIO(table), Budget(None))
        == read_string_table(io.BytesIO(table))
        == ["名称", "a b", "", "x"]
    )
    # and cells that point at them read through
    data = with_shared_strings(
        crafted(
            lambda xml: xml.replace('<c r="A2" t="inlineStr"><is><t>苹果</t></is></c>', '<c r="A2" t="s"><v>1</v></c>')
        ),
        "<si><t>x</t></si><si><t>香蕉</t></si>",
    )
    assert check_rows(data, Fruit(), **LIMITS).items == [(2, ("香蕉", 3))]


def test_a_huge_shared_string_table_stops_at_the_time_budget():
    data = with_shared_strings(
        xlsx(["名称", "数量"], ["苹果", 3]), "".join(f"<si><t>{i}</t></si>" for i in range(300_000))
    )
    assert len(data) < 2_000_000
    started = time.monotonic()
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(data, Fruit(), **LIMITS, seconds=0.5)
    assert exc.value.code == "timeout" and time.monotonic() - started < QUICK + 0.5


def test_an_oversized_part_read_whole_at_opening_is_refused():
    from fangkong.lib import excel

    data = xlsx(["名称", "数量"], ["苹果", 3])
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/styles.xml":
                body = body.replace(b"</styleSheet>", b"<!--" + bytes(range(32, 127)) * 180_000 + b"--></styleSheet>")
            z.writestr(item.filename, body)
    assert zipfile.ZipFile(out).getinfo("xl/styles.xml").file_size > excel._MAX_PART
    text, took = refused(inspect_workbook, out.getvalue())
    assert "已损坏" in text and took < QUICK
