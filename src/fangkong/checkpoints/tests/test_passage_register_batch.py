import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import new_resident_id
from fangkong.checkpoints.models import Passage
from fangkong.checkpoints.services import MAX_BATCH, passage_register_batch
from fangkong.screening.models import Arrival

from .conftest import passage


def test_good_duplicate_and_bad_items_each_get_their_result(checkpoint_staff, qibin_checkpoint):
    earlier = passage_register_batch(
        actor=checkpoint_staff, checkpoint=qibin_checkpoint, items=[passage(client_key="t-0")]
    )[0].record
    items = [
        passage(client_key="t-0"),  # sent before: duplicate
        passage(client_key="t-1"),
        passage(client_key="t-2", temperature="50"),
        passage(client_key="t-3", plate="豫I00000", doc_number="123"),
        passage(client_key="t-4", direction="out", destination="", origin=""),
        passage(client_key="t-1"),  # twice in one batch
        passage(client_key=""),
        passage(client_key="t-5", temperature="38.2"),
    ]
    results = passage_register_batch(actor=checkpoint_staff, checkpoint=qibin_checkpoint, items=items)
    assert [r.status for r in results] == [
        "duplicate",
        "created",
        "error",
        "error",
        "created",
        "duplicate",
        "error",
        "created",
    ]
    assert [r.index for r in results] == list(range(8))
    assert results[0].record.pk == earlier.pk
    assert results[5].record.pk == results[1].record.pk
    assert set(results[2].errors) == {"temperature"} and set(results[3].errors) == {"plate", "doc_number"}
    assert "client_key" in results[6].errors
    assert results[7].record.fever
    assert Passage.objects.count() == 4 and Arrival.objects.count() == 3  # the outbound one has none


def test_a_batch_retried_whole_creates_nothing_new(checkpoint_staff, qibin_checkpoint):
    items = [passage(client_key=f"r-{i}") for i in range(20)]
    first = passage_register_batch(actor=checkpoint_staff, checkpoint=qibin_checkpoint, items=items)
    again = passage_register_batch(actor=checkpoint_staff, checkpoint=qibin_checkpoint, items=items)
    assert {r.status for r in first} == {"created"} and {r.status for r in again} == {"duplicate"}
    assert [r.record.pk for r in first] == [r.record.pk for r in again]
    assert Passage.objects.count() == 20


def test_offline_passages_keep_their_own_time(checkpoint_staff, qibin_checkpoint):
    when = timezone.now() - dt.timedelta(days=2, hours=3)
    r = passage_register_batch(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        items=[
            passage(client_key="o-1", registered_at=when),
            passage(client_key="o-2", registered_at=timezone.now() + dt.timedelta(hours=1)),
            passage(client_key="o-3", registered_at=timezone.now() - dt.timedelta(days=90)),
        ],
    )
    assert r[0].record.registered_at == when and r[0].record.registered_on == timezone.localdate(when)
    assert r[0].record.arrival.arrived_on == timezone.localdate(when)
    assert [x.status for x in r[1:]] == ["error", "error"]
    assert all("registered_at" in x.errors for x in r[1:])


def test_a_known_person_in_a_batch_is_linked(checkpoint_staff, qibin_checkpoint, zhang_san):
    from fangkong.lib import vault

    r = passage_register_batch(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        items=[
            passage(client_key="k-1", doc_number=vault.decrypt(zhang_san.doc_cipher), name="", phone=""),
            passage(client_key="k-2", doc_number=new_resident_id("420102"), name=""),
        ],
    )
    assert r[0].status == "created" and r[0].record.name == "张三" and r[0].record.person_id == zhang_san.pk
    assert r[1].status == "error" and list(r[1].errors) == ["name"]


def test_more_than_500_items_are_refused_whole(checkpoint_staff, qibin_checkpoint):
    with pytest.raises(ValidationError):
        passage_register_batch(
            actor=checkpoint_staff,
            checkpoint=qibin_checkpoint,
            items=[passage(client_key=f"x-{i}") for i in range(MAX_BATCH + 1)],
        )
    assert not Passage.objects.exists()


def test_a_key_taken_meanwhile_falls_back_to_one_at_a_time(checkpoint_staff, qibin_checkpoint, monkeypatch):
    """A concurrent upload inserted a key after this batch looked: the bulk insert
    fails as a whole and the items go through the client-key door one by one."""
    taken = passage_register_batch(
        actor=checkpoint_staff, checkpoint=qibin_checkpoint, items=[passage(client_key="c-1")]
    )[0].record
    real_filter = Passage.objects.filter

    def blind_prefetch(*args, **kwargs):
        if "client_key__in" in kwargs:
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Passage.objects, "filter", blind_prefetch)
    r = passage_register_batch(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        items=[
            passage(client_key="c-0"),
            passage(client_key="c-1"),
            passage(client_key="c-2", direction="out", origin="", destination=""),
        ],
    )
    assert [x.status for x in r] == ["created", "duplicate", "created"]
    assert r[1].record.pk == taken.pk
    assert real_filter(client_key__in=["c-0", "c-1", "c-2"]).count() == 3
    assert Arrival.objects.count() == 2 and r[0].record.arrival_id


def test_an_upload_is_audited_once_without_personal_data(checkpoint_staff, qibin_checkpoint):
    from fangkong.audit.models import AuditEntry

    numbers = [new_resident_id("420102") for _ in range(3)]
    r = passage_register_batch(
        actor=checkpoint_staff,
        checkpoint=qibin_checkpoint,
        items=[passage(client_key=f"a-{i}", doc_number=n) for i, n in enumerate(numbers)]
        + [passage(client_key="a-bad", temperature="99")],
    )
    entry = AuditEntry.objects.get(object_type="checkpoints.passage")
    ids = sorted(x.record.pk for x in r if x.record)
    assert entry.detail == {
        "batch": 4,
        "created": 3,
        "duplicate": 0,
        "error": 1,
        "first_id": ids[0],
        "last_id": ids[-1],
    }
    assert not any(n in str(entry.detail) for n in numbers)
