"""The command level's counts equal counts of the raw rows."""

import datetime as dt
import random

from django.utils import timezone

from conftest import QIBIN, XUNXIAN, new_resident_id
from fangkong.checkpoints.models import Passage
from fangkong.checkpoints.selectors import passage_counts
from fangkong.checkpoints.services import PassageIn, passage_register_batch

from .conftest import QINGHUAYUAN


def _raw(prefix: str, day: dt.date) -> dict:
    rows = [
        p
        for p in Passage.objects.all()
        if p.division_code.startswith(prefix) and timezone.localtime(p.registered_at).date() == day
    ]
    return {
        "total": len(rows),
        "inbound": sum(p.direction == "in" for p in rows),
        "outbound": sum(p.direction == "out" for p in rows),
        "flagged": sum(p.fever or p.risk_area for p in rows),
        "fever": sum(p.fever for p in rows),
        "risk_area": sum(p.risk_area for p in rows),
    }


def test_counts_equal_raw_row_counts(
    checkpoint_staff, hq_officer, qibin_checkpoint, xunxian_checkpoint, ximazhuang_gate, wuhan_high_risk
):
    from fangkong.accounts.models import Assignment

    Assignment.objects.get_or_create(user=checkpoint_staff, role="checkpoint", division_id=XUNXIAN)
    rng = random.Random(7)
    now = timezone.now()
    today = timezone.localdate()
    for cp in (qibin_checkpoint, xunxian_checkpoint, ximazhuang_gate):
        items = []
        for i in range(40):
            inbound = rng.random() < 0.7
            items.append(
                PassageIn(
                    direction="in" if inbound else "out",
                    temperature=rng.choice(["36.5", "36.9", "37.3", "38.1"]),
                    doc_number=new_resident_id("410102"),
                    name="测试",
                    origin=rng.choice(["4101", "4201", "42", "11"]),
                    destination=QINGHUAYUAN if inbound else "",
                    client_key=f"{cp.pk}-{i}",
                    registered_at=now - dt.timedelta(hours=rng.choice([0, 0, 30, 60])),
                )
            )
        results = passage_register_batch(actor=checkpoint_staff, checkpoint=cp, items=items)
        assert all(r.status == "created" for r in results), [r.errors for r in results if r.errors]
    for prefix in ("4106", QIBIN, XUNXIAN, "410621002216", "41", "4107"):
        for day in (today, today - dt.timedelta(days=1), today - dt.timedelta(days=2), today - dt.timedelta(days=3)):
            assert passage_counts(prefix=prefix, day=day) == _raw(prefix, day), (prefix, day)
    assert passage_counts(prefix="4106", day=today)["total"] > 0
    assert passage_counts(prefix="4106", day=today)["risk_area"] > 0
