"""The generic Excel import engine (fangkong.lib.excel), with a tiny ledger:
clear Chinese messages for bad files, header matching, modes, progress."""

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from fangkong.lib import excel
from fangkong.lib.excel import (
    MODE_GOOD_ROWS,
    MODE_NOTHING,
    Column,
    ImportFileError,
    Ledger,
    cell_text,
    check_rows,
    inspect_workbook,
    parse_date,
    run_import,
    template_workbook,
)

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_rows": 1000}


class Fruit(Ledger):
    """Name (required) and a count 1–10."""

    kind, title = "fruit", "水果"
    columns = (
        Column("name", "名称", required=True, aliases=("品名",), example="苹果（示例）"),
        Column("count", "数量", required=True, example=3, help="1到10"),
    )

    def __init__(self):
        self.saved = []

    def validate_row(self, row):
        if not row.text("name"):
            row.error("name", "请填写名称。")
        try:
            n = int(row.text("count"))
            if not 1 <= n <= 10:
                raise ValueError
        except ValueError:
            row.error("count", "数量应为1到10。")
            n = None
        if row.text("name") == "boom":
            raise RuntimeError("a bug")
        return (row.text("name"), n)

    def validate_all(self, items, add_error):
        seen = {}
        for number, (name, _n) in items:
            if name in seen:
                add_error(number, "name", f"与第{seen[name]}行重复。")
            seen.setdefault(name, number)

    def save(self, items):
        self.saved.extend(v for _n, v in items)
        return {"rows": len(items)}


def xlsx(*rows, title="水果") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def message(exc) -> str:
    return " ".join(exc.value.messages)


# ------------------------------------------------------------------ bad files


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "空的"),
        ("名称,数量\n苹果,3\n".encode(), ".xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
        (b"PK\x03\x04" + b"garbage" * 50, "已损坏"),
    ],
)
def test_a_file_that_is_not_an_xlsx_gets_a_clear_message(data, words):
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(data, Fruit(), **LIMITS)
    assert words in message(exc)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(buf.getvalue(), Fruit(), **LIMITS)
    assert "已损坏" in message(exc)


def test_a_workbook_with_a_broken_sheet_is_refused():
    data = xlsx(["名称", "数量"], ["苹果", 3])
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]  # cut in the middle of the XML
            z.writestr(item, body)
    with pytest.raises(ImportFileError) as exc:
        check_rows(out.getvalue(), Fruit(), **LIMITS)
    assert "已损坏" in message(exc)


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(xlsx(["名称", "数量"], ["苹果", 3]), Fruit(), max_bytes=1024, max_rows=10)
    assert "文件太大" in message(exc)


def test_a_zip_bomb_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<" + "a" * 50_000_000 + "/>")
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(buf.getvalue(), Fruit(), **LIMITS)
    assert "解压后过大" in message(exc)


def test_an_empty_sheet_is_refused():
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(xlsx(), Fruit(), **LIMITS)
    assert "空的" in message(exc)


def test_missing_headers_are_named():
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(xlsx(["名称", "颜色"], ["苹果", "红"]), Fruit(), **LIMITS)
    assert "缺少必填列：数量" in message(exc)


def test_a_sheet_without_any_known_header_is_refused():
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(xlsx(["a", "b"], [1, 2]), Fruit(), **LIMITS)
    assert "找不到表头" in message(exc)


def test_a_header_given_twice_is_refused():
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(xlsx(["名称", "品名", "数量"], ["苹果", "梨", 3]), Fruit(), **LIMITS)
    assert "不止一次" in message(exc) and "名称" in message(exc)


def test_a_header_without_rows_is_refused():
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(xlsx(["名称", "数量"], [None, " "]), Fruit(), **LIMITS)
    assert "没有数据行" in message(exc)


def test_too_many_rows_are_refused_up_front_and_while_reading():
    data = xlsx(["名称", "数量"], *[[f"f{i}", 1] for i in range(20)])
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(data, Fruit(), max_bytes=LIMITS["max_bytes"], max_rows=10)
    assert "最多导入 10 行" in message(exc)
    with pytest.raises(ImportFileError):
        check_rows(data, Fruit(), max_bytes=LIMITS["max_bytes"], max_rows=10)


def _with_dimension(data: bytes, ref: str) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), body)
            z.writestr(item, body)
    return out.getvalue()


def test_a_wrong_dimension_never_cuts_rows_off():
    data = _with_dimension(xlsx(["名称", "数量"], *[[f"f{i}", 1] for i in range(30)]), "A1:A1")
    assert len(check_rows(data, Fruit(), **LIMITS).items) == 30
    # and a lying "too many" dimension is counted, not believed
    data = _with_dimension(xlsx(["名称", "数量"], ["a", 1]), "A1:B999999")
    assert inspect_workbook(data, Fruit(), **LIMITS).estimated_rows == 1


# ------------------------------------------------------------------ rows


def test_every_bad_row_is_reported_with_row_and_column():
    data = xlsx(["名称", "数量"], ["苹果", 3], [None, 4], ["梨", "很多"], [], ["桃", 11], ["苹果", 2])
    checked = check_rows(data, Fruit(), **LIMITS)
    assert [e.as_dict() for e in checked.errors] == [
        {"row": 3, "column": "名称", "message": "请填写名称。"},
        {"row": 4, "column": "数量", "message": "数量应为1到10。"},
        {"row": 6, "column": "数量", "message": "数量应为1到10。"},
        {"row": 7, "column": "名称", "message": "与第2行重复。"},
    ]
    assert checked.total_rows == 5  # the blank row 5 is not a row
    assert checked.bad_rows == {3, 4, 6, 7}


def test_a_bug_in_a_ledger_is_a_row_error_not_a_crash():
    checked = check_rows(xlsx(["名称", "数量"], ["boom", 1], ["苹果", 2]), Fruit(), **LIMITS)
    assert [(e.row, e.column) for e in checked.errors] == [(2, "")]
    assert "系统错误" in checked.errors[0].message
    assert [n for n, _v in checked.items if n not in checked.bad_rows] == [3]


def test_the_two_modes():
    data = xlsx(["名称", "数量"], ["苹果", 3], ["梨", 0])
    nothing = run_import(data, Fruit(), mode=MODE_NOTHING, **LIMITS)
    assert nothing.nothing_saved_because_of_errors and nothing.saved_rows == 0
    ledger = Fruit()
    good = run_import(data, ledger, mode=MODE_GOOD_ROWS, **LIMITS)
    assert not good.nothing_saved_because_of_errors and good.saved_rows == 1 and ledger.saved == [("苹果", 3)]
    clean = Fruit()
    assert run_import(xlsx(["名称", "数量"], ["苹果", 3]), clean, mode=MODE_NOTHING, **LIMITS).saved_rows == 1


def test_progress_is_reported_every_n_rows():
    calls = []
    check_rows(
        xlsx(["名称", "数量"], *[[f"f{i}", 1] for i in range(25)]),
        Fruit(),
        progress=lambda done, total: calls.append((done, total)),
        every=10,
        **LIMITS,
    )
    assert calls == [(0, 25), (10, 25), (20, 25), (25, 25)]


def test_the_template_explains_every_column_and_its_example_is_skipped():
    data = template_workbook(Fruit())
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["水果", "填写说明"]
    assert [c.value for c in wb["水果"][1]] == ["名称", "数量"]
    notes = [[c.value for c in row] for row in wb["填写说明"].iter_rows()]
    assert ["数量", "必填", "1到10", None, "3"] in [[*r[:3], r[3] or None, r[4]] for r in notes]
    with pytest.raises(ImportFileError) as exc:
        inspect_workbook(data, Fruit(), **LIMITS)
    assert "示例行不会导入" in message(exc)
    ws = wb["水果"]
    ws.append(["香蕉", 5])
    buf = io.BytesIO()
    wb.save(buf)
    checked = check_rows(buf.getvalue(), Fruit(), **LIMITS)
    assert [v for _n, v in checked.items] == [("香蕉", 5)] and checked.items[0][0] == 3


def test_the_sheet_named_like_the_ledger_is_read_even_if_not_first():
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["随便写点什么"])
    ws = wb.create_sheet("水果")
    ws.append(["名称", "数量"])
    ws.append(["苹果", 1])
    buf = io.BytesIO()
    wb.save(buf)
    assert check_rows(buf.getvalue(), Fruit(), **LIMITS).total_rows == 1


# ------------------------------------------------------------------ cells


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        ("  苹果 ", "苹果"),
        ("a\nb", "a b"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        (1.5, "1.5"),
        (True, "是"),
        (dt.datetime(2020, 1, 31), "2020-01-31"),
        (dt.date(2020, 1, 31), "2020-01-31"),
        (float("nan"), ""),
        ("a\x00b", "ab"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize(
    "value, date",
    [
        ("2020-01-31", dt.date(2020, 1, 31)),
        ("2020/1/31", dt.date(2020, 1, 31)),
        ("2020.1.31", dt.date(2020, 1, 31)),
        ("2020年1月31日", dt.date(2020, 1, 31)),
        ("20200131", dt.date(2020, 1, 31)),
        (20200131, dt.date(2020, 1, 31)),
        (dt.datetime(2020, 1, 31, 8, 0), dt.date(2020, 1, 31)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value, date):
    assert parse_date(value) == date


@pytest.mark.parametrize("value", ["2020-02-30", "去年", "31/01/2020", True, 12])
def test_parse_date_refuses(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_headers_are_matched_loosely():
    assert excel.normalize_header(" 证件 号码（必填）* ") == "证件号码"


def _without_dimension(*rows) -> bytes:
    wb = Workbook(write_only=True)  # writes no <dimension>, like some generators
    ws = wb.create_sheet("水果")
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    assert b"<dimension" not in zipfile.ZipFile(buf).read("xl/worksheets/sheet1.xml")
    return buf.getvalue()


def test_without_a_dimension_rows_are_counted_only_up_to_a_cap():
    data = _without_dimension(["名称", "数量"], *[[f"f{i}", 1] for i in range(30)])
    assert inspect_workbook(data, Fruit(), **LIMITS).estimated_rows == 30
    assert inspect_workbook(data, Fruit(), count_up_to=10, **LIMITS).estimated_rows is None  # "many"
    assert inspect_workbook(data, Fruit(), count_up_to=100, **LIMITS).estimated_rows == 30
    with pytest.raises(ImportFileError):
        inspect_workbook(data, Fruit(), max_bytes=LIMITS["max_bytes"], max_rows=20, count_up_to=100)
    # the cap leaves the limit to the full read
    assert (
        inspect_workbook(data, Fruit(), max_bytes=LIMITS["max_bytes"], max_rows=20, count_up_to=5).estimated_rows
        is None
    )
    with pytest.raises(ImportFileError) as exc:
        check_rows(data, Fruit(), max_bytes=LIMITS["max_bytes"], max_rows=20)
    assert "最多导入 20 行" in message(exc)
