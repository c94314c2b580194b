"""Excel ledgers (台账): masked, watermarked exports; templates and imports.

Every export carries a watermark line naming who exported it and when, and
contains only masked ID numbers and phones (callers pass masked columns).

Imports (the second half of this module): a ledger (a ``Ledger`` subclass,
e.g. fangkong.people.ledger.PeopleLedger) says which columns it has, how one
row is validated and how the good rows are saved. Everything else is here and
shared: opening the upload safely, matching the header, turning cells into
text, collecting (row, column, message) errors, progress, limits, and the
choice between "save the good rows" and "save nothing". Messages are in the
user's language and never echo a cell's value."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.datavalidation import DataValidation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# An upload: its bytes, a path, or a seekable binary file object.
Source = bytes | bytearray | str | os.PathLike[str] | BinaryIO
# Rows as ``_rows`` yields them: (row number, {0-based column: value}).
SheetRows = Iterator[tuple[int, dict[int, Any]]]

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def watermark_text(user: Any) -> str:
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    who = getattr(user, "full_name", "") or getattr(user, "username", "")
    return _("防控平台导出 · 导出人：%(who)s（%(username)s） · 导出时间：%(now)s · 内部资料，严禁外传") % {
        "who": who,
        "username": getattr(user, "username", ""),
        "now": now,
    }


def export_workbook(*, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], user: Any) -> bytes:
    """One sheet: the watermark line, the header row, then the rows (write-only, so
    a 100,000-row export stays in constant memory)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or "Sheet1")
    widths = [max(10, min(40, len(str(h)) * 2 + 4)) for h in headers]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    from openpyxl.cell import WriteOnlyCell

    mark = WriteOnlyCell(ws, value=watermark_text(user))
    mark.font = Font(color="B3261E", bold=True)
    ws.append([mark])
    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=str(h))
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="F1F3F4")
        header_cells.append(c)
    ws.append(header_cells)
    for row in rows:
        ws.append([_cell(v) for v in row])
    ws.append([mark.value])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # Never let a cell be read as a formula (CSV/Excel injection).
        return "'" + value
    return value


# ---------------------------------------------------------------------------- imports

MODE_NOTHING = "nothing"
MODE_GOOD_ROWS = "good_rows"
MODES = (MODE_NOTHING, MODE_GOOD_ROWS)

# How many leading rows may precede the header (a title or a watermark line).
HEADER_SCAN_ROWS = 10
# Errors kept per import; every bad row is still counted beyond this.
MAX_STORED_ERRORS = 100_000
# A zip member may inflate at most this much (real sheets: 5–50×), and the
# whole workbook at most this many times the size limit: no zip bombs.
_MAX_RATIO = 400
_MAX_INFLATE = 25
# The parts openpyxl reads whole when a workbook opens (styles, workbook,
# theme, properties; real ones are well under 1 MB) may not be bigger than this.
_MAX_PART = 16 * 1024 * 1024

# Excel's own limits: a row or column number beyond them is not a real sheet.
EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COLUMN = 16_384  # XFD

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportFileError(ValidationError):
    """The file as a whole cannot be imported (not an .xlsx, corrupt, too big,
    no header, too many rows). The message says why, in the user's language."""


@dataclass(frozen=True)
class Column:
    """One column of a ledger. ``header`` is the name in the template; ``aliases``
    are other names people use for it. ``required``: the header must be present
    (whether a cell may be blank is the ledger's rule, explained in ``help``)."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: StrOrPromise = ""
    allowed: StrOrPromise = ""
    choices: tuple[str, ...] = ()  # offered as a drop-down in the template
    example: Any = None
    width: int = 16
    text: bool = False  # format the template column as text (ID numbers, phones)


@dataclass(frozen=True)
class RowError:
    row: int  # the row number as Excel shows it
    column: str  # the column's header ("" for the row as a whole)
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def normalize_header(value: Any) -> str:
    """'  证件号码（必填）*' → '证件号码'."""
    text = "".join(str(value if value is not None else "").split())
    text = text.replace("*", "").replace("＊", "")
    text = re.sub(r"[（(][^）)]*[）)]$", "", text)
    return text.lower()


def cell_text(value: Any) -> str:
    """A cell as the text a person would have typed into a form field."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\x00", "")
    return " ".join(text.split()) if ("\n" in text or "\t" in text or "\r" in text) else text.strip()


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: a real date, '2020-01-31', '2020/1/31', '2020.1.31',
    '2020年1月31日' or '20200131'. Raises ValueError; '' is None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("bool")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = cell_text(value)
    if not text:
        return None
    if text.isdigit() and len(text) == 8:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    m = _DATE_RE.match(text)
    if not m:
        raise ValueError("format")
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


class Row:
    """One data row handed to a ledger's ``validate_row``: values by column key,
    and ``error(key, message)`` to report what is wrong with a cell."""

    __slots__ = ("number", "_values", "_headers", "errors")

    def __init__(self, number: int, values: dict[str, Any], headers: dict[str, str]) -> None:
        self.number = number
        self._values = values
        self._headers = headers
        self.errors: list[RowError] = []

    def raw(self, key: str) -> Any:
        return self._values.get(key)

    def text(self, key: str) -> str:
        return cell_text(self._values.get(key))

    def has(self, key: str) -> bool:
        """Is the column present in the file's header?"""
        return key in self._values

    def date(self, key: str, message: str | None = None) -> dt.date | None:
        try:
            return parse_date(self._values.get(key))
        except (ValueError, OverflowError):
            self.error(key, message or _("日期格式应为 2020-01-31。"))
            return None

    def error(self, key: str, message: object) -> None:
        self.errors.append(RowError(self.number, self._headers.get(key, ""), str(message)))

    @property
    def ok(self) -> bool:
        return not self.errors


class Ledger:
    """What one kind of 台账 is. Subclasses set ``kind``, ``title`` and
    ``columns`` and implement ``validate_row`` and ``save``."""

    kind = ""
    title = ""
    columns: tuple[Column, ...] = ()
    notes: tuple[StrOrPromise, ...] = ()  # general notes at the top of the explanation sheet

    @property
    def sheet_title(self) -> str:
        return str(self.title)[:31] or "Sheet1"

    def example_rows(self) -> list[dict[str, Any]]:
        """Example rows for the template (by column key). They are recognised and
        skipped when a filled-in template is imported."""
        return [{c.key: c.example for c in self.columns}]

    def validate_row(self, row: Row) -> Any:
        """Check one row; report problems with ``row.error``. Return what ``save``
        needs for this row (ignored when the row has errors)."""
        raise NotImplementedError

    def validate_all(self, items: list[tuple[int, Any]], add_error: Callable[[int, str, str], None]) -> None:
        """Checks that need every good row at once (e.g. one query for duplicates
        against the database). ``add_error(row_number, column_key, message)``."""

    def save(self, items: list[tuple[int, Any]]) -> dict[str, int]:
        """Save the good rows in one transaction; return counts (``rows`` at least)."""
        raise NotImplementedError


# ------------------------------------------------------------------ template


def template_workbook(ledger: Ledger) -> bytes:
    """The template: the header row and example rows on the first sheet, and a
    second sheet that explains every column and its allowed values."""
    wb = Workbook()
    ws = wb.active
    ws.title = ledger.sheet_title
    required_font, header_font = Font(bold=True, color="B3261E"), Font(bold=True)
    fill = PatternFill("solid", fgColor="F1F3F4")
    for i, col in enumerate(ledger.columns, start=1):
        cell = ws.cell(row=1, column=i, value=str(col.header))
        cell.font = required_font if col.required else header_font
        cell.fill = fill
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = col.width
        if col.text:
            ws.column_dimensions[letter].number_format = "@"
        if col.choices:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(str(c) for c in col.choices) + '"',
                allow_blank=True,
                showErrorMessage=False,
            )
            dv.add(f"{letter}2:{letter}100000")
            ws.add_data_validation(dv)
    example_font = Font(italic=True, color="5F6368")
    for r, example in enumerate(ledger.example_rows(), start=2):
        for i, col in enumerate(ledger.columns, start=1):
            value = example.get(col.key)
            cell = ws.cell(row=r, column=i, value=value if value not in (None, "") else None)
            cell.font = example_font
            if col.text:
                cell.number_format = "@"
    ws.freeze_panes = "A2"

    notes = wb.create_sheet(_("填写说明"))
    for line in ledger.notes:
        notes.append([str(line)])
    notes.append([])
    head = [_("列名"), _("是否必填"), _("说明"), _("可填的值"), _("示例")]
    notes.append(head)
    for c in notes[notes.max_row]:
        c.font, c.fill = header_font, fill
    for col in ledger.columns:
        first_example = ledger.example_rows()[0].get(col.key)
        notes.append(
            [
                str(col.header),
                _("必填") if col.required else _("选填"),
                str(col.help),
                str(col.allowed),
                cell_text(first_example),
            ]
        )
    for letter, width in zip("ABCDE", (18, 10, 60, 40, 24), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=1):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ reading


@dataclass
class SheetInfo:
    """What a quick look at an uploaded file found."""

    estimated_rows: int | None  # data rows according to the sheet's dimension; None if unknown
    header_row: int
    columns: list[str]  # keys of the ledger's columns found in the header
    ignored: list[str]  # headers that match no column (ignored)


@dataclass
class CheckedRows:
    """The outcome of reading and validating every row of a file."""

    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    bad_rows: set[int] = field(default_factory=set)
    items: list[tuple[int, Any]] = field(default_factory=list)  # (row number, value) of good rows
    header_row: int = 1
    ignored_headers: list[str] = field(default_factory=list)

    def add(self, error: RowError) -> None:
        self.error_count += 1
        self.bad_rows.add(error.row)
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(error)

    def to_save(self, mode: str) -> list[tuple[int, Any]]:
        """The rows to save in ``mode``: none at all if any row is bad and the
        user chose "save nothing"; otherwise the good ones."""
        if mode == MODE_NOTHING and self.bad_rows:
            return []
        return [(n, v) for n, v in self.items if n not in self.bad_rows]


@dataclass
class ImportOutcome:
    checked: CheckedRows
    mode: str
    saved: dict[str, int]

    @property
    def saved_rows(self) -> int:
        return int(self.saved.get("rows", 0))

    @property
    def nothing_saved_because_of_errors(self) -> bool:
        return self.mode == MODE_NOTHING and bool(self.checked.bad_rows)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f}"


def _file_size(f: BinaryIO) -> int:
    pos = f.tell()
    f.seek(0, io.SEEK_END)
    size = f.tell()
    f.seek(pos)
    return size


@contextmanager
def open_workbook(source: Source, *, max_bytes: int, budget: Budget | None = None) -> Iterator[Any]:
    """Open an uploaded file as a read-only workbook, or raise ImportFileError
    with a message saying what is wrong with it. ``source``: bytes, a path or a
    seekable binary file object. Use as ``with open_workbook(...) as wb:``.
    The shared strings (read in full when the workbook opens) are read within
    ``budget``."""
    with ExitStack() as stack:
        f: BinaryIO
        if isinstance(source, (bytes, bytearray)):
            f = io.BytesIO(source)
        elif isinstance(source, (str, os.PathLike)):
            f = stack.enter_context(open(source, "rb"))
        else:
            f = source
            f.seek(0)
        wb = _load(f, max_bytes, budget or Budget(None))
        stack.callback(wb.close)
        yield wb


def _load(f: BinaryIO, max_bytes: int, budget: Budget) -> Any:
    size = _file_size(f)
    if size == 0:
        raise ImportFileError(_("上传的文件是空的。"), code="empty")
    if size > max_bytes:
        raise ImportFileError(
            _("文件太大：最大 %(mb)s MB。请把数据分成几个文件分别导入。") % {"mb": _mb(max_bytes)}, code="too_big"
        )
    head = f.read(8)
    f.seek(0)
    if head.startswith(_OLE_MAGIC):
        raise ImportFileError(
            _(
                "这是旧版 Excel（.xls）文件或加了密码的文件。"
                "请在 Excel 或 WPS 中“另存为” .xlsx 格式（不设密码）后再上传。"
            ),
            code="xls",
        )
    if not head.startswith(_ZIP_MAGIC):
        raise ImportFileError(
            _("只能导入 Excel 2007 及以上版本的 .xlsx 文件（不能是 CSV、.xls 或其他格式）。请使用下载的模板填写。"),
            code="not_xlsx",
        )
    try:
        with zipfile.ZipFile(f) as archive:
            members = archive.infolist()
            inflated = sum(m.file_size for m in members)
            if inflated > max_bytes * _MAX_INFLATE or any(
                m.file_size > 1_000_000 and m.file_size > _MAX_RATIO * max(m.compress_size, 1) for m in members
            ):
                raise ImportFileError(_("文件解压后过大，无法导入。请把数据分成几个文件分别导入。"), code="too_big")
            if any(m.file_size > _MAX_PART and _parsed_whole(m.filename) for m in members):
                raise ImportFileError(_CORRUPT(), code="corrupt")
            names = {m.filename for m in members}
        if "xl/workbook.xml" not in names:
            raise ImportFileError(_CORRUPT(), code="corrupt")
        f.seek(0)
        reader = _Reader(f, read_only=True, data_only=True, keep_links=False)
        reader.budget = budget
        reader.read()
        return reader.wb
    except ImportFileError:
        raise
    except Exception:  # BadZipFile, KeyError, XML errors, openpyxl's own: all mean "cannot read"
        logger.info("import: unreadable workbook", exc_info=True)
        raise ImportFileError(_CORRUPT(), code="corrupt") from None


def _too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(
        _("数据行太多：一次最多导入 %(n)s 行，请分成几个文件。") % {"n": f"{max_rows:,}"}, code="too_many_rows"
    )


def _CORRUPT() -> str:  # noqa: N802 - a message, translated when raised
    return _("文件已损坏或不是有效的 .xlsx 文件，无法读取。请在 Excel 或 WPS 中打开后重新另存为 .xlsx 再上传。")


class Budget:
    """A time budget for reading one upload (``seconds`` None or 0: none).
    ``check()`` raises ImportFileError once it is spent; it is called for every
    row the sheet's XML holds, so a request or a task never reads for longer."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self._ends = time.monotonic() + seconds if seconds else None

    def check(self) -> None:
        if self._ends is not None and time.monotonic() > self._ends:
            raise ImportFileError(
                _(
                    "读取文件超过了 %(s)s 秒的时限，已停止，没有保存任何数据。文件可能过大或格式异常："
                    "请在 Excel 或 WPS 中打开后另存为 .xlsx，或分成几个较小的文件再上传。"
                )
                % {"s": f"{self.seconds:g}"},
                code="timeout",
            )


def last_row_number(max_rows: int) -> int:
    """The highest row number an import may use: the data rows, the header and
    the rows above it. Blank rows count too: the limit is on row *numbers*."""
    return HEADER_SCAN_ROWS + max_rows


def _row_beyond_limit(number: int, max_rows: int) -> ImportFileError:
    return ImportFileError(
        _(
            "第 %(row)s 行超出了范围：一次最多导入 %(n)s 行，数据须在工作表的前 %(last)s 行之内（空行也算）。"
            "请删除多余的行，或分成几个文件。"
        )
        % {"row": f"{number:,}", "n": f"{max_rows:,}", "last": f"{last_row_number(max_rows):,}"},
        code="too_many_rows",
    )


def _bad_reference(number: int) -> ImportFileError:
    return ImportFileError(
        _(
            "第 %(row)s 行附近有超出 Excel 范围的行号或列号（Excel 最多 1,048,576 行、16,384 列），"
            "这不是 Excel 或 WPS 保存的正常文件。请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传。"
        )
        % {"row": f"{number:,}"},
        code="corrupt",
    )


def _parsed_whole(name: str) -> bool:
    """A part that opening the workbook parses in full, outside any budget
    (sheets are read row by row, shared strings within the budget)."""
    return (
        name.endswith((".xml", ".rels"))
        and not name.startswith("xl/worksheets/")
        and not name.endswith("sharedStrings.xml")
    )


_SST = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _shared_strings(src: IO[bytes], budget: Budget) -> list[str]:
    """The shared-string table, as openpyxl reads it (the text of each <si>:
    its <t>, or its runs' <t>; phonetic runs left out), a few times faster
    and within ``budget``: openpyxl reads the whole table when the workbook
    opens, and 2,000,000 short strings (a 5 MB upload) took it minutes."""
    from openpyxl.xml.functions import iterparse  # defusedxml's when installed, as openpyxl's own

    si, t, rph = _SST + "si", _SST + "t", _SST + "rPh"
    strings: list[str] = []
    parts: list[str] = []
    phonetic = 0
    root: Any = None  # the document element, once met
    for event, el in iterparse(src, events=("start", "end")):
        if event == "start":
            if root is None:
                root = el
            elif el.tag == rph:
                phonetic += 1
            continue
        if el.tag == t:
            if not phonetic:
                parts.append(el.text or "")
        elif el.tag == rph:
            phonetic -= 1
        elif el.tag == si:
            strings.append("".join(parts).replace("x005F_", ""))
            parts = []
            root.clear()  # what is read is let go
            if len(strings) % 1000 == 0:
                budget.check()
    return strings


class _Reader(ExcelReader):  # type: ignore[misc]  # openpyxl ships no type hints
    budget: Budget

    def read_strings(self) -> None:
        ct = self.package.find(SHARED_STRINGS)
        if ct is not None:
            with self.archive.open(ct.PartName[1:]) as src:
                self.shared_strings = _shared_strings(src, self.budget)
        self.budget.check()


class _BadReference(Exception):
    def __init__(self, row: int) -> None:
        self.row = row


_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


class _Parser(WorkSheetParser):  # type: ignore[misc]  # openpyxl ships no type hints
    """openpyxl's sheet parser, refusing row and column numbers Excel cannot
    have before anything is built for them."""

    def parse_row(self, row: Any) -> Any:
        ref = row.get("r")
        if ref is not None and not (ref.isdigit() and len(ref) <= 7 and 0 < int(ref) <= EXCEL_MAX_ROW):
            said = int(ref) if ref.isdigit() and len(ref) <= 12 else self.row_counter + 1
            raise _BadReference(said)
        if ref is None and self.row_counter >= EXCEL_MAX_ROW:
            raise _BadReference(self.row_counter + 1)
        return super().parse_row(row)

    def parse_cell(self, element: Any) -> Any:
        ref = element.get("r")
        if ref is not None:
            m = _CELL_REF.match(ref)
            if not m or int(m.group(2)) > EXCEL_MAX_ROW or column_index(m.group(1)) > EXCEL_MAX_COLUMN:
                raise _BadReference(self.row_counter)
        elif self.col_counter >= EXCEL_MAX_COLUMN:
            raise _BadReference(self.row_counter)
        return super().parse_cell(element)


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _rows(ws: Any, *, max_rows: int, budget: Budget) -> SheetRows:
    """(row number, {0-based column: value}) for every row the sheet's XML
    holds, in order. Unlike openpyxl's ``iter_rows`` nothing is made up for the
    rows and columns a file skips (one cell at row 2,000,000,000 would
    otherwise be two billion empty rows), and a row with a value beyond
    ``last_row_number(max_rows)`` ends the reading with ImportFileError."""
    last = last_row_number(max_rows)
    wb = ws.parent
    with ws._get_source() as src:
        parser = _Parser(
            src,
            ws._shared_strings,
            data_only=wb.data_only,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        try:
            for number, cells in parser.parse():
                budget.check()
                values = {c["column"] - 1: c["value"] for c in cells if c["value"] is not None}
                if not values:
                    continue
                if number > last:
                    raise _row_beyond_limit(number, max_rows)
                yield number, values
        except _BadReference as exc:
            raise _bad_reference(exc.row) from None


def _dimension_rows(ws: Any, max_rows: int) -> int | None:
    """The sheet's own idea of its last row (its <dimension>), if believable."""
    rows: int | None = ws.max_row
    if not rows or rows <= 0 or rows > last_row_number(max_rows):
        return None
    return rows


def _sheet(wb: Any, ledger: Ledger) -> Any:
    sheets = wb.worksheets
    if not sheets:
        raise ImportFileError(_("文件中没有工作表。"), code="empty")
    for ws in sheets:
        if ws.title == ledger.sheet_title:
            return ws
    return sheets[0]


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Header:
    def __init__(self, number: int, positions: dict[str, int], ignored: list[str]) -> None:
        self.number = number
        self.positions = positions  # column key → 0-based index in the row
        self.ignored = ignored


def _match_header(ledger: Ledger, rows: SheetRows) -> tuple[_Header, SheetRows]:
    """Find the header among the first rows (``rows``: ``_rows(...)``); returns
    it and the iterator, which continues with the first row after the header."""
    names: dict[str, str] = {}
    for col in ledger.columns:
        for name in (col.header, *col.aliases):
            names.setdefault(normalize_header(name), col.key)
    required = [c for c in ledger.columns if c.required]
    best: tuple[int, list[str]] | None = None
    saw_anything = False
    for number, values in rows:
        if number > HEADER_SCAN_ROWS:
            break
        if all(_is_blank(v) for v in values.values()):
            continue
        saw_anything = True
        positions: dict[str, int] = {}
        duplicates: list[str] = []
        ignored: list[str] = []
        for idx, value in sorted(values.items()):
            if _is_blank(value):
                continue
            key = names.get(normalize_header(value))
            if key is None:
                ignored.append(cell_text(value)[:30])
            elif key in positions:
                duplicates.append(next(str(c.header) for c in ledger.columns if c.key == key))
            else:
                positions[key] = idx
        missing = [str(c.header) for c in required if c.key not in positions]
        if not missing:
            if duplicates:
                raise ImportFileError(
                    _("表头中这些列出现了不止一次：%(cols)s。每列只能出现一次。") % {"cols": "、".join(duplicates)},
                    code="header",
                )
            return _Header(number, positions, ignored), rows
        if positions and (best is None or len(positions) > best[0]):
            best = (len(positions), missing)
    if not saw_anything:
        raise ImportFileError(_("工作表是空的：没有表头，也没有数据。请使用下载的模板填写。"), code="empty")
    if best is None:
        raise ImportFileError(
            _("找不到表头：第一行应为列名（%(cols)s 等）。请使用下载的模板填写。")
            % {"cols": "、".join(str(c.header) for c in required)},
            code="header",
        )
    raise ImportFileError(
        _("表头缺少必填列：%(cols)s。请使用下载的模板填写。") % {"cols": "、".join(best[1])}, code="header"
    )


def _example_keys(ledger: Ledger, keys: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(cell_text(example.get(k)) for k in keys) for example in ledger.example_rows()}


def inspect_workbook(
    source: Source,
    ledger: Ledger,
    *,
    max_bytes: int,
    max_rows: int,
    count_up_to: int | None = None,
    seconds: float | None = None,
) -> SheetInfo:
    """A quick look at an upload before it is accepted: it is a readable .xlsx,
    the header has the required columns, there is at least one data row and
    not more than ``max_rows``. Raises ImportFileError otherwise.

    The row count comes from the sheet's dimension when it has one (Excel, WPS
    and LibreOffice write it). Without one, rows are counted, but only up to
    ``count_up_to``: past that ``estimated_rows`` is None ("many"), and the
    ``max_rows`` limit is left to ``check_rows``, so a request never reads a
    whole big file. A row with data beyond ``last_row_number(max_rows)`` is
    refused as soon as it is seen, and the reading stops after ``seconds``."""
    budget = Budget(seconds)
    with open_workbook(source, max_bytes=max_bytes, budget=budget) as wb:
        budget.check()
        ws = _sheet(wb, ledger)
        dimension_rows = _dimension_rows(ws, max_rows)  # a wrong <dimension> must not cut rows off
        rows = _rows(ws, max_rows=max_rows, budget=budget)
        try:
            header, rows = _match_header(ledger, rows)
            keys = list(header.positions)
            examples = _example_keys(ledger, keys)
            estimate = dimension_rows - header.number if dimension_rows and dimension_rows > header.number else None
            # Count only when there is no dimension, or it says "too many" (it may be wrong).
            counting = estimate is None or estimate > max_rows
            cap = max_rows + 1 if estimate is not None or not count_up_to else count_up_to
            found = 0
            for _number, values in rows:
                cells = [values.get(header.positions[k]) for k in keys]
                if all(_is_blank(v) for v in cells):
                    continue
                if tuple(cell_text(v) for v in cells) in examples:
                    continue
                found += 1
                if not counting or found >= cap:
                    break
            if counting and found > max_rows:
                raise _too_many_rows(max_rows)
        except ImportFileError:
            raise
        except Exception:
            logger.info("import: unreadable sheet", exc_info=True)
            raise ImportFileError(_CORRUPT(), code="corrupt") from None
        if not found:
            raise ImportFileError(_("文件中没有数据行（示例行不会导入）。请从表头下一行开始填写。"), code="no_rows")
        if counting and found >= cap and cap <= max_rows:
            estimate = None  # many rows, not all counted
        elif counting:
            estimate = found
        return SheetInfo(estimated_rows=estimate, header_row=header.number, columns=keys, ignored=header.ignored)


def check_rows(
    source: Source,
    ledger: Ledger,
    *,
    max_bytes: int,
    max_rows: int,
    progress: Callable[[int, int | None], None] | None = None,
    every: int = 500,
    seconds: float | None = None,
) -> CheckedRows:
    """Read every data row and validate it with the ledger. Blank rows and the
    template's example rows are skipped. ``progress(processed, estimated_total)``
    is called every ``every`` rows. Raises ImportFileError for the file as a
    whole (unreadable, no header, too many rows, a row beyond
    ``last_row_number(max_rows)``, longer than ``seconds``); a bad row is never
    an exception."""
    result = CheckedRows()
    headers = {c.key: str(c.header) for c in ledger.columns}
    budget = Budget(seconds)
    with open_workbook(source, max_bytes=max_bytes, budget=budget) as wb:
        budget.check()
        ws = _sheet(wb, ledger)
        dimension_rows = _dimension_rows(ws, max_rows)
        rows = _rows(ws, max_rows=max_rows, budget=budget)
        try:
            header, rows = _match_header(ledger, rows)
            result.header_row, result.ignored_headers = header.number, header.ignored
            estimate = dimension_rows - header.number if dimension_rows else None
            keys = list(header.positions)
            examples = _example_keys(ledger, keys)
            if progress:
                progress(0, estimate)
            for number, values in rows:
                cells = {k: values.get(i) for k, i in header.positions.items()}
                if all(_is_blank(v) for v in cells.values()):
                    continue
                if tuple(cell_text(cells[k]) for k in keys) in examples:
                    continue
                result.total_rows += 1
                if result.total_rows > max_rows:
                    raise _too_many_rows(max_rows)
                row = Row(number, cells, headers)
                try:
                    value = ledger.validate_row(row)
                except ValidationError as exc:
                    for message in exc.messages:
                        row.error("", message)
                    value = None
                except Exception:
                    logger.exception("import: row %s could not be validated", number)
                    row.error("", _("此行无法处理（系统错误，已记录）。"))
                    value = None
                for error in row.errors:
                    result.add(error)
                if row.ok:
                    result.items.append((number, value))
                if progress and result.total_rows % every == 0:
                    progress(result.total_rows, estimate)
        except ImportFileError:
            raise
        except Exception:
            logger.info("import: unreadable sheet", exc_info=True)
            raise ImportFileError(_CORRUPT(), code="corrupt") from None

    def add_error(number: int, key: str, message: object) -> None:
        result.add(RowError(number, headers.get(key, ""), str(message)))

    good = [(n, v) for n, v in result.items if n not in result.bad_rows]
    if good:
        ledger.validate_all(good, add_error)
    result.errors.sort(key=lambda e: e.row)
    if progress:
        progress(result.total_rows, result.total_rows)
    return result


def run_import(
    source: Source,
    ledger: Ledger,
    *,
    mode: str,
    max_bytes: int,
    max_rows: int,
    progress: Callable[[int, int | None], None] | None = None,
    every: int = 500,
    seconds: float | None = None,
) -> ImportOutcome:
    """Check every row, then save according to ``mode``: with MODE_NOTHING any bad
    row means nothing is saved; with MODE_GOOD_ROWS the good rows are saved."""
    if mode not in MODES:
        raise ValueError(f"unknown import mode {mode!r}")
    checked = check_rows(
        source, ledger, max_bytes=max_bytes, max_rows=max_rows, progress=progress, every=every, seconds=seconds
    )
    items = checked.to_save(mode)
    saved = ledger.save(items) if items else {"rows": 0}
    return ImportOutcome(checked=checked, mode=mode, saved=saved)


def errors_workbook(errors: Iterable[dict[str, Any]], *, user: Any, title: str) -> bytes:
    """The error report of an import as a watermarked sheet (row, column, reason)."""
    return export_workbook(
        title=title,
        headers=[_("行号"), _("列"), _("原因")],
        rows=((e.get("row"), e.get("column", ""), e.get("message", "")) for e in errors),
        user=user,
    )
