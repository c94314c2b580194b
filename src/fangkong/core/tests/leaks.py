"""What a reader can learn from a page, an export or an API answer: full ID
numbers and phones, and ID numbers rebuilt from a masked one and a birth date
shown with it. A masked resident ID number (410611********0839) hides exactly
the eight birth-date digits; with the full birth date beside it, the number is
whole again (the check digit even confirms the guess)."""

from __future__ import annotations

import datetime as dt
import io
import re

from stdnum.cn import ric

MASKED_ID = re.compile(r"(?<![0-9A-Za-z*])(\d{6})\*{8}(\d{3}[\dX])(?![0-9A-Za-z*])")
DATES = re.compile(
    r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)"  # 1980-08-30, 1980/8/30, 1980年8月30日
    r"|(?<![\d*])(\d{4})(\d{2})(\d{2})(?![\d*])"  # 19800830
)


def dates_in(text: str) -> set[dt.date]:
    found = set()
    for m in DATES.finditer(text):
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        try:
            found.add(dt.date(int(y), int(mo), int(d)))
        except ValueError:
            continue
    return found


def _number(region: str, day: dt.date, tail: str) -> str | None:
    body = f"{region}{day:%Y%m%d}{tail[:3]}"
    return body + tail[3] if ric.calc_check_digit(body + "0") == tail[3] else None


def candidates(
    masked: str, *, dates: set[dt.date] | None = None, age: int | None = None, today: dt.date | None = None
) -> set[str]:
    """Every full number consistent with ``masked`` (its region, sequence and check
    digit) and with what else is shown: birth dates, or an age on ``today``."""
    m = MASKED_ID.fullmatch(masked)
    assert m, masked
    region, tail = m.groups()
    today = today or dt.date.today()
    if dates is None:
        if age is None:
            first, last = dt.date(today.year - 130, 1, 1), today
        else:  # born after today minus (age + 1) years, on or before today minus age years
            last = _years_before(today, age)
            first = _years_before(today, age + 1) + dt.timedelta(days=1)
        dates = {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    return {n for d in dates if (n := _number(region, d, tail))}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def rebuilt(text: str) -> set[str]:
    """Full numbers that a masked number in ``text`` and a date in ``text`` give."""
    shown = dates_in(text)
    out: set[str] = set()
    for m in MASKED_ID.finditer(text):
        out |= candidates(m.group(0), dates=shown)
    return out


def leaks(text: str, secrets: set[str]) -> list[str]:
    """What ``text`` gives away of ``secrets`` (full ID numbers and phones):
    a secret shown whole, or an ID number rebuilt from mask + shown date."""
    found = [f"full number {s[:3]}…" for s in secrets if s in text]
    found += [f"rebuilt {n[:6]}…{n[-4:]}" for n in rebuilt(text) & secrets]
    return found


def xlsx_text(data: bytes) -> str:
    """All cells of a workbook as text, one row a line (dates as ISO dates)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    lines = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells = [
                v.date().isoformat()
                if isinstance(v, dt.datetime)
                else v.isoformat()
                if isinstance(v, dt.date)
                else ""
                if v is None
                else str(v)
                for v in row
            ]
            lines.append("\t".join(cells))
    return "\n".join(lines)
