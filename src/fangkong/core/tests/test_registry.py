"""Apps plug in: the menu, the capabilities of each role and the API routers
are registered by the apps (AppConfig.ready), and the central files name no
app. The registered result is what it was when it was written by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from conftest import login
from fangkong.core import registry

APP_NAMES = ("checkpoints", "screening", "followups", "people", "ledgers", "approvals", "audit", "regions")
PACKAGE = Path(settings.BASE_DIR)
NAV = re.compile(r'<nav class="mainnav".*?</nav>', re.DOTALL)


def _menu_part(html: str) -> str:
    found = NAV.search(html)
    assert found is not None, "no main menu on the page"
    return found.group(0)


@pytest.mark.parametrize(
    "path, part",
    [
        ("accounts/context_processors.py", None),
        ("templates/base.html", _menu_part),
        ("api.py", None),
    ],
)
def test_the_central_files_name_no_app(path, part):
    text = (PACKAGE / path).read_text(encoding="utf-8")
    if part is not None:
        text = part(text)
    found = [name for name in APP_NAMES if re.search(rf"\b{name}\b", text)]
    assert not found, f"{path} names {found}: register it from the app's AppConfig.ready() instead"


# What the hand-written menu showed each demo role (url names, left to right).
EVERYTHING = [
    "accounts:home",
    "followups:today",
    "regions:browse",
    "people:person_list",
    "people:household_list",
    "ledgers:import",
    "checkpoints:list",
    "screening:arrival_list",
    "followups:list",
    "approvals:list",
]
MENU = {
    "hq_officer": EVERYTHING,
    "county_officer": EVERYTHING,
    "township_officer": EVERYTHING,
    "qinghuayuan_worker": EVERYTHING,
    "ximazhuang_worker": EVERYTHING,
    "checkpoint_staff": ["accounts:home", "regions:browse", "checkpoints:list", "approvals:list"],
    "clinic_staff": [
        "accounts:home",
        "followups:today",
        "regions:browse",
        "people:person_list",
        "people:household_list",
        "followups:list",
        "approvals:list",
    ],
    "inspector": [e for e in EVERYTHING if e != "ledgers:import"] + ["audit:list"],
    "sysadmin": EVERYTHING + ["audit:list"],
}
LABELS = {
    "accounts:home": "首页",
    "followups:today": "今日",
    "regions:browse": "区划",
    "people:person_list": "人员",
    "people:household_list": "户",
    "ledgers:import": "导入",
    "checkpoints:list": "卡点",
    "screening:arrival_list": "排查",
    "followups:list": "隔离",
    "approvals:list": "审批",
    "audit:list": "审计",
}


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", list(MENU))
def test_the_registered_menu_of_each_demo_role_is_the_menu_it_had(request, client, fixture):
    from django.urls import reverse

    from fangkong.accounts.roles import CAPABILITIES

    user = request.getfixturevalue(fixture)
    caps = set().union(*(CAPABILITIES[a.role] for a in user.assignments.filter(active=True)))
    assert [e.url_name for e in registry.menu_for(caps)] == MENU[fixture]
    nav = _menu_part(login(client, user).get(reverse("accounts:home")).content.decode())
    links = re.findall(r'<a href="([^"]*)">([^<]*)</a>', nav)
    assert links == [(reverse(name), LABELS[name]) for name in MENU[fixture]]


# What the hand-written table gave each role.
_OFFICE = {"people.view", "people.edit", "people.reveal", "people.export", "people.import", "divisions.view"}
_SCREENING = {"screening.view", "screening.handle", "screening.campaign", "screening.export", "screening.import"}
_FOLLOWUPS = {"followups.view", "followups.edit", "followups.export"}
CAPABILITIES = {
    "hq": _OFFICE
    | _SCREENING
    | _FOLLOWUPS
    | {
        "divisions.edit",
        "screening.policy",
        "followups.policy",
        "checkpoints.view",
        "checkpoints.manage",
        "risk_areas.edit",
    },
    "county": _OFFICE | _SCREENING | _FOLLOWUPS | {"divisions.edit", "checkpoints.view", "checkpoints.manage"},
    "township": _OFFICE | _SCREENING | _FOLLOWUPS | {"divisions.edit", "checkpoints.view", "checkpoints.manage"},
    "grid": _OFFICE | _SCREENING | _FOLLOWUPS | {"checkpoints.view", "checkpoints.register"},
    "checkpoint": {"divisions.view", "checkpoints.view", "checkpoints.register"},
    "clinic": {"people.view", "people.reveal", "divisions.view", "followups.view", "referrals.pick_up"},
    "inspector": {
        "people.view",
        "divisions.view",
        "audit.view",
        "screening.view",
        "followups.view",
        "checkpoints.view",
    },
    "admin": _OFFICE
    | _SCREENING
    | _FOLLOWUPS
    | {"divisions.edit", "audit.view", "followups.policy", "checkpoints.view"},
}


def test_the_registered_capabilities_of_each_role_are_the_ones_it_had():
    from fangkong.accounts.roles import CAPABILITIES as registered
    from fangkong.accounts.roles import Role

    assert {str(role): set(registered[role]) for role in Role} == CAPABILITIES


def test_the_api_routers_are_mounted_in_the_order_they_had():
    from fangkong.api import api

    assert [r.prefix for r in registry.api_routers()] == [
        "/accounts",
        "/divisions",
        "/households",
        "/persons",
        "/checkpoints",
        "/followups",
        "/screening",
    ]
    paths = list(api.get_openapi_schema()["paths"])
    firsts = []
    for p in paths:
        top = "/" + p.split("/")[3]
        if top not in firsts:
            firsts.append(top)
    assert firsts == [r.prefix for r in registry.api_routers()]
