"""The visit form: one "register one more" toggle at a time, the people found
only asked for with the result "returnees found", and back to where the
worker came from (a safe ``next``) after saving."""

import re

import pytest
from django.urls import reverse

from conftest import login
from fangkong.screening.models import Visit
from fangkong.screening.services import visit_record

from .helpers import a_campaign

EMPTY_SET = {"p-TOTAL_FORMS": "3", "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "0", "p-MAX_NUM_FORMS": "10"}


def test_the_toggles_are_told_apart_and_the_people_found_are_a_section(client, qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    login(client, qinghuayuan_worker)
    page = client.get(reverse("screening:visit_record", args=[c.pk, household_qhy.pk])).content.decode()
    toggles = re.findall(r"<summary>([^<]*)</summary>", page)
    assert len(toggles) == 2 and len(set(toggles)) == 2, toggles
    assert 'class="found-people"' in page and "screening/screening.css" in page


def test_a_result_without_returnees_ignores_what_was_left_in_the_hidden_people(
    client, qinghuayuan_worker, household_qhy
):
    c = a_campaign(qinghuayuan_worker)
    login(client, qinghuayuan_worker)
    r = client.post(
        reverse("screening:visit_record", args=[c.pk, household_qhy.pk]),
        {"result": "none", "client_key": "k-none", **EMPTY_SET, "p-0-name": "李四", "p-0-arrived_on": "昨天"},
    )
    assert r.status_code == 302 and Visit.objects.get().result == "none"


@pytest.fixture
def revisit(qinghuayuan_worker, household_qhy):
    c = a_campaign(qinghuayuan_worker)
    visit_record(user=qinghuayuan_worker, campaign=c, household=household_qhy, result="nobody_home")
    return c


def test_a_revisit_from_the_today_page_goes_back_to_it(client, qinghuayuan_worker, household_qhy, revisit):
    login(client, qinghuayuan_worker)
    today = reverse("followups:today")
    url = reverse("screening:visit_record", args=[revisit.pk, household_qhy.pk])
    assert f'href="{url}?next={today}"' in client.get(today).content.decode()
    form = client.get(url, {"next": today}).content.decode()
    assert f'name="next" value="{today}"' in form
    r = client.post(url, {"result": "none", "client_key": "k-1", "next": today, **EMPTY_SET})
    assert r.status_code == 302 and r["Location"] == today
    assert Visit.objects.get().result == "none"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "http://testserver.evil.example/"]
)
def test_a_next_elsewhere_is_ignored(client, qinghuayuan_worker, household_qhy, revisit, target):
    login(client, qinghuayuan_worker)
    url = reverse("screening:visit_record", args=[revisit.pk, household_qhy.pk])
    assert target not in client.get(url, {"next": target}).content.decode()
    r = client.post(url, {"result": "none", "client_key": "k-2", "next": target, **EMPTY_SET})
    assert r.status_code == 302
    assert r["Location"] == reverse("screening:campaign_households", args=[revisit.pk]) + "?state=todo"
