"""A checkpoint and a health check read a typed temperature the same way: the
same input is accepted or refused (with the same reason) by both, and gives
the same fever answer (fangkong.lib.vitals), through the services and the API."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import QIBIN, QINGHUAYUAN, new_resident_id
from fangkong.accounts.services import token_create
from fangkong.checkpoints.services import PassageIn, checkpoint_create, passage_register
from fangkong.followups.models import HealthCheck, Referral
from fangkong.followups.services import health_check_record

from .conftest import DAY1

INPUTS = ["36,5", "365", "37.3", "37,3", "  38 ", "３７.５", "42.1", "", "abc"]
EXPECTED = {"36,5": False, "37.3": True, "37,3": True, "  38 ": True, "３７.５": True}  # accepted: fever?


def _slots(followup):
    return list(HealthCheck.objects.filter(followup=followup).order_by("slot_date", "slot"))


def _at_checkpoint(staff, cp, typed):
    try:
        reg = passage_register(
            actor=staff,
            checkpoint=cp,
            passage=PassageIn(
                direction="in",
                temperature=typed,
                doc_number=new_resident_id("420102"),
                name="钱多多",
                phone="13600001111",
                origin="4101",
                destination=QINGHUAYUAN,
                purpose="return_home",
            ),
        )
    except ValidationError as exc:
        return "refused", exc.message_dict.get("temperature")
    return "accepted", reg.first.fever


def _referred_checks(followup) -> int:
    return sum(Referral.objects.filter(followup=followup).values_list("checks_count", flat=True))


def _at_health_check(worker, check, typed):
    """Accepted: is it a fever (a referral raised, or the check counted on the open one)?"""
    before = _referred_checks(check.followup)
    try:
        health_check_record(user=worker, check=check, temperature=typed)
    except ValidationError as exc:
        return "refused", exc.message_dict.get("temperature")
    return "accepted", _referred_checks(check.followup) > before


def test_a_checkpoint_and_a_health_check_give_the_same_answer(
    quarantine, qinghuayuan_worker, checkpoint_staff, hq_officer, clock
):
    cp = checkpoint_create(actor=hq_officer, level="city", division_code=QIBIN, name="鹤壁东站", kind="railway_station")
    clock.at(DAY1 + dt.timedelta(days=7), 20)
    slots = iter(_slots(quarantine))
    for typed in INPUTS:
        at_checkpoint = _at_checkpoint(checkpoint_staff, cp, typed)
        assert at_checkpoint == _at_health_check(qinghuayuan_worker, next(slots), typed), typed
        if typed in EXPECTED:
            assert at_checkpoint == ("accepted", EXPECTED[typed]), typed
        else:
            assert at_checkpoint[0] == "refused" and at_checkpoint[1], typed


def _client(user):
    _token, raw = token_create(user=user, name="pytest")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize("typed", INPUTS)
def test_the_api_gives_the_same_answer_at_a_checkpoint_and_for_a_health_check(
    typed, quarantine, qinghuayuan_worker, checkpoint_staff, hq_officer, clock
):
    cp = checkpoint_create(actor=hq_officer, level="city", division_code=QIBIN, name="鹤壁东站", kind="railway_station")
    clock.at(DAY1, 9)
    passage = _client(checkpoint_staff).post(
        f"/api/v1/checkpoints/{cp.pk}/passages",
        json.dumps(
            {
                "direction": "in",
                "doc_number": new_resident_id("420102"),
                "name": "钱多多",
                "phone": "13600001111",
                "temperature": typed,
                "origin": "4101",
                "destination": QINGHUAYUAN,
            }
        ),
        content_type="application/json",
    )
    check = HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=0)
    recorded = _client(qinghuayuan_worker).post(
        f"/api/v1/followups/checks/{check.pk}/record",
        json.dumps({"temperature": typed}),
        content_type="application/json",
    )
    assert passage.status_code in (201, 422) and recorded.status_code in (201, 422)
    assert passage.status_code == recorded.status_code, (passage.content, recorded.content)
    if passage.status_code == 422:
        assert passage.json()["errors"]["temperature"] == recorded.json()["errors"]["temperature"]
        assert typed not in EXPECTED
    else:
        fever = passage.json()["passages"][0]["fever"]
        assert fever == EXPECTED[typed]
        assert Referral.objects.filter(health_check_id=check.pk).exists() == fever
