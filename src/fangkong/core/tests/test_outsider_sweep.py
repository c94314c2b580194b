"""The outsider sweep: every page URL pattern and every JSON API operation that
takes an object id, asked by the 西马庄村 (浚县) grid worker about an object of
清华园社区 (淇滨区), answers 404 — the same as a missing object — and changes
nothing. A new URL pattern or API path with an id that this file does not
know fails the test until it is added to PAGE_KINDS / API_KINDS (or, with a
reason, to the exclusions)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from fangkong.audit.models import AuditEntry

from .sweep_world import build_world, fill, key_of, url_patterns

# route name → {URL parameter: kind of 清华园社区 object (sweep_world.build_world)}
PAGE_KINDS: dict[str, dict[str, str]] = {
    "accounts:token_revoke": {"pk": "token"},
    "regions:division": {"code": "division"},
    "regions:grid_create": {"code": "division"},
    **{f"people:{n}": {"pk": "person"} for n in ("person_detail", "person_edit", "person_delete", "person_reveal")},
    **{f"people:{n}": {"pk": "household"} for n in ("household_detail", "household_edit", "household_delete")},
    **{f"ledgers:{n}": {"pk": "job"} for n in ("job_detail", "job_progress", "job_errors_export")},
    "approvals:decide": {"pk": "approval"},
    **{
        f"checkpoints:{n}": {"pk": "checkpoint"}
        for n in ("detail", "edit", "status", "register", "passages", "passage_export", "shift_create")
    },
    **{
        f"checkpoints:{n}": {"pk": "shift"}
        for n in ("shift", "shift_edit", "shift_check", "shift_handover", "shift_delete")
    },
    **{f"checkpoints:{n}": {"pk": "passage"} for n in ("passage", "passage_recheck")},
    **{
        f"screening:{n}": {"pk": "arrival"}
        for n in ("arrival_detail", "arrival_dismiss", "arrival_reveal", "arrival_confirm")
    },
    "screening:returnee_detail": {"pk": "returnee"},
    **{
        f"screening:{n}": {"pk": "campaign"}
        for n in ("campaign_detail", "campaign_coverage", "campaign_close", "campaign_households")
    },
    **{f"screening:{n}": {"pk": "campaign", "household_id": "household"} for n in ("visit_record", "visit_quick")},
    **{f"followups:{n}": {"pk": "followup"} for n in ("detail", "extend", "transfer", "release")},
    "followups:check_record": {"pk": "check"},
    **{f"followups:{n}": {"pk": "referral"} for n in ("referral_detail", "referral_close", "referral_pick_up")},
    **{
        f"followups:{n}": {"pk": "delivery"}
        for n in ("delivery_detail", "delivery_take", "delivery_deliver", "delivery_cancel")
    },
}
# Patterns with a parameter that names no object of anyone's jurisdiction.
PAGE_EXCLUDED = {
    "ledgers:template": "the kind of an empty import template (persons, returnees), the same file for everyone",
    "checkpoints:risk_area_end": "risk areas are city-wide origins with no division; ending one needs "
    "risk_areas.edit (HQ) and is 403 for everyone else (checkpoints tests)",
}

# "METHOD /api/v1/path" → {path parameter: kind}
API_KINDS: dict[str, dict[str, str]] = {
    "DELETE /api/v1/accounts/tokens/{token_id}": {"token_id": "token"},
    "GET /api/v1/divisions/{code}": {"code": "division"},
    "GET /api/v1/divisions/{code}/children": {"code": "division"},
    **{f"{m} /api/v1/households/{{household_id}}": {"household_id": "household"} for m in ("GET", "PUT", "DELETE")},
    **{f"{m} /api/v1/persons/{{person_id}}": {"person_id": "person"} for m in ("GET", "PATCH", "DELETE")},
    "POST /api/v1/persons/{person_id}/reveal": {"person_id": "person"},
    "GET /api/v1/checkpoints/{checkpoint_id}": {"checkpoint_id": "checkpoint"},
    "GET /api/v1/checkpoints/{checkpoint_id}/passages": {"checkpoint_id": "checkpoint"},
    "POST /api/v1/checkpoints/{checkpoint_id}/passages": {"checkpoint_id": "checkpoint"},
    "POST /api/v1/checkpoints/{checkpoint_id}/passages/batch": {"checkpoint_id": "checkpoint"},
    "GET /api/v1/followups/{followup_id}": {"followup_id": "followup"},
    **{
        f"POST /api/v1/followups/{{followup_id}}/{a}": {"followup_id": "followup"}
        for a in ("extend", "transfer", "release")
    },
    "POST /api/v1/followups/checks/{check_id}/record": {"check_id": "check"},
    "GET /api/v1/followups/referrals/{referral_id}": {"referral_id": "referral"},
    **{
        f"POST /api/v1/followups/referrals/{{referral_id}}/{a}": {"referral_id": "referral"}
        for a in ("close", "pick-up")
    },
    "GET /api/v1/followups/deliveries/{delivery_id}": {"delivery_id": "delivery"},
    **{
        f"POST /api/v1/followups/deliveries/{{delivery_id}}/{a}": {"delivery_id": "delivery"}
        for a in ("take", "deliver", "cancel")
    },
    "GET /api/v1/screening/arrivals/{arrival_id}": {"arrival_id": "arrival"},
    **{
        f"POST /api/v1/screening/arrivals/{{arrival_id}}/{a}": {"arrival_id": "arrival"} for a in ("dismiss", "confirm")
    },
    "GET /api/v1/screening/campaigns/{campaign_id}": {"campaign_id": "campaign"},
    "POST /api/v1/screening/campaigns/{campaign_id}/close": {"campaign_id": "campaign"},
    "GET /api/v1/screening/campaigns/{campaign_id}/households": {"campaign_id": "campaign"},
    "POST /api/v1/screening/campaigns/{campaign_id}/visits": {"campaign_id": "campaign"},
    "GET /api/v1/screening/returnees/{returnee_id}": {"returnee_id": "returnee"},
}
API_EXCLUDED: dict[str, str] = {}


def _sample(schema: dict, components: dict, name: str = ""):
    """A value that passes the schema's shape checks, so that the request
    reaches the view (and its scoped lookup) instead of stopping at a 422."""
    if "$ref" in schema:
        return _sample(components[schema["$ref"].rsplit("/", 1)[-1]], components, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _sample(options[0], components, name)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _sample(v, components, k) for k, v in props.items() if k in schema.get("required", [])}
    if kind == "array":
        return [_sample(schema["items"], components, name)] * max(1, schema.get("minItems", 0))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 36.5
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    if schema.get("format") == "date-time":
        return timezone.now().isoformat()
    return "核实情况需要" if "reason" in name or schema.get("minLength", 0) > 1 else "测试"


def _state(world) -> dict:
    """What an outsider's request must not change: each swept object's row."""
    out = {}
    for kind, obj in world.items():
        if hasattr(obj, "pk"):
            fresh = type(obj).objects.filter(pk=obj.pk).values().first()
            fresh.pop("last_used_at", None)
            out[kind] = fresh
    return out


@pytest.mark.django_db
def test_every_page_with_an_object_id_is_404_for_an_outsider(hebi):
    from fangkong.accounts.models import User

    world = build_world()
    patterns = [(name, route, params) for name, route, params in url_patterns() if params]
    unknown = [name for name, _route, _params in patterns if name not in PAGE_KINDS and name not in PAGE_EXCLUDED]
    assert not unknown, f"URL patterns with an id that the outsider sweep does not cover: {unknown}"
    before = _state(world)
    client, insider = Client(), Client()
    client.force_login(User.objects.get(username="ximazhuang"))
    insider.force_login(User.objects.get(username="qinghuayuan"))
    wrong, missing = [], []
    for name, route, _params in patterns:
        if name in PAGE_EXCLUDED:
            continue
        url = fill(route, {param: key_of(world, kind) for param, kind in PAGE_KINDS[name].items()})
        response = client.get(url)
        if response.status_code == 405:  # POST-only: the lookup must still come first
            response = client.post(url, {"reason": "核实情况需要", "field": "doc_number"})
        elif insider.get(url).status_code == 404:  # the control: the id names a real object
            missing.append((name, url))
        if response.status_code != 404:
            wrong.append((name, url, response.status_code))
    assert not wrong, f"an outsider reached 清华园社区 objects: {wrong}"
    assert not missing, f"the sweep asked for objects that do not exist (fix sweep_world): {missing}"
    assert _state(world) == before
    assert not AuditEntry.objects.filter(actor__username="ximazhuang", action__in=["view", "reveal", "export"]).exists()


@pytest.mark.django_db
def test_every_api_operation_with_an_object_id_is_404_for_an_outsider(hebi):
    from fangkong.accounts.models import User
    from fangkong.accounts.services import token_create

    world = build_world()
    _token, raw = token_create(user=User.objects.get(username="ximazhuang"), name="sweep")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    _token, raw = token_create(user=User.objects.get(username="qinghuayuan"), name="sweep-control")
    insider = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    doc = client.get("/api/v1/openapi.json").json()
    components = doc.get("components", {}).get("schemas", {})
    operations = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
            if params:
                operations.append((f"{method.upper()} {path}", path, method, op))
    unknown = [key for key, *_rest in operations if key not in API_KINDS and key not in API_EXCLUDED]
    assert not unknown, f"API operations with an id that the outsider sweep does not cover: {unknown}"
    before = _state(world)
    wrong, missing = [], []
    for key, path, method, op in operations:
        if key in API_EXCLUDED:
            continue
        url = path
        for param, kind in API_KINDS[key].items():
            url = url.replace("{" + param + "}", key_of(world, kind))
        query = {
            p["name"]: _sample(p["schema"], components, p["name"])
            for p in op.get("parameters", [])
            if p["in"] == "query" and p.get("required")
        }
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if method in ("get", "delete"):
            qs = "&".join(f"{k}={v}" for k, v in query.items())
            response = getattr(client, method)(url + ("?" + qs if qs else ""))
            if method == "get" and insider.get(url).status_code == 404:  # the control
                missing.append(key)
        else:
            data = json.dumps(_sample(body, components) if body else {})
            response = getattr(client, method)(url, data, content_type="application/json")
        if response.status_code != 404:
            wrong.append((key, response.status_code, response.content[:200]))
    assert not wrong, f"an outsider reached 清华园社区 objects through the API: {wrong}"
    assert not missing, f"the sweep asked for objects that do not exist (fix sweep_world): {missing}"
    assert _state(world) == before
