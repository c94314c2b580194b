"""Two phones submit the same slot at the same instant (PostgreSQL: real row locks)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fangkong.followups.models import FollowUpDayCount, HealthCheck
from fangkong.followups.services import health_check_record

from .conftest import DAY1

pytestmark = [
    pytest.mark.usefixtures("committed_db"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row-lock races need PostgreSQL; the in-memory "
        "SQLite test database cannot take concurrent writers (on a file, IMMEDIATE transactions "
        "serialize them)",
    ),
]


def _race(users_and_keys, check, rounds=1):
    barrier = threading.Barrier(len(users_and_keys))
    results = []

    def submit(user, key, temperature):
        from django.db import connection as conn

        try:
            barrier.wait()
            results.append(
                ("ok", health_check_record(user=user, check=check, temperature=temperature, client_key=key)[1])
            )
        except ValidationError as exc:
            results.append(("refused", " ".join(exc.messages)))
        finally:
            conn.close()

    threads = [threading.Thread(target=submit, args=args) for args in users_and_keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_submissions_for_one_slot_exactly_one_wins(quarantine, qinghuayuan_worker, qinghuayuan_head, clock):
    clock.at(DAY1, 9)
    for slot_day in range(3):  # a few rounds, so the race really happens
        check = HealthCheck.objects.filter(followup=quarantine, status="due").order_by("window_start").first()
        clock.set(check.window_start.replace(minute=30))
        results = _race(
            [(qinghuayuan_worker, f"a-{slot_day}", "36.5"), (qinghuayuan_head, f"b-{slot_day}", "36.7")], check
        )
        outcomes = sorted(r[0] for r in results)
        assert outcomes == ["ok", "refused"], results
        refused = next(r[1] for r in results if r[0] == "refused")
        assert "不能重复登记" in refused
        check.refresh_from_db()
        assert check.status == "done"
    assert sum(FollowUpDayCount.objects.values_list("checks_done", flat=True)) == 3


def test_the_same_retry_twice_at_once_records_once(quarantine, qinghuayuan_worker, clock):
    check = HealthCheck.objects.filter(followup=quarantine).order_by("window_start").first()
    clock.set(check.window_start.replace(minute=30))
    results = _race([(qinghuayuan_worker, "same-key", "36.5"), (qinghuayuan_worker, "same-key", "36.5")], check)
    assert sorted(results) == [("ok", False), ("ok", True)], results
    assert HealthCheck.objects.filter(client_key="same-key").count() == 1
    assert sum(FollowUpDayCount.objects.values_list("checks_done", flat=True)) == 1
