"""Writes for Excel ledger imports: accept an upload, run it (inline or as a
background task), record the outcome and one audit entry."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fangkong.accounts.scoping import acting_assignment, has_capability
from fangkong.audit.services import record
from fangkong.lib import excel

from .kinds import KINDS, get_kind, make_ledger
from .models import ImportJob

logger = logging.getLogger(__name__)

# Progress is written to the job every this many rows.
PROGRESS_EVERY = 500


def _limits() -> dict[str, int]:
    return {"max_bytes": settings.FANGKONG_IMPORT_MAX_BYTES, "max_rows": settings.FANGKONG_IMPORT_MAX_ROWS}


def import_job_create(*, user, kind: str, upload, mode: str, request=None) -> ImportJob:
    """Accept an uploaded ledger. The file is checked at once (an .xlsx, the
    header, at least one and not too many rows: ImportFileError otherwise, and
    nothing is kept); then small files are imported while the user waits and
    big ones (``FANGKONG_IMPORT_BACKGROUND_ROWS`` rows or more) are queued as a
    background task. Returns the job, finished or queued."""
    if kind not in KINDS:
        raise ValidationError({"kind": _("未知的台账类型。")})
    spec = get_kind(kind)
    if not has_capability(user, spec.capability):
        raise PermissionDenied(_("您没有导入此台账的权限。"))
    if mode not in ImportJob.Mode.values:
        raise ValidationError({"mode": _("请选择发现错误时的处理方式。")})
    if upload is None:
        raise ValidationError({"file": _("请选择要导入的文件。")})
    info = excel.inspect_workbook(
        upload,
        make_ledger(kind, user),
        count_up_to=settings.FANGKONG_IMPORT_BACKGROUND_ROWS,
        seconds=settings.FANGKONG_IMPORT_REQUEST_SECONDS,
        **_limits(),
    )
    background = info.estimated_rows is None or info.estimated_rows >= settings.FANGKONG_IMPORT_BACKGROUND_ROWS
    assignment = acting_assignment(user)
    with transaction.atomic():
        job = ImportJob(
            user=user,
            kind=kind,
            division_code=assignment.division_id if assignment else "",
            original_name=(getattr(upload, "name", "") or "")[:200],
            mode=mode,
            background=background,
            estimated_rows=info.estimated_rows,
            language=translation.get_language() or "",
        )
        upload.seek(0)
        job.file.save("upload.xlsx", upload, save=False)
        job.save()
    if background:
        from .tasks import import_run

        result = import_run.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    else:
        import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued import: check every row (progress written as it goes), save
    according to the job's mode in one transaction, and record the outcome and
    one audit entry. Never raises for bad input: the job ends done or failed.
    A job that is not queued any more (already run) is left alone."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, stage=ImportJob.Stage.CHECKING, started_at=now, heartbeat_at=now
    )
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not claimed:
        return job
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            _run(job)
        except excel.ImportFileError as exc:
            _fail(job, " ".join(exc.messages))
        except IntegrityError:
            logger.warning("import job %s: a document number was registered concurrently", job_id)
            _fail(job, _("保存时发现有证件号码刚刚被他人登记，本次导入没有保存任何数据。请重新导入。"))
        except Exception:
            logger.exception("import job %s failed", job_id)
            _fail(job, _("导入失败：系统内部错误，已记录日志。本次导入没有保存任何数据。"))
        finally:
            _discard_file(job)
    return job


# A running job reports progress every PROGRESS_EVERY rows (seconds apart) and
# saves in one transaction (a few minutes at the row limit): a heartbeat older
# than this means its worker is gone. A job still queued this long after its
# upload never found a worker.
STALE_RUNNING = dt.timedelta(minutes=30)
STALE_QUEUED = dt.timedelta(hours=2)


def import_job_stale(*, job: ImportJob, now: dt.datetime | None = None) -> ImportJob:
    """End a job whose worker is gone as failed, with what to do, so that it
    does not show "running" for ever. Nothing of it was saved (the save is one
    transaction). A job that is still alive, or finished, is returned as it is."""
    now = now or timezone.now()
    if job.status == ImportJob.Status.RUNNING:
        last = job.heartbeat_at or job.started_at or job.created_at
        if now - last < STALE_RUNNING:
            return job
        message = _("后台导入中断（服务器重启或进程被终止），本次导入没有保存任何数据。请重新导入。")
        was = ImportJob.Status.RUNNING
    elif job.status == ImportJob.Status.QUEUED and job.background:
        if now - job.created_at < STALE_QUEUED:
            return job
        message = _(
            "后台导入一直没有开始（后台任务进程没有运行），本次导入没有保存任何数据。请联系系统管理员后重新导入。"
        )
        was = ImportJob.Status.QUEUED
    else:
        return job
    # Only if nobody changed it meanwhile (a worker that was only slow wins).
    ended = ImportJob.objects.filter(pk=job.pk, status=was).update(
        status=ImportJob.Status.FAILED,
        stage=ImportJob.Stage.FINISHED,
        message=message,
        finished_at=now,
        saved_rows=0,
        result={},
    )
    job.refresh_from_db()
    if ended:
        logger.warning("import job %s: no worker since %s, ended as failed", job.pk, was)
        _audit(job)
        _discard_file(job)
    return job


def _run(job: ImportJob) -> None:
    ledger = make_ledger(job.kind, job.user)

    def progress(done: int, estimate: int | None) -> None:
        fields = {"processed_rows": done, "heartbeat_at": timezone.now()}
        if job.estimated_rows is None and estimate:
            fields["estimated_rows"] = estimate
        ImportJob.objects.filter(pk=job.pk).update(**fields)

    # Inline jobs run inside the upload's request, background ones in the task
    # worker: each has its own time budget (settings.py), after which the job
    # ends failed with a message saying so.
    seconds = settings.FANGKONG_IMPORT_TASK_SECONDS if job.background else settings.FANGKONG_IMPORT_REQUEST_SECONDS
    with job.file.open("rb") as f:
        checked = excel.check_rows(f, ledger, progress=progress, every=PROGRESS_EVERY, seconds=seconds, **_limits())
    items = checked.to_save(job.mode)
    ImportJob.objects.filter(pk=job.pk).update(
        stage=ImportJob.Stage.SAVING,
        processed_rows=checked.total_rows,
        estimated_rows=checked.total_rows,
        heartbeat_at=timezone.now(),
    )
    with transaction.atomic():
        saved = ledger.save(items) if items else {"rows": 0}
        job.status, job.stage = ImportJob.Status.DONE, ImportJob.Stage.FINISHED
        job.total_rows = job.processed_rows = job.estimated_rows = checked.total_rows
        job.saved_rows = int(saved.get("rows", 0))
        job.error_rows, job.error_count = len(checked.bad_rows), checked.error_count
        job.errors = [e.as_dict() for e in checked.errors]
        job.result = {k: int(v) for k, v in saved.items()}
        if checked.error_count > len(checked.errors):
            job.message = _("错误太多，只列出前 %(n)d 条。") % {"n": len(checked.errors)}
        job.finished_at = timezone.now()
        job.save(
            update_fields=[
                "status",
                "stage",
                "total_rows",
                "processed_rows",
                "estimated_rows",
                "saved_rows",
                "error_rows",
                "error_count",
                "errors",
                "result",
                "message",
                "finished_at",
            ]
        )
        _audit(job)


def _fail(job: ImportJob, message: str) -> None:
    job.refresh_from_db()  # forget whatever a rolled-back save left in memory
    job.status, job.stage = ImportJob.Status.FAILED, ImportJob.Stage.FINISHED
    job.message, job.finished_at, job.saved_rows, job.result = message, timezone.now(), 0, {}
    job.save(update_fields=["status", "stage", "message", "finished_at", "saved_rows", "result"])
    _audit(job)


def _audit(job: ImportJob) -> None:
    """One entry per import, with counts only (no names, no numbers)."""
    detail = {
        "kind": job.kind,
        "job": job.pk,
        "mode": job.mode,
        "status": job.status,
        "rows": job.total_rows,
        "saved_rows": job.saved_rows,
        "error_rows": job.error_rows,
        "background": job.background,
    }
    detail.update({f"saved_{k}": v for k, v in job.result.items() if k != "rows"})
    record(
        job.user,
        "import",
        object_type=get_kind(job.kind).object_type,
        object_id=job.pk,
        division_code=job.division_code,
        detail=detail,
    )


def _discard_file(job: ImportJob) -> None:
    """The upload holds personal data: it is not kept once the job has ended."""
    if not job.file:
        return
    try:
        job.file.delete(save=False)
    except OSError:
        logger.warning("import job %s: could not delete the uploaded file", job.pk)
    ImportJob.objects.filter(pk=job.pk).update(file="")
