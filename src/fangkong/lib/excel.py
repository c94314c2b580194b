"""Excel ledgers (台账): masked, watermarked exports.

Every export carries a watermark line naming who exported it and when, and
contains only masked ID numbers and phones (callers pass masked columns)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def watermark_text(user) -> str:
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    who = getattr(user, "full_name", "") or getattr(user, "username", "")
    return f"防控平台导出 · 导出人：{who}（{getattr(user, 'username', '')}） · 导出时间：{now} · 内部资料，严禁外传"


def export_workbook(*, title: str, headers: Sequence[str], rows: Iterable[Sequence], user) -> bytes:
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


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # Never let a cell be read as a formula (CSV/Excel injection).
        return "'" + value
    return value
