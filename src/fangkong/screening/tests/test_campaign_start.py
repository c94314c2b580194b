import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import QINGHUAYUAN, TAISHANLU, XIMAZHUANG
from fangkong.screening.services import campaign_close, campaign_start

from .helpers import a_campaign

TODAY = timezone.localdate


def test_a_community_starts_a_campaign(qinghuayuan_worker):
    c = a_campaign(qinghuayuan_worker)
    assert c.status == "active" and c.division_code == QINGHUAYUAN and c.is_open_on(TODAY())


def test_a_township_starts_one_for_all_its_communities(township_officer):
    c = a_campaign(township_officer, TAISHANLU)
    assert c.division_code == TAISHANLU


def test_campaigns_may_not_overlap_on_the_same_communities(township_officer, qinghuayuan_worker):
    a_campaign(township_officer, TAISHANLU)
    with pytest.raises(ValidationError) as exc:
        a_campaign(qinghuayuan_worker)
    assert "division_code" in exc.value.message_dict


def test_a_closed_campaign_does_not_block_a_new_one(qinghuayuan_worker):
    campaign_close(user=qinghuayuan_worker, campaign=a_campaign(qinghuayuan_worker))
    assert a_campaign(qinghuayuan_worker, name="第二轮").status == "active"


def test_later_campaigns_do_not_clash(qinghuayuan_worker):
    a_campaign(qinghuayuan_worker, days=2)
    later = campaign_start(
        user=qinghuayuan_worker,
        division_code=QINGHUAYUAN,
        name="第二轮",
        starts_on=TODAY() + dt.timedelta(days=3),
        ends_on=TODAY() + dt.timedelta(days=5),
    )
    assert later.pk


@pytest.mark.parametrize("code", [XIMAZHUANG, "410611005007001", "410611", ""])
def test_only_a_community_or_township_in_jurisdiction(qinghuayuan_worker, code):
    with pytest.raises(ValidationError) as exc:
        a_campaign(qinghuayuan_worker, code)
    assert "division_code" in exc.value.message_dict


def test_dates_must_make_sense(qinghuayuan_worker):
    with pytest.raises(ValidationError) as exc:
        campaign_start(
            user=qinghuayuan_worker,
            division_code=QINGHUAYUAN,
            name="x",
            starts_on=TODAY(),
            ends_on=TODAY() - dt.timedelta(days=1),
        )
    assert "ends_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        campaign_start(
            user=qinghuayuan_worker,
            division_code=QINGHUAYUAN,
            name="x",
            starts_on=TODAY(),
            ends_on=TODAY() + dt.timedelta(days=90),
        )
    assert "ends_on" in exc.value.message_dict


def test_a_name_is_required(qinghuayuan_worker):
    with pytest.raises(ValidationError) as exc:
        campaign_start(user=qinghuayuan_worker, division_code=QINGHUAYUAN, name=" ", starts_on=TODAY(), ends_on=TODAY())
    assert "name" in exc.value.message_dict
