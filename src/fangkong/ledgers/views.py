from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fangkong.accounts.roles import PEOPLE_EXPORT
from fangkong.accounts.scoping import has_capability
from fangkong.audit.services import record
from fangkong.core.exports import xlsx_download
from fangkong.lib.excel import (
    XLSX_CONTENT_TYPE,
    errors_workbook,
    template_workbook,
)
from fangkong.people import number_search
from fangkong.people import selectors as people_selectors
from fangkong.people.models import Person
from fangkong.regions.selectors import DivisionNames

from . import selectors, services
from .forms import ImportForm
from .kinds import KINDS, get_kind, make_ledger

ERRORS_PER_PAGE = 500
EXPORT_LIMIT = 100_000


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _require(user, capability: str) -> None:
    if not has_capability(user, capability):
        raise PermissionDenied(_("您没有此项操作的权限。"))


@login_required
def import_view(request):
    kind = request.POST.get("kind") or request.GET.get("kind") or "people"
    _require(request.user, get_kind(kind).capability)
    form = ImportForm(request.POST or None, request.FILES or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
                request=request,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, messages in exc.message_dict.items():
                    for m in messages:
                        form.add_error(field if field in form.fields else None, m)
            else:
                for m in exc.messages:
                    form.add_error("file", m)
        else:
            return redirect("ledgers:job_detail", pk=job.pk)
    return render(
        request,
        "ledgers/import.html",
        {
            "form": form,
            "kind": get_kind(kind),
            "kinds": [k for k in KINDS.values() if has_capability(request.user, k.capability)],
            "max_mb": settings.FANGKONG_IMPORT_MAX_BYTES // (1024 * 1024),
            "max_rows": settings.FANGKONG_IMPORT_MAX_ROWS,
            "background_rows": settings.FANGKONG_IMPORT_BACKGROUND_ROWS,
            "recent": selectors.import_job_list(user=request.user)[:5],
        },
        status=400 if form.errors else 200,
    )


@login_required
def template_download(request, kind: str):
    spec = get_kind(kind)
    _require(request.user, spec.capability)
    return _xlsx(template_workbook(make_ledger(kind, request.user)), spec.filename)


@login_required
def job_list(request):
    page = Paginator(selectors.import_job_list(user=request.user), 20).get_page(request.GET.get("page"))
    page.object_list = [job if job.finished else services.import_job_stale(job=job) for job in page.object_list]
    return render(request, "ledgers/job_list.html", {"page": page, "kinds": KINDS, "query": ""})


@login_required
def job_detail(request, pk: int):
    job = services.import_job_stale(job=selectors.import_job_get(user=request.user, pk=pk))
    errors = Paginator(job.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledgers/job_detail.html",
        {
            "job": job,
            "kind": KINDS.get(job.kind),
            "errors": errors,
            "page": errors,
            "query": "",
        },
    )


@login_required
def job_progress(request, pk: int):
    """The progress bar alone; htmx polls it every second until the job ends,
    then reloads the page to show the result."""
    job = services.import_job_stale(job=selectors.import_job_get(user=request.user, pk=pk))
    response = render(request, "ledgers/_job_progress.html", {"job": job})
    if job.finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
def job_errors_export(request, pk: int):
    job = selectors.import_job_get(user=request.user, pk=pk)
    data = errors_workbook(job.errors or [], user=request.user, title=_("导入错误"))
    record(
        request.user,
        "export",
        object_type="ledgers.importjob",
        object_id=job.pk,
        division_code=job.division_code,
        detail={"kind": "import_errors", "rows": len(job.errors or [])},
        request=request,
    )
    return _xlsx(data, f"import-{job.pk}-errors.xlsx")


@login_required
def household_export(request):
    """The household list (same filters as the page) as a masked, watermarked
    .xlsx: the head's ID number and phone appear only in masked form."""
    _require(request.user, PEOPLE_EXPORT)
    if refusal := number_search.refuse_download(
        request, _("户按地址查找；证件号码和电话请在“人员”页面的搜索框中查找（不放在网址中）。")
    ):
        return refusal
    q, division = request.GET.get("q", "")[:60], request.GET.get("division", "")[:15]
    members = (
        Person.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = people_selectors.household_list(user=request.user, q=q, division=division).annotate(
        member_count=Coalesce(Subquery(members), Value(0))
    )[:EXPORT_LIMIT]
    names = DivisionNames()

    def rows():
        for h in qs.iterator(chunk_size=2000):
            head = h.head
            yield (
                names.get(h.division_code[:9], ""),
                names.get(h.division_code[:12], ""),
                names.get(h.division_code, "") if len(h.division_code) == 15 else "",
                h.address,
                head.name if head else "",
                head.doc_masked if head else "",
                head.phone_masked if head else "",
                h.member_count,
                h.note,
            )

    return xlsx_download(
        request,
        title=_("户台账"),
        headers=[
            _("乡镇街道"),
            _("村社区"),
            _("网格"),
            _("地址"),
            _("户主"),
            _("户主证件号码"),
            _("户主电话"),
            _("人数"),
            _("备注"),
        ],
        rows=rows(),
        kind="households",
        object_type="people.household",
        filename="households",
    )
