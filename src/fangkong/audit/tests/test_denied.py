"""What is refused is audited: a 403, or a 404 on an object outside the user's
jurisdiction (not on one that does not exist), limited per user in the
database; household address searches are audited like person searches."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fangkong.audit.denials import DENIED_LIMIT, DENIED_WINDOW, record_denied
from fangkong.audit.models import AuditEntry
from fangkong.people.tests.test_api_support import ApiClient


def _denied(user):
    return AuditEntry.objects.filter(actor=user, action="denied")


def test_a_person_outside_the_jurisdiction_is_a_denied_entry(client, ximazhuang_worker, zhang_san):
    client.force_login(ximazhuang_worker)
    assert client.get(reverse("people:person_detail", args=[zhang_san.pk])).status_code == 404
    e = _denied(ximazhuang_worker).get()
    assert (e.object_type, e.object_id, e.division_code) == (
        "people.person",
        str(zhang_san.pk),
        zhang_san.division_code,
    )
    assert e.detail == {"status": 404, "why": "out_of_scope", "view": "people:person_detail", "method": "GET"}
    assert e.role == "grid"


def test_a_missing_object_is_not_a_denied_entry(client, qinghuayuan_worker, zhang_san):
    client.force_login(qinghuayuan_worker)
    assert client.get(reverse("people:person_detail", args=[999999])).status_code == 404
    assert client.get("/no-such-page/").status_code == 404
    assert not _denied(qinghuayuan_worker).exists()


def test_a_forbidden_page_is_a_denied_entry(client, qinghuayuan_worker):
    client.force_login(qinghuayuan_worker)
    assert client.get(reverse("audit:list")).status_code == 403
    e = _denied(qinghuayuan_worker).get()
    assert e.detail["status"] == 403 and e.detail["why"] == "forbidden" and e.detail["view"] == "audit:list"


def test_the_api_refusals_are_audited_too(ximazhuang_worker, zhang_san):
    api = ApiClient(ximazhuang_worker, set())
    assert api.get(f"/api/v1/persons/{zhang_san.pk}").status_code == 404
    assert api.get(f"/api/v1/households/{zhang_san.household_id}").status_code == 404
    assert sorted(_denied(ximazhuang_worker).values_list("object_type", flat=True)) == [
        "people.household",
        "people.person",
    ]


def test_anonymous_requests_are_not_audited(client, zhang_san):
    client.get(reverse("people:person_detail", args=[zhang_san.pk]))
    assert not AuditEntry.objects.filter(action="denied").exists()


def test_denied_entries_are_limited_per_user(client, ximazhuang_worker, qinghuayuan_worker, zhang_san):
    client.force_login(ximazhuang_worker)
    for _ in range(DENIED_LIMIT + 5):
        assert client.get(reverse("people:person_detail", args=[zhang_san.pk])).status_code == 404
    denied = list(_denied(ximazhuang_worker).order_by("id"))
    assert len(denied) == DENIED_LIMIT
    assert denied[-1].detail.get("limit_reached") is True and "limit_reached" not in denied[0].detail
    # another user is counted apart
    assert record_denied(qinghuayuan_worker, status=403, why="forbidden") is not None


def test_the_limit_is_counted_in_the_database(ximazhuang_worker, zhang_san):
    # Entries written by other processes count: the count is the table's.
    for _ in range(DENIED_LIMIT):
        assert (
            record_denied(
                ximazhuang_worker, status=404, why="out_of_scope", object_type="people.person", object_id=zhang_san.pk
            )
            is not None
        )
    assert record_denied(ximazhuang_worker, status=403, why="forbidden") is None


def test_the_window_passes(ximazhuang_worker):
    for _ in range(DENIED_LIMIT):
        record_denied(ximazhuang_worker, status=403, why="forbidden")
    later = timezone.now() + DENIED_WINDOW + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert record_denied(ximazhuang_worker, status=403, why="forbidden") is not None


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_household_address_search_is_audited(client, qinghuayuan_worker, household_qhy, via):
    if via == "page":
        client.force_login(qinghuayuan_worker)
        assert client.get(reverse("people:household_list"), {"q": "清华"}).status_code == 200
    else:
        assert ApiClient(qinghuayuan_worker, set()).get("/api/v1/households", {"q": "清华"}).status_code == 200
    e = AuditEntry.objects.filter(actor=qinghuayuan_worker, action="search", object_type="people.household").get()
    assert e.detail["kind"] == "address" and "清华" not in str(e.detail)
