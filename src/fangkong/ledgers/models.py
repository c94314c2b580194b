from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.fields import FreeCharField, FreeJSONField, FreeTextField


def _upload_path(job: ImportJob, filename: str) -> str:
    # Never the uploaded name in the path: it may carry a person's name.
    return f"imports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    """One upload of an Excel ledger (台账) and what became of it: every bad row
    with its row number, column and reason, and how many rows were saved.

    Small files run while the user waits; big ones run as a background task
    (``fangkong.ledgers.tasks.import_run``) and report progress here. The
    uploaded file is deleted as soon as the job ends: it holds personal data.
    A job is seen only by the user who started it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Mode(models.TextChoices):
        NOTHING = "nothing", _("有错误时全部不保存")
        GOOD_ROWS = "good_rows", _("只保存正确的行，跳过有错误的行")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("等待开始")
        CHECKING = "checking", _("正在逐行检查")
        SAVING = "saving", _("正在保存")
        FINISHED = "finished", _("结束")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(_("台账类型"), max_length=30)
    # Where the user acted from (their acting assignment), for audit and roll-ups.
    division_code = models.CharField(max_length=15, blank=True, db_index=True)
    file = models.FileField(upload_to=_upload_path, blank=True, max_length=200)
    original_name = FreeCharField(_("文件名"), max_length=200, blank=True)
    language = models.CharField(max_length=10, blank=True)
    mode = models.CharField(_("保存方式"), max_length=10, choices=Mode.choices, default=Mode.NOTHING)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.WAITING)
    background = models.BooleanField(default=False)
    task_id = models.CharField(max_length=64, blank=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    estimated_rows = models.PositiveIntegerField(null=True, blank=True)
    processed_rows = models.PositiveIntegerField(default=0)
    saved_rows = models.PositiveIntegerField(_("已保存行数"), default=0)
    error_rows = models.PositiveIntegerField(_("有错误的行数"), default=0)
    error_count = models.PositiveIntegerField(default=0)
    # [{"row": 5, "column": "证件号码", "message": "…"}], by row; never a cell's value.
    errors = FreeJSONField(default=list, blank=True)
    # Counts from the ledger's save, e.g. {"persons": 120, "households": 40}.
    result = FreeJSONField(default=dict, blank=True)
    # Why the file as a whole failed (not an .xlsx, no header, too many rows…).
    message = FreeTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with every progress report: a running job whose heartbeat is old
    # lost its worker (a restart, a killed process) — see ledgers.services.import_job_stale.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "台账导入任务")
        verbose_name_plural = pgettext_lazy("models", "台账导入任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if self.stage == self.Stage.SAVING:
            return 99
        total = self.estimated_rows or 0
        if not total:
            return 0
        return max(0, min(98, int(self.processed_rows * 100 / total)))

    @property
    def skipped_rows(self) -> int:
        """Rows not saved: the bad ones, or every row when nothing was saved."""
        return max(0, self.total_rows - self.saved_rows) if self.status == self.Status.DONE else 0

    @property
    def nothing_saved_because_of_errors(self) -> bool:
        return self.status == self.Status.DONE and self.mode == self.Mode.NOTHING and self.error_rows > 0
