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
    assert partial.startswith("<div id=\"coverage-overview\"") and 'hx-trigger="every 15s"' in partial


def test_the_outsider_sees_no_coverage_of_another_county(client, qinghuayuan_worker, ximazhuang_worker):
    c = a_campaign(qinghuayuan_worker)
    _screen(qinghuayuan_worker, c, 2)
    html = login(client, ximazhuang_worker).get(reverse("screening:coverage")).content.decode()
    assert "清华园" not in html and "第一轮入户排查" not in html and "今天没有进行中的入户排查" in html
