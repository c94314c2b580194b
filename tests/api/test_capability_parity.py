"""A role without a capability gets the same answer on the page and in the
API (issue 9, item 14): 403 for a list or action the role may not use at all.
Pairs of (page, API endpoint) for the same read."""

from __future__ import annotations

import pytest

from conftest import login

PAIRS = [
    ("/people/", "/api/v1/persons"),
    ("/people/households/", "/api/v1/households"),
    ("/followups/", "/api/v1/followups"),
    ("/followups/checks/", "/api/v1/followups/checks"),
    ("/followups/referrals/", "/api/v1/followups/referrals"),
    ("/followups/deliveries/", "/api/v1/followups/deliveries"),
    ("/screening/", "/api/v1/screening/arrivals"),
    ("/screening/returnees/", "/api/v1/screening/returnees"),
    ("/screening/campaigns/", "/api/v1/screening/campaigns"),
    ("/screening/coverage/", "/api/v1/screening/coverage"),
    ("/checkpoints/", "/api/v1/checkpoints"),
    ("/checkpoints/risk-areas/", "/api/v1/checkpoints/risk-areas"),
]


@pytest.mark.parametrize("role", ["checkpoint_staff", "clinic_staff", "inspector", "qinghuayuan_worker"])
def test_page_and_api_agree_for_each_role(request, db, client, role):
    from django.test import Client

    from fangkong.accounts.services import token_create

    user = request.getfixturevalue(role)
    login(client, user)
    _t, raw = token_create(user=user, name="pytest")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    disagree = []
    for page, endpoint in PAIRS:
        page_status = client.get(page).status_code
        api_status = api.get(endpoint).status_code
        if page_status != api_status:
            disagree.append((page, page_status, endpoint, api_status))
    assert not disagree
