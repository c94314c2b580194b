"""Words with two roles have two English translations (msgctxt): 户 is the
menu's "Households" and one person's "Household"; 区划 is the menu's
"Divisions" and a column's "Division"."""

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import login


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_person_has_one_household_and_the_menu_lists_households(english, qinghuayuan_worker, zhang_san):
    html = login(english, qinghuayuan_worker).get(reverse("people:person_detail", args=[zhang_san.pk])).content.decode()
    assert "<dt>Household</dt>" in html
    assert ">Households</a>" in html and ">Divisions</a>" in html


def test_the_approvals_column_is_one_division(english, qinghuayuan_worker):
    html = login(english, qinghuayuan_worker).get(reverse("approvals:list")).content.decode()
    assert "<th>Division</th>" in html


def test_deleting_names_one_household(english, qinghuayuan_worker, household_qhy):
    html = (
        login(english, qinghuayuan_worker)
        .get(reverse("people:household_delete", args=[household_qhy.pk]))
        .content.decode()
    )
    assert "Delete household: " in html
