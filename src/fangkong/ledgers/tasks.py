"""Background tasks (django-tasks; the database backend's worker runs under
``fangkong serve``, or alone as ``fangkong db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_run(job_id: int) -> str:
    """Run a queued ledger import; returns the job's final status."""
    from .services import import_job_run

    return import_job_run(job_id=job_id).status
