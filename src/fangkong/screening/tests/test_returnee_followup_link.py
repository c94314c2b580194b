"""A returnee's follow-up is a real foreign key (on both databases), and the
migration that made it one forgets links to follow-ups that no longer exist."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import ProtectedError

from fangkong.followups.models import FollowUp
from fangkong.screening.models import Returnee
from fangkong.screening.services import returnee_confirm

from .helpers import an_arrival

forget_missing = importlib.import_module(
    "fangkong.screening.migrations.0009_returnee_followup_forget_missing"
).forget_missing_followups


def test_the_returnee_table_has_a_foreign_key_to_the_follow_up(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Returnee._meta.db_table)
    assert any(
        c["foreign_key"] == (FollowUp._meta.db_table, "id") and c["columns"] == ["followup_id"]
        for c in constraints.values()
    )


def test_the_follow_up_of_a_returnee_cannot_be_deleted(qinghuayuan_worker):
    r = returnee_confirm(
        user=qinghuayuan_worker, arrival=an_arrival(), measure="health_monitoring", measure_reason="返乡"
    )
    assert isinstance(r.followup, FollowUp)
    with pytest.raises(ProtectedError):
        r.followup.delete()


def test_the_migration_sets_links_to_missing_follow_ups_to_null_and_keeps_the_others(qinghuayuan_worker):
    kept = returnee_confirm(
        user=qinghuayuan_worker, arrival=an_arrival(), measure="health_monitoring", measure_reason="返乡"
    )
    dangling = returnee_confirm(
        user=qinghuayuan_worker, arrival=an_arrival(), measure="none", measure_reason="已超过14天"
    )
    # The constraint is deferred (both databases), so a row can point nowhere until the commit.
    Returnee.objects.filter(pk=dangling.pk).update(followup_id=kept.followup_id + 1000)
    forget_missing(apps, None)
    kept_id = kept.followup_id
    kept.refresh_from_db()
    dangling.refresh_from_db()
    assert kept.followup_id == kept_id and dangling.followup_id is None
