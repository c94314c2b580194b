"""The next steps shown for a flagged passage never contradict each other: a
feverish traveller (or anyone in their car) stays at the checkpoint until the
fever is ruled out, whatever area they come from."""

import itertools

import pytest
from django.utils import translation

from fangkong.checkpoints.choices import RiskLevel
from fangkong.checkpoints.guidance import next_steps

CASES = list(itertools.product([RiskLevel.HIGH, RiskLevel.MEDIUM, ""], [True, False], [True, False]))


@pytest.mark.parametrize(("risk_level", "inbound", "queued"), CASES)
def test_a_feverish_traveller_is_never_sent_home_while_held_at_the_checkpoint(risk_level, inbound, queued):
    steps = next_steps(
        fever=True, risk_level=risk_level, inbound=inbound, destination_name="清华园社区", arrival_queued=queued
    )
    assert any("不得放行" in s for s in steps)
    for s in steps:
        assert "直接回家" not in s
        # Home quarantine or monitoring only once the fever has been ruled out.
        if "居家" in s:
            assert "排除" in s, s
    with translation.override("en"):
        english = next_steps(
            fever=True, risk_level=risk_level, inbound=inbound, destination_name="x", arrival_queued=queued
        )
    assert not any("straight home" in s for s in english)


@pytest.mark.parametrize("risk_level", [RiskLevel.HIGH, RiskLevel.MEDIUM])
def test_a_traveller_without_fever_from_a_risk_area_is_told_to_go_home(risk_level):
    steps = next_steps(fever=False, risk_level=risk_level, inbound=True)
    assert any("居家" in s for s in steps)
    assert not any("不得放行" in s for s in steps)
