"""Small builders shared by the screening tests (generated data only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from conftest import QINGHUAYUAN, new_resident_id
from fangkong.people.identity import recorded_identity
from fangkong.screening.services import arrival_record, campaign_start


def a_risk_area(origin_code="4201", level="high", days_ago=3):
    """A current risk area, written directly (the tests of the risk-area
    service are the checkpoints app's)."""
    from fangkong.checkpoints.models import RiskArea

    return RiskArea.objects.create(
        origin_code=origin_code,
        origin_name=origin_code,
        level=level,
        starts_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def an_arrival(
    code=QINGHUAYUAN,
    *,
    flags=None,
    source="passage",
    name="钱多多",
    number=None,
    actor=None,
    origin_code="4201",
    origin_name="湖北省武汉市",
    arrived_on=None,
    phone="13600001111",
):
    """An arrival; ``flags`` says what it should be flagged for, through what
    raises the flag (a 37.9 ℃ temperature for fever, a current risk area at the
    origin for risk_area): flags are computed, never given."""
    flags = flags or []
    if "risk_area" in flags:
        a_risk_area(origin_code)
    ident = recorded_identity(name=name, doc_number=number or new_resident_id("420102"), phone=phone)
    return arrival_record(
        actor=actor,
        division_code=code,
        identity=ident,
        source=source,
        temperature=Decimal("37.9") if "fever" in flags else None,
        origin_code=origin_code,
        origin_name=origin_name,
        arrived_on=arrived_on,
    )[0]


def a_campaign(user, code=QINGHUAYUAN, days=2, name="第一轮入户排查"):
    today = timezone.localdate()
    return campaign_start(
        user=user, division_code=code, name=name, starts_on=today, ends_on=today + dt.timedelta(days=days)
    )
