import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from conftest import QINGHUAYUAN, new_resident_id
from fangkong.core.models import StatusChange
from fangkong.followups.selectors import delivery_list, followup_counts
from fangkong.followups.services import (
    delivery_cancel,
    delivery_mark_delivered,
    delivery_request_create,
    delivery_take,
)
from fangkong.people.services import person_create

from .conftest import DAY1


def _needed(clock, hours=3):
    return clock.now + dt.timedelta(hours=hours)


def test_a_person_in_quarantine_gets_a_delivery_taken_and_delivered(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    d, created = delivery_request_create(
        user=qinghuayuan_worker,
        person=quarantine.person,
        category="food",
        items="大米10斤、蔬菜",
        needed_by=_needed(clock),
        client_key="d-1",
    )
    assert created and d.followup == quarantine and d.status == "open"
    delivery_take(user=qinghuayuan_worker, delivery=d, volunteer_name="志愿者李")
    delivery_mark_delivered(user=qinghuayuan_worker, delivery=d, note="放门口，已电话告知")
    d.refresh_from_db()
    assert d.status == "delivered" and d.volunteer_name == "志愿者李"
    assert [s.to_status for s in StatusChange.objects.filter(object_type="followups.deliveryrequest")] == [
        "open",
        "taken",
        "delivered",
    ]
    counts = followup_counts(prefix=QINGHUAYUAN, day=DAY1)
    assert (counts.deliveries_requested, counts.deliveries_done, counts.deliveries_open) == (1, 1, 0)


def test_a_retry_with_the_same_client_key_does_not_duplicate(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    a, _ = delivery_request_create(
        user=qinghuayuan_worker,
        person=quarantine.person,
        category="medicine",
        items="降压药",
        needed_by=_needed(clock),
        client_key="same",
    )
    b, created = delivery_request_create(
        user=qinghuayuan_worker,
        person=quarantine.person,
        category="medicine",
        items="降压药",
        needed_by=_needed(clock),
        client_key="same",
    )
    assert a.pk == b.pk and not created


def test_an_elderly_person_living_alone_is_eligible_without_a_measure(qinghuayuan_worker, household_qhy, clock):
    clock.at(DAY1, 9)
    grandma = person_create(
        user=qinghuayuan_worker,
        household=household_qhy,
        name="王奶奶",
        doc_number=new_resident_id(birth=dt.date(1940, 3, 3), sex="F"),
        relation="parent",
        tags={"tag_elderly_alone": True},
    )
    d, _ = delivery_request_create(
        user=qinghuayuan_worker, person=grandma, category="necessities", items="口罩", needed_by=_needed(clock)
    )
    assert d.followup is None


def test_someone_neither_in_quarantine_nor_vulnerable_is_refused(zhang_san, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    with pytest.raises(ValidationError) as exc:
        delivery_request_create(
            user=qinghuayuan_worker, person=zhang_san, category="food", items="米", needed_by=_needed(clock)
        )
    assert "person" in exc.value.message_dict


def test_bad_input_is_reported_by_field(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    with pytest.raises(ValidationError) as exc:
        delivery_request_create(
            user=qinghuayuan_worker,
            person=quarantine.person,
            category="gold",
            items="",
            needed_by=clock.now - dt.timedelta(days=1),
        )
    assert {"category", "items", "needed_by"} <= set(exc.value.message_dict)


def test_overdue_requests_show_first(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    late, _ = delivery_request_create(
        user=qinghuayuan_worker, person=quarantine.person, category="food", items="早饭", needed_by=_needed(clock, 1)
    )
    later, _ = delivery_request_create(
        user=qinghuayuan_worker, person=quarantine.person, category="food", items="午饭", needed_by=_needed(clock, 5)
    )
    clock.advance(hours=2)
    assert list(delivery_list(user=qinghuayuan_worker, overdue=True)) == [late]
    assert late in delivery_list(user=qinghuayuan_worker) and later in delivery_list(user=qinghuayuan_worker)
    assert timezone.now() > late.needed_by


def test_cancelled_requests_leave_the_open_count(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    d, _ = delivery_request_create(
        user=qinghuayuan_worker, person=quarantine.person, category="food", items="米", needed_by=_needed(clock)
    )
    delivery_cancel(user=qinghuayuan_worker, delivery=d, reason="家属已送")
    assert followup_counts(prefix=QINGHUAYUAN, day=DAY1).deliveries_open == 0
    with pytest.raises(ValidationError):
        delivery_take(user=qinghuayuan_worker, delivery=d)


def test_an_outsider_gets_404(quarantine, qinghuayuan_worker, ximazhuang_worker, clock):
    clock.at(DAY1, 9)
    d, _ = delivery_request_create(
        user=qinghuayuan_worker, person=quarantine.person, category="food", items="米", needed_by=_needed(clock)
    )
    assert not delivery_list(user=ximazhuang_worker).exists()
    for service in (delivery_take, delivery_mark_delivered):
        with pytest.raises(Http404):
            service(user=ximazhuang_worker, delivery=d)
    with pytest.raises(Http404):
        delivery_request_create(
            user=ximazhuang_worker, person=quarantine.person, category="food", items="米", needed_by=_needed(clock)
        )
