"""The world the privacy sweeps walk: the demo city (a generated population,
checkpoints, passages, arrivals, returnees, follow-ups, referrals, deliveries,
a campaign, an approval) played through the real services, plus one object of
each remaining kind in 清华园社区, and a way to name one 清华园社区 object per
kind of id a URL takes."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

QINGHUAYUAN = "410611005007"


def build_world() -> dict[str, object]:
    """Run ``fangkong demo`` (small population) and return one 清华园社区 object
    per kind (the values are model instances, or a code for ``division``)."""
    from fangkong.accounts.models import User
    from fangkong.accounts.services import token_create
    from fangkong.approvals.models import ApprovalRequest
    from fangkong.checkpoints.models import Checkpoint, Passage, Shift
    from fangkong.followups.models import DeliveryRequest, FollowUp, HealthCheck, Referral
    from fangkong.ledgers.models import ImportJob
    from fangkong.people.models import Household, Person
    from fangkong.screening.models import Arrival, Campaign, Returnee, Visit

    call_command("demo", persons=300, seed=7, no_serve=True, stdout=StringIO())
    worker = User.objects.get(username="qinghuayuan")
    if not Household.objects.filter(division_code__startswith=QINGHUAYUAN).exists():
        from fangkong.lib.documents import make_resident_id
        from fangkong.people.services import household_create, person_create

        home = household_create(user=worker, division_code=QINGHUAYUAN, address="泰山路12号院3号楼2单元301")
        person_create(
            user=worker,
            household=home,
            name="张三",
            relation="head",
            phone="13812341234",
            doc_number=make_resident_id("410611", dt.date(1980, 8, 30), 83),
        )
    token, _raw = token_create(user=worker, name="sweep")
    job = ImportJob.objects.create(
        user=worker,
        kind="persons",
        division_code=QINGHUAYUAN,
        status="done",
        stage="done",
        errors=[{"row": 2, "column": "姓名", "message": "请填写姓名。"}],
    )

    def in_qhy(model, **filters):
        obj = model.objects.filter(division_code__startswith=QINGHUAYUAN, **filters).order_by("pk").first()
        assert obj is not None, f"the demo city has no {model.__name__} in 清华园社区"
        return obj

    checkpoint = in_qhy(Checkpoint)
    campaign = in_qhy(Campaign)
    visit = Visit.objects.filter(campaign=campaign).order_by("pk").first()
    household = visit.household if visit else in_qhy(Household)
    return {
        "person": in_qhy(Person),
        "household": household,
        "token": token,
        "job": job,
        "approval": in_qhy(ApprovalRequest),
        "checkpoint": checkpoint,
        "shift": Shift.objects.filter(checkpoint=checkpoint).order_by("pk").first() or in_qhy(Shift),
        "passage": in_qhy(Passage),
        "arrival": in_qhy(Arrival),
        "returnee": in_qhy(Returnee),
        "campaign": campaign,
        "followup": in_qhy(FollowUp),
        "check": in_qhy(HealthCheck),
        "referral": in_qhy(Referral),
        "delivery": in_qhy(DeliveryRequest),
        "division": QINGHUAYUAN,
    }


def key_of(world: dict, kind: str) -> str:
    value = world[kind]
    return str(value) if isinstance(value, str) else str(value.pk)


def url_patterns() -> list[tuple[str, str, list[str]]]:
    """Every page URL pattern: (route name, route text, parameter names), outside
    the JSON API (swept from its OpenAPI document) and the Django admin."""
    out = []

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                yield namespace + (p.name or ""), prefix + str(p.pattern), list(p.pattern.converters)

    for name, route, params in walk(get_resolver().url_patterns, "", ""):
        if route.startswith(("api/v1/", "admin/")):
            continue
        out.append((name, route, params or re.findall(r"<(?:\w+:)?(\w+)>", route)))
    return out


def fill(route: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)
