"""Fixtures for the checkpoint tests: checkpoints at three levels, set up by
the city HQ through the service, and a helper that builds a passage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import QIBIN, QINGHUAYUAN, XIMAZHUANG, XUNXIAN, new_resident_id


@pytest.fixture
def qibin_checkpoint(hq_officer):
    """鹤壁东站, a city-level checkpoint in 淇滨区 (checkpoint_staff's county)."""
    from fangkong.checkpoints.services import checkpoint_create

    return checkpoint_create(
        actor=hq_officer,
        level="city",
        division_code=QIBIN,
        name="鹤壁东站",
        kind="railway_station",
        location="高铁站出站口",
    )


@pytest.fixture
def xunxian_checkpoint(hq_officer):
    """A county checkpoint in 浚县 (outside 淇滨区)."""
    from fangkong.checkpoints.services import checkpoint_create

    return checkpoint_create(
        actor=hq_officer, level="county", division_code=XUNXIAN, name="浚县107国道卡点", kind="highway"
    )


@pytest.fixture
def ximazhuang_gate(hq_officer):
    """The village entrance of 西马庄村 (浚县)."""
    from fangkong.checkpoints.services import checkpoint_create

    return checkpoint_create(
        actor=hq_officer, level="community", division_code=XIMAZHUANG, name="西马庄村东口", kind="village_entrance"
    )


@pytest.fixture
def wuhan_high_risk(hq_officer):
    from fangkong.checkpoints.services import risk_area_create

    return risk_area_create(
        actor=hq_officer, origin_code="4201", level="high", starts_on=timezone.localdate() - dt.timedelta(days=3)
    )


def passage(**overrides):
    """A valid inbound passage bound for 清华园社区, from 郑州, 36.5 °C."""
    from fangkong.checkpoints.services import PassageIn

    values = dict(
        direction="in",
        temperature="36.5",
        doc_number=new_resident_id("420102"),
        name="钱多多",
        phone="13600001111",
        plate="豫F12345",
        origin="4101",
        destination=QINGHUAYUAN,
        purpose="return_home",
    )
    values.update(overrides)
    return PassageIn(**values)
