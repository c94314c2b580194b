import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from fangkong.checkpoints.models import ShiftCheck
from fangkong.checkpoints.selectors import on_duty, roster_gaps, shift_staff_candidates, work_norms
from fangkong.checkpoints.services import (
    checkpoint_status_change,
    shift_check,
    shift_create,
    shift_handover,
)

NOW = timezone.make_aware(dt.datetime(2020, 2, 1, 9, 0))
H = dt.timedelta(hours=1)


def shift(actor, cp, start_h, end_h, staff=(), volunteers="党员王五"):
    return shift_create(
        actor=actor,
        checkpoint=cp,
        starts_at=NOW + start_h * H,
        ends_at=NOW + end_h * H,
        staff_ids=[u.pk for u in staff],
        volunteers=volunteers,
    )


def test_gaps_in_the_next_48_hours_are_found(county_officer, qibin_checkpoint):
    shift(county_officer, qibin_checkpoint, -1, 8)  # on now, until 17:00
    shift(county_officer, qibin_checkpoint, 8, 16)
    shift(county_officer, qibin_checkpoint, 20, 30)
    shift(county_officer, qibin_checkpoint, 25, 44)  # overlapping shifts are fine
    gaps = roster_gaps(checkpoint=qibin_checkpoint, start=NOW)
    assert [(g.starts_at, g.ends_at) for g in gaps] == [(NOW + 16 * H, NOW + 20 * H), (NOW + 44 * H, NOW + 48 * H)]
    assert gaps[0].hours == 4.0


def test_an_empty_roster_is_one_48_hour_gap_and_a_closed_checkpoint_has_none(hq_officer, qibin_checkpoint):
    assert [g.hours for g in roster_gaps(checkpoint=qibin_checkpoint, start=NOW)] == [48.0]
    closed = checkpoint_status_change(
        actor=hq_officer, checkpoint=qibin_checkpoint, to_status="closed", reason="撤除卡点"
    )
    assert roster_gaps(checkpoint=closed, start=NOW) == []


def test_who_is_on_duty_now(county_officer, checkpoint_staff, qibin_checkpoint):
    s = shift(county_officer, qibin_checkpoint, -2, 6, staff=[checkpoint_staff])
    shift(county_officer, qibin_checkpoint, 6, 14)
    assert on_duty(checkpoint=qibin_checkpoint, at=NOW) == [s]
    assert list(s.staff.all()) == [checkpoint_staff] and s.volunteer_names() == ["党员王五"]


def test_staff_must_work_in_the_checkpoints_jurisdiction(
    county_officer, ximazhuang_worker, checkpoint_staff, qibin_checkpoint
):
    assert checkpoint_staff in shift_staff_candidates(checkpoint=qibin_checkpoint)
    assert ximazhuang_worker not in shift_staff_candidates(checkpoint=qibin_checkpoint)
    with pytest.raises(ValidationError) as exc:
        shift(county_officer, qibin_checkpoint, 0, 8, staff=[ximazhuang_worker])
    assert "staff" in exc.value.message_dict


@pytest.mark.parametrize("start_h, end_h", [(8, 8), (8, 4), (0, 25)])
def test_a_shift_must_end_after_it_starts_and_last_at_most_a_day(county_officer, qibin_checkpoint, start_h, end_h):
    with pytest.raises(ValidationError) as exc:
        shift(county_officer, qibin_checkpoint, start_h, end_h)
    assert "ends_at" in exc.value.message_dict


def test_a_shift_needs_somebody(county_officer, qibin_checkpoint):
    with pytest.raises(ValidationError):
        shift(county_officer, qibin_checkpoint, 0, 8, volunteers="")


def test_checkpoint_staff_cannot_make_the_roster(checkpoint_staff, qibin_checkpoint):
    with pytest.raises(PermissionDenied):
        shift(checkpoint_staff, qibin_checkpoint, 0, 8)


def test_staff_tick_the_levels_norms_and_write_the_handover(
    county_officer, checkpoint_staff, qibin_checkpoint, xunxian_checkpoint
):
    s = shift(county_officer, qibin_checkpoint, 0, 8, staff=[checkpoint_staff])
    norms = work_norms(level="city")
    assert len(norms) >= 5  # seeded by the data migration
    shift_check(actor=checkpoint_staff, shift=s, norm=norms[0], checked=True)
    shift_check(actor=checkpoint_staff, shift=s, norm=norms[0], checked=True)  # idempotent
    shift_check(actor=checkpoint_staff, shift=s, norm=norms[1], checked=True)
    shift_check(actor=checkpoint_staff, shift=s, norm=norms[1], checked=False)
    tick = ShiftCheck.objects.get(shift=s)
    assert tick.norm == norms[0] and tick.norm_text == norms[0].text and tick.checked_by == checkpoint_staff
    with pytest.raises(ValidationError):  # a county norm on a city checkpoint's shift
        shift_check(actor=checkpoint_staff, shift=s, norm=work_norms(level="county")[0], checked=True)
    shift_handover(actor=checkpoint_staff, shift=s, note="体温枪电池已换，消毒液剩半桶。")
    s.refresh_from_db()
    assert s.handover_note.startswith("体温枪")


def test_an_outsider_cannot_tick_a_shift(county_officer, ximazhuang_worker, qibin_checkpoint):
    from django.http import Http404

    s = shift(county_officer, qibin_checkpoint, 0, 8)
    with pytest.raises(Http404):
        shift_check(actor=ximazhuang_worker, shift=s, norm=work_norms(level="city")[0], checked=True)


def test_one_person_cannot_be_on_two_shifts_at_once(county_officer, hq_officer, checkpoint_staff, qibin_checkpoint):
    from fangkong.checkpoints.models import Shift
    from fangkong.checkpoints.services import checkpoint_create, shift_update

    bus = checkpoint_create(
        actor=hq_officer, level="county", division_code="410611", name="鹤壁汽车站", kind="bus_station"
    )
    first = shift(county_officer, qibin_checkpoint, 0, 8, staff=[checkpoint_staff])
    with pytest.raises(ValidationError) as exc:
        shift(county_officer, bus, 6, 14, staff=[checkpoint_staff])
    (message,) = exc.value.message_dict["staff"]
    assert "鹤壁东站" in message and "同时" in message and "02-01 09:00" in message
    assert Shift.objects.filter(checkpoint=bus).count() == 0
    # Back to back is fine; volunteers are names, not checked; the same shift edited is not a clash with itself.
    shift(county_officer, bus, 8, 16, staff=[checkpoint_staff])
    shift(county_officer, bus, 0, 8, volunteers="党员王五")
    shift_update(
        actor=county_officer,
        shift=first,
        starts_at=NOW - H,
        ends_at=NOW + 8 * H,
        staff_ids=[checkpoint_staff.pk],
        volunteers="",
    )
    with pytest.raises(ValidationError):  # stretched into the next shift at 鹤壁汽车站
        shift_update(
            actor=county_officer,
            shift=first,
            starts_at=NOW - H,
            ends_at=NOW + 9 * H,
            staff_ids=[checkpoint_staff.pk],
            volunteers="",
        )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races between connections need PostgreSQL: the "
    "in-memory SQLite test database cannot take concurrent writers",
)
def test_two_managers_rostering_one_person_at_once_cannot_both_succeed(
    committed_db, county_officer, hq_officer, checkpoint_staff, qibin_checkpoint
):
    from fangkong.checkpoints.models import Shift
    from fangkong.checkpoints.services import checkpoint_create

    bus = checkpoint_create(
        actor=hq_officer, level="county", division_code="410611", name="鹤壁汽车站", kind="bus_station"
    )
    barrier = threading.Barrier(2)
    done, refused, failures = [], [], []

    def roster(cp):
        try:
            barrier.wait(timeout=10)
            done.append(shift(county_officer, cp, 0, 8, staff=[checkpoint_staff]))
        except ValidationError as exc:
            refused.append(exc)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=roster, args=(cp,)) for cp in (qibin_checkpoint, bus)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not failures, failures
    assert len(done) == 1 and len(refused) == 1
    assert Shift.objects.filter(staff=checkpoint_staff).count() == 1
