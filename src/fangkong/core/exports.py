"""The one way a page exports a list to Excel: masked rows (the caller passes
masked columns), a watermark line, an audit entry with the row count, and the
download response."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from fangkong.audit.services import record
from fangkong.lib.excel import XLSX_CONTENT_TYPE, export_workbook


def xlsx_download(
    request: HttpRequest,
    *,
    title: str,
    headers: Sequence[object],
    rows: Iterable[Sequence[Any]],
    kind: str,
    object_type: str,
    filename: str,
    division_code: str = "",
    detail: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> HttpResponse:
    """Build the workbook from ``rows`` (streamed), audit the export with how many
    rows went out, and answer with ``<filename>-<YYYYMMDD>.xlsx`` (the day the
    list is about, ``on``, else today)."""
    count = 0

    def counted() -> Iterator[Sequence[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    data = export_workbook(title=str(title), headers=[str(h) for h in headers], rows=counted(), user=request.user)
    record(
        request.user,
        "export",
        object_type=object_type,
        division_code=division_code,
        detail={**(detail or {}), "rows": count, "kind": kind},
        request=request,
    )
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}-{(on or timezone.localdate()):%Y%m%d}.xlsx"'
    return response
