"""Building .xlsx files for import tests (generated people only)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook

from fangkong.lib.documents import make_resident_id
from fangkong.lib.excel import normalize_header
from fangkong.people.ledger import PeopleLedger

PEOPLE_HEADERS = [c.header for c in PeopleLedger.columns]
PEOPLE_KEYS = [c.key for c in PeopleLedger.columns]
_KEY_OF = {normalize_header(name): c.key for c in PeopleLedger.columns for name in (c.header, *c.aliases)}


_ids = itertools.count()


def fresh_id() -> str:
    """A valid resident ID number, unique in the test run. Import tests need many;
    they come from this counter (鹤山区, born 1960s), not from conftest's
    ``new_resident_id``, whose birth dates drift as its shared counter grows."""
    n = next(_ids)
    return make_resident_id("410602", dt.date(1960, 1, 1) + dt.timedelta(days=n // 1000), n % 1000)


def person(**values) -> dict:
    """A good row for 清华园社区 unless told otherwise."""
    row = {"community": "清华园社区", "address": "泰山路1号院1号楼101", "name": "李四", "doc_number": fresh_id()}
    row.update(values)
    return row


def people_xlsx(
    rows: Sequence[dict],
    *,
    headers: Sequence[str] | None = None,
    before: Sequence[Sequence] = (),
    title: str = "人员台账",
) -> bytes:
    """A ledger with ``before`` rows above the header, then one line per dict."""
    headers = list(headers or PEOPLE_HEADERS)
    keys = [_KEY_OF.get(normalize_header(h), h) for h in headers]
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for line in before:
        ws.append(list(line))
    ws.append(headers)
    for row in rows:
        ws.append([row.get(k) for k in keys])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_rows(data: bytes, sheet: int = 0) -> list[tuple]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [tuple(r) for r in wb.worksheets[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def all_text(data: bytes) -> str:
    """Every cell of every sheet, as one string (to look for leaked numbers)."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
        )
    finally:
        wb.close()
