import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from conftest import QINGHUAYUAN, TAISHANLU, new_resident_id
from fangkong.people.services import household_create
from fangkong.screening.models import Arrival, CoverageCount, Visit, VisitAttempt
from fangkong.screening.selectors import campaign_coverage, coverage_summary, visit_revisits
from fangkong.screening.services import FoundReturnee, coverage_rebuild, visit_record

from .helpers import a_campaign

GRID1 = QINGHUAYUAN + "001"


def _households(worker, n, code=QINGHUAYUAN):
    return [household_create(user=worker, division_code=code, address=f"泰山路{i}号") for i in range(n)]


def _raw(campaign):
    visits = Visit.objects.filter(campaign=campaign)
    return (visits.filter(result__in=["none", "returnees"]).count(), visits.filter(result="nobody_home").count())


def test_a_visit_with_nobody_home_asks_for_a_revisit(qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    visit, recorded = visit_record(user=qinghuayuan_worker, campaign=c, household=household_qhy, result="nobody_home")
    assert recorded and visit.result == "nobody_home"
    assert list(visit_revisits(user=qinghuayuan_worker)) == [visit]
    assert coverage_summary(prefix=QINGHUAYUAN).revisit == 1


def test_a_revisit_updates_the_same_visit_and_the_coverage(qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    visit_record(user=qinghuayuan_worker, campaign=c, household=household_qhy, result="nobody_home")
    visit, _ = visit_record(user=qinghuayuan_worker, campaign=c, household=household_qhy, result="none")
    assert Visit.objects.count() == 1 and visit.attempts == 2 and visit.result == "none"
    assert VisitAttempt.objects.filter(visit=visit).count() == 2
    s = coverage_summary(prefix=QINGHUAYUAN)
    assert (s.screened, s.revisit, s.in_campaigns) == (1, 0, 1) and s.percent == 100.0
    assert list(visit_revisits(user=qinghuayuan_worker)) == []


def test_a_screened_household_is_never_set_back_to_nobody_home(qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    visit_record(user=qinghuayuan_worker, campaign=c, household=household_qhy, result="none")
    visit, _ = visit_record(user=qinghuayuan_worker, campaign=c, household=household_qhy, result="nobody_home")
    assert visit.result == "none" and _raw(c) == (1, 0)


def test_returnees_found_go_to_the_arrival_queue(qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    found = [
        FoundReturnee(
            name="李四",
            doc_number=new_resident_id("420102"),
            phone="13700001111",
            origin_code="42",
            arrived_on=timezone.localdate() - dt.timedelta(days=2),
            travel_mode="train",
            travel_number="G507",
        )
    ]
    visit, _ = visit_record(
        user=qinghuayuan_worker, campaign=c, household=household_qhy, result="returnees", returnees=found
    )
    a = Arrival.objects.get()
    assert a.source == "visit" and a.source_ref == f"visit:{visit.pk}" and a.origin_name == "湖北省"
    assert a.address == household_qhy.address and a.travel_number == "G507"
    assert visit.returnees_found == 1 and CoverageCount.objects.get().returnees == 1


def test_returnees_found_must_be_listed_and_valid(qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    with pytest.raises(ValidationError) as exc:
        visit_record(user=qinghuayuan_worker, campaign=c, household=household_qhy, result="returnees")
    assert "returnees" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        visit_record(
            user=qinghuayuan_worker,
            campaign=c,
            household=household_qhy,
            result="returnees",
            returnees=[FoundReturnee(name="李四", doc_number="420102199001011234")],
        )
    assert "returnees.0.doc_number" in exc.value.message_dict
    assert not Visit.objects.exists() and not Arrival.objects.exists()


def test_a_retry_with_the_same_client_key_changes_nothing(qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    v1, r1 = visit_record(
        user=qinghuayuan_worker, campaign=c, household=household_qhy, result="nobody_home", client_key="k-1"
    )
    v2, r2 = visit_record(
        user=qinghuayuan_worker, campaign=c, household=household_qhy, result="nobody_home", client_key="k-1"
    )
    assert r1 and not r2 and v1.pk == v2.pk
    assert Visit.objects.get().attempts == 1 and _raw(c) == (0, 1)


def test_a_household_outside_the_campaign_or_jurisdiction_is_refused(
    qinghuayuan_worker, household_xmz, ximazhuang_worker, household_qhy
):
    c = a_campaign(qinghuayuan_worker)
    with pytest.raises(Http404):
        visit_record(user=qinghuayuan_worker, campaign=c, household=household_xmz, result="none")
    with pytest.raises(Http404):
        visit_record(user=ximazhuang_worker, campaign=c, household=household_qhy, result="none")


def test_a_campaign_that_has_ended_takes_no_visits(qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    c.ends_on = c.starts_on = timezone.localdate() - dt.timedelta(days=1)
    c.save()
    with pytest.raises(ValidationError):
        visit_record(user=qinghuayuan_worker, campaign=c, household=household_qhy, result="none")


def test_coverage_per_grid_community_and_township_matches_raw_counts(township_officer, qinghuayuan_worker):
    c = a_campaign(township_officer, TAISHANLU)
    in_grid = _households(qinghuayuan_worker, 4, GRID1)
    at_community = _households(qinghuayuan_worker, 3)
    for h, result in zip(
        in_grid + at_community, ["none", "returnees", "nobody_home", "none", "none", "nobody_home"], strict=False
    ):
        found = [FoundReturnee(name="王五", doc_number=new_resident_id("420102"))] if result == "returnees" else []
        visit_record(user=qinghuayuan_worker, campaign=c, household=h, result=result, returnees=found)
    tree = campaign_coverage(campaign=c)
    community = next(r for r in tree.children if r.code == QINGHUAYUAN)
    grid = next(r for r in community.children if r.code == GRID1)
    assert (tree.screened, tree.revisit) == _raw(c) == (4, 2)
    assert (community.households, community.screened, community.revisit) == (7, 4, 2)
    assert (grid.households, grid.screened, grid.revisit, grid.returnees) == (4, 3, 1, 1)
    rest = community.children[-1]
    assert (rest.households, rest.screened, rest.revisit) == (3, 1, 1)
    s = coverage_summary(prefix=TAISHANLU)
    assert s.screened == 4 and s.in_campaigns == s.households
    for prefix in (QINGHUAYUAN, GRID1, TAISHANLU, "410611", "4106"):
        raw = Visit.objects.under(prefix).filter(campaign=c, result__in=["none", "returnees"]).count()
        assert coverage_summary(prefix=prefix).screened == raw


def test_the_counters_can_be_rebuilt_from_the_visits(qinghuayuan_worker):
    c = a_campaign(qinghuayuan_worker)
    for h, result in zip(_households(qinghuayuan_worker, 3), ["none", "nobody_home", "none"], strict=False):
        visit_record(user=qinghuayuan_worker, campaign=c, household=h, result=result)
    before = coverage_summary(prefix=QINGHUAYUAN)
    CoverageCount.objects.update(screened=99)
    coverage_rebuild(campaign=c)
    assert coverage_summary(prefix=QINGHUAYUAN) == before


def test_a_past_day_counts_what_was_screened_by_then(qinghuayuan_worker):
    c = a_campaign(qinghuayuan_worker)
    c.starts_on = timezone.localdate() - dt.timedelta(days=1)
    c.save()
    h1, h2 = _households(qinghuayuan_worker, 2)
    v, _ = visit_record(user=qinghuayuan_worker, campaign=c, household=h1, result="none")
    Visit.objects.filter(pk=v.pk).update(screened_on=c.starts_on)
    visit_record(user=qinghuayuan_worker, campaign=c, household=h2, result="none")
    assert coverage_summary(prefix=QINGHUAYUAN, day=c.starts_on).screened == 1
    assert coverage_summary(prefix=QINGHUAYUAN).screened == 2


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="the in-memory SQLite test database cannot take concurrent writers; on a file, "
    "IMMEDIATE transactions serialize them anyway",
)
def test_concurrent_visits_to_the_same_household_make_one_visit(committed_db, qinghuayuan_worker):
    from fangkong.screening.models import Campaign

    c = a_campaign(qinghuayuan_worker)
    h = _households(qinghuayuan_worker, 1)[0]
    errors = []
    barrier = threading.Barrier(4)

    def knock(i):
        try:
            barrier.wait()
            visit_record(
                user=qinghuayuan_worker,
                campaign=Campaign.objects.get(pk=c.pk),
                household=h,
                result="none" if i % 2 else "nobody_home",
                client_key=f"c-{i}",
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=knock, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    visit = Visit.objects.get()
    assert visit.attempts == 4 and VisitAttempt.objects.count() == 4
    assert visit.result == "none"  # a screened result is never undone
    assert _raw(c) == (1, 0)
    assert coverage_summary(prefix=QINGHUAYUAN).screened == 1 and coverage_summary(prefix=QINGHUAYUAN).revisit == 0


def test_deleting_a_household_takes_its_visits_out_of_the_coverage(qinghuayuan_worker):
    from fangkong.people.services import household_delete

    c = a_campaign(qinghuayuan_worker)
    gone, stays, away = _households(qinghuayuan_worker, 3)
    visit_record(
        user=qinghuayuan_worker,
        campaign=c,
        household=gone,
        result="returnees",
        returnees=[
            FoundReturnee(
                name="李四",
                doc_number=new_resident_id("420102"),
                origin_code="42",
                arrived_on=timezone.localdate() - dt.timedelta(days=1),
            )
        ],
    )
    visit_record(user=qinghuayuan_worker, campaign=c, household=stays, result="none")
    visit_record(user=qinghuayuan_worker, campaign=c, household=away, result="nobody_home")
    household_delete(user=qinghuayuan_worker, household=gone, reason="重复建档")
    household_delete(user=qinghuayuan_worker, household=away, reason="整户迁出")
    s = coverage_summary(prefix=QINGHUAYUAN)
    assert (s.households, s.screened, s.revisit, s.percent) == (1, 1, 0, 100.0) and _raw(c) == (1, 0)
    live = sorted(CoverageCount.objects.values_list("division_code", "screened", "revisit", "returnees"))
    coverage_rebuild(campaign=c)  # the counters equal what the visits say
    rebuilt = sorted(CoverageCount.objects.values_list("division_code", "screened", "revisit", "returnees"))
    assert [r for r in live if any(r[1:])] == rebuilt


def test_a_household_moved_takes_its_visits_along(qinghuayuan_worker, township_officer):
    """A household put in the right grid after its visit counts there; one
    moved out of the campaign's community drops out of its coverage."""
    from fangkong.people.services import household_update

    c = a_campaign(qinghuayuan_worker)
    regridded, moved_away, stays = _households(qinghuayuan_worker, 3)
    visit_record(
        user=qinghuayuan_worker,
        campaign=c,
        household=regridded,
        result="returnees",
        returnees=[
            FoundReturnee(
                name="李四",
                doc_number=new_resident_id("420102"),
                origin_code="42",
                arrived_on=timezone.localdate() - dt.timedelta(days=1),
            )
        ],
    )
    visit_record(user=qinghuayuan_worker, campaign=c, household=moved_away, result="nobody_home")
    visit_record(user=qinghuayuan_worker, campaign=c, household=stays, result="none")

    household_update(user=qinghuayuan_worker, household=regridded, address=regridded.address, division_code=GRID1)
    grid = coverage_summary(prefix=GRID1)
    assert (grid.households, grid.screened, grid.revisit) == (1, 1, 0)
    in_grid = next(r for r in campaign_coverage(campaign=c).children if r.code == GRID1)
    assert (in_grid.households, in_grid.screened, in_grid.returnees) == (1, 1, 1)
    community = coverage_summary(prefix=QINGHUAYUAN)
    assert (community.households, community.screened, community.revisit) == (3, 2, 1)

    elsewhere = TAISHANLU + "001"  # another community of the same township
    household_update(user=township_officer, household=moved_away, address=moved_away.address, division_code=elsewhere)
    community = coverage_summary(prefix=QINGHUAYUAN)
    assert (community.households, community.screened, community.revisit) == (2, 2, 0)
    assert Visit.objects.get(household=moved_away).division_code == elsewhere
    row = campaign_coverage(campaign=c)
    assert (row.households, row.screened) == (2, 2)

    live = sorted(CoverageCount.objects.values_list("division_code", "screened", "revisit", "returnees"))
    coverage_rebuild(campaign=c)  # the counters equal what the visits say
    rebuilt = sorted(CoverageCount.objects.values_list("division_code", "screened", "revisit", "returnees"))
    assert [r for r in live if any(r[1:])] == rebuilt
