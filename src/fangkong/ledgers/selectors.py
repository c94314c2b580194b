"""Reads of import jobs: a user sees only the jobs they started."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import ImportJob


def import_job_list(*, user) -> QuerySet:
    return ImportJob.objects.filter(user_id=getattr(user, "pk", None)).defer("errors")


def import_job_get(*, user, pk) -> ImportJob:
    try:
        return ImportJob.objects.get(user_id=getattr(user, "pk", None), pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
