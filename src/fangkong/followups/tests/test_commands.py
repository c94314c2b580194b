import datetime as dt
import io

from django.core.management import call_command

from fangkong.followups.models import FollowUpDayCount

from .conftest import DAY1


def test_the_overdue_command_lists_communities_with_overdue_checks(quarantine, clock):
    clock.at(DAY1 + dt.timedelta(days=1), 13)
    out = io.StringIO()
    call_command("followups_overdue", "--division", "410611", stdout=out)
    assert "410611005007\t清华园社区\t逾期检测 3\t超时配送 0" in out.getvalue()


def test_the_recount_command_rebuilds_the_day_counts(quarantine):
    FollowUpDayCount.objects.all().delete()
    out = io.StringIO()
    call_command("followups_recount", "--division", "410611005007", stdout=out)
    assert "14 day-count rows" in out.getvalue()
    assert sum(FollowUpDayCount.objects.values_list("checks_due", flat=True)) == 28


def test_the_overdue_command_speaks_english_when_asked(quarantine, clock):
    clock.at(DAY1 + dt.timedelta(days=1), 13)
    out = io.StringIO()
    call_command("followups_overdue", "--division", "410611", "--language", "en", stdout=out)
    text = out.getvalue()
    assert (
        "410611005007\t清华园社区\tOverdue checks 3\tLate deliveries 0\tOverdue central-quarantine approvals 0" in text
    )
    assert "1 communities" in text and "逾期" not in text


def test_the_overdue_command_lists_central_quarantines_past_their_approval_time(qinghuayuan_worker, zhang_san, clock):
    from fangkong.followups.services import followup_start

    clock.at(DAY1, 8)
    followup_start(
        user=qinghuayuan_worker, person=zhang_san, kind="central_quarantine", reason="密接", site_name="隔离点"
    )
    clock.advance(hours=25)
    out = io.StringIO()
    call_command("followups_overdue", "--division", "410611", stdout=out)
    assert "集中隔离审批逾期 1" in out.getvalue()
