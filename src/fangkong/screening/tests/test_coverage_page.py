from django.urls import reverse

from conftest import QINGHUAYUAN, TAISHANLU, login
from fangkong.people.services import household_create
from fangkong.screening.services import visit_record

from .helpers import a_campaign


def _screen(worker, campaign, n, result="none"):
    for i in range(n):
        h = household_create(user=worker, division_code=QINGHUAYUAN + "001", address=f"{result}{i}号")
        visit_record(user=worker, campaign=campaign, household=h, result=result)


def test_the_county_sees_coverage_by_township(client, county_officer, township_officer, qinghuayuan_worker):
    c = a_campaign(township_officer, TAISHANLU)
    _screen(qinghuayuan_worker, c, 3)
    _screen(qinghuayuan_worker, c, 1, "nobody_home")
    html = login(client, county_officer).get(reverse("screening:coverage")).content.decode()
    assert "淇滨区" in html and "泰山路街道" in html and "75.0%" in html


def test_the_coverage_page_refreshes_itself(client, qinghuayuan_worker):
    a_campaign(qinghuayuan_worker)
    login(client, qinghuayuan_worker)
    partial = client.get(reverse("screening:coverage"), HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="coverage-overview"') and 'hx-trigger="every 15s"' in partial


def test_the_outsider_sees_no_coverage_of_another_county(client, qinghuayuan_worker, ximazhuang_worker):
    c = a_campaign(qinghuayuan_worker)
    _screen(qinghuayuan_worker, c, 2)
    html = login(client, ximazhuang_worker).get(reverse("screening:coverage")).content.decode()
    assert "清华园" not in html and "第一轮入户排查" not in html and "今天没有进行中的入户排查" in html


def test_the_city_headline_is_over_every_household(client, hq_officer, qinghuayuan_worker, household_xmz):
    """One small campaign running in one community: the city's coverage is its
    screened households out of all the city's households, and the figure over
    the campaign's households says that is what it is over."""
    from fangkong.screening.selectors import coverage_summary

    c = a_campaign(qinghuayuan_worker)
    _screen(qinghuayuan_worker, c, 1)
    _screen(qinghuayuan_worker, c, 1, "nobody_home")
    s = coverage_summary(prefix="4106")
    assert (s.households, s.in_campaigns, s.screened) == (3, 2, 1)
    assert s.percent_of_households == 33.3 and s.percent == 50.0
    html = login(client, hq_officer).get(reverse("screening:coverage")).content.decode()
    assert '<span class="num" data-coverage="all">33.3%</span><span class="label">覆盖率（占辖区全部 3 户）' in html
    assert '<span class="num" data-coverage="campaigns">50.0%</span><span class="label">排查范围内覆盖率' in html


def test_the_api_gives_both_percentages(hq_officer, qinghuayuan_worker, household_xmz):
    from .test_api import Api

    c = a_campaign(qinghuayuan_worker)
    _screen(qinghuayuan_worker, c, 1)
    api = Api(hq_officer)
    cov = api.get("/coverage").json()
    assert (cov["percent"], cov["percent_of_households"]) == (100.0, 50.0)
    counts = api.get("/counts").json()
    assert (counts["coverage_percent"], counts["coverage_percent_of_households"]) == (100.0, 50.0)
