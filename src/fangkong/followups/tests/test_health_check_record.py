import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fangkong.followups.models import FollowUpDayCount, HealthCheck, Referral
from fangkong.followups.services import health_check_record

from .conftest import DAY1


def _slot(followup, day=DAY1, slot=0):
    return HealthCheck.objects.get(followup=followup, slot_date=day, slot=slot)


def test_it_records_temperature_symptoms_and_note(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    check, created = health_check_record(
        user=qinghuayuan_worker, check=_slot(quarantine), temperature="36.6", note="状态良好", client_key="k-1"
    )
    check.refresh_from_db()
    assert created and check.status == "done" and check.temperature == Decimal("36.6") and not check.late
    assert check.recorded_by == qinghuayuan_worker and check.note == "状态良好"
    assert FollowUpDayCount.objects.get(day=DAY1).checks_done == 1
    assert not Referral.objects.exists()


def test_a_retry_with_the_same_client_key_returns_the_first_result(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    first, _ = health_check_record(
        user=qinghuayuan_worker, check=_slot(quarantine), temperature="36.6", client_key="retry-1"
    )
    again, created = health_check_record(
        user=qinghuayuan_worker, check=_slot(quarantine), temperature="36.9", client_key="retry-1"
    )
    assert not created and again.pk == first.pk and again.temperature == Decimal("36.6")
    assert FollowUpDayCount.objects.get(day=DAY1).checks_done == 1


def test_a_second_submission_for_the_same_slot_is_refused_with_who_recorded_it(
    quarantine, qinghuayuan_worker, qinghuayuan_head, clock
):
    clock.at(DAY1, 9)
    health_check_record(user=qinghuayuan_worker, check=_slot(quarantine), temperature="36.6", client_key="a")
    with pytest.raises(ValidationError) as exc:
        health_check_record(user=qinghuayuan_head, check=_slot(quarantine), temperature="36.8", client_key="b")
    assert "清华园张" in str(exc.value) and "不能重复登记" in str(exc.value)


def test_a_client_key_cannot_be_reused_for_another_check(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 15)
    health_check_record(user=qinghuayuan_worker, check=_slot(quarantine), temperature="36.6", client_key="same")
    with pytest.raises(ValidationError) as exc:
        health_check_record(
            user=qinghuayuan_worker, check=_slot(quarantine, slot=1), temperature="36.6", client_key="same"
        )
    assert "client_key" in exc.value.message_dict


@pytest.mark.parametrize("value", ["34.9", "42.1", "abc", "", None, "NaN", "Infinity"])
def test_temperatures_out_of_range_are_refused(quarantine, qinghuayuan_worker, clock, value):
    clock.at(DAY1, 9)
    with pytest.raises(ValidationError) as exc:
        health_check_record(user=qinghuayuan_worker, check=_slot(quarantine), temperature=value)
    assert "temperature" in exc.value.message_dict
    assert _slot(quarantine).status == "due"


@pytest.mark.parametrize("value", ["35.0", "42.0", "36.55"])
def test_the_range_ends_are_allowed(quarantine, qinghuayuan_worker, clock, value):
    clock.at(DAY1, 9)
    check, _ = health_check_record(user=qinghuayuan_worker, check=_slot(quarantine), temperature=value)
    assert Decimal("35.0") <= check.temperature <= Decimal("42.0")


def test_unknown_symptoms_are_refused(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    with pytest.raises(ValidationError) as exc:
        health_check_record(user=qinghuayuan_worker, check=_slot(quarantine), temperature="36.5", symptoms=["headache"])
    assert "symptoms" in exc.value.message_dict


def test_a_check_cannot_be_recorded_before_its_window_opens(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    with pytest.raises(ValidationError) as exc:
        health_check_record(user=qinghuayuan_worker, check=_slot(quarantine, slot=1), temperature="36.5")
    assert "14:00" in str(exc.value)


def test_a_late_check_is_allowed_and_stays_marked_late(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1 + dt.timedelta(days=1), 8)
    check, _ = health_check_record(user=qinghuayuan_worker, check=_slot(quarantine), temperature="36.5")
    assert check.status == "done" and check.late
    row = FollowUpDayCount.objects.get(day=DAY1)
    assert (row.checks_done, row.checks_late) == (1, 1)


def test_an_outsider_gets_404(quarantine, ximazhuang_worker, clock):
    clock.at(DAY1, 9)
    with pytest.raises(Http404):
        health_check_record(user=ximazhuang_worker, check=_slot(quarantine), temperature="36.5")


def test_a_viewer_without_the_edit_capability_cannot_record(quarantine, inspector, clock):
    clock.at(DAY1, 9)
    with pytest.raises(Http404):
        health_check_record(user=inspector, check=_slot(quarantine), temperature="36.5")
