import datetime as dt

import pytest
from django.utils import timezone

from fangkong.checkpoints.models import RiskArea
from fangkong.screening.services import measure_propose

TODAY = dt.date(2020, 2, 1)
pytestmark = pytest.mark.django_db


def test_contact_with_a_case_proposes_central_quarantine():
    assert measure_propose(case_contact=True, arrived_on=TODAY, today=TODAY).measure == "central_quarantine"


def test_having_been_to_a_risk_area_within_14_days_proposes_home_quarantine():
    p = measure_propose(risk_area_contact=True, arrived_on=TODAY - dt.timedelta(days=3), today=TODAY)
    assert p.measure == "home_quarantine" and "风险地区" in p.reason


def test_a_recent_arrival_from_elsewhere_proposes_health_monitoring():
    assert (
        measure_propose(origin_code="31", arrived_on=TODAY - dt.timedelta(days=13), today=TODAY).measure
        == "health_monitoring"
    )


def test_an_arrival_more_than_14_days_ago_proposes_nothing():
    assert (
        measure_propose(risk_area_contact=True, arrived_on=TODAY - dt.timedelta(days=14), today=TODAY).measure == "none"
    )


def test_case_contact_wins_even_after_14_days():
    assert (
        measure_propose(case_contact=True, arrived_on=TODAY - dt.timedelta(days=30), today=TODAY).measure
        == "central_quarantine"
    )


def test_the_default_day_is_today():
    assert measure_propose(arrived_on=timezone.localdate()).measure == "health_monitoring"


def test_a_current_risk_area_of_origin_proposes_home_quarantine():
    RiskArea.objects.create(
        origin_code="42", origin_name="湖北省", level="high", starts_on=TODAY - dt.timedelta(days=30)
    )
    p = measure_propose(origin_code="4201", arrived_on=TODAY - dt.timedelta(days=2), today=TODAY)
    assert p.measure == "home_quarantine" and "高风险" in p.reason
    assert measure_propose(origin_code="31", arrived_on=TODAY, today=TODAY).measure == "health_monitoring"


def test_a_risk_area_lifted_before_the_arrival_does_not_count():
    RiskArea.objects.create(
        origin_code="4201",
        origin_name="武汉市",
        level="medium",
        starts_on=TODAY - dt.timedelta(days=30),
        ends_on=TODAY - dt.timedelta(days=10),
    )
    assert (
        measure_propose(origin_code="4201", arrived_on=TODAY - dt.timedelta(days=2), today=TODAY).measure
        == "health_monitoring"
    )
