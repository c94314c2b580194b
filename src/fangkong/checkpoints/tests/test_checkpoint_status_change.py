import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import QIBIN, QINGHUAYUAN, XIMAZHUANG
from fangkong.audit.models import AuditEntry
from fangkong.checkpoints.services import checkpoint_create, checkpoint_status_change
from fangkong.core.services import status_history


def test_opening_and_closing_keep_a_history_with_reasons(hq_officer, county_officer, qibin_checkpoint):
    checkpoint_status_change(actor=county_officer, checkpoint=qibin_checkpoint, to_status="closed", reason="高铁站停运")
    checkpoint_status_change(actor=hq_officer, checkpoint=qibin_checkpoint, to_status="open", reason="恢复运营")
    history = status_history(qibin_checkpoint)
    assert [(h.from_status, h.to_status) for h in history] == [("", "open"), ("open", "closed"), ("closed", "open")]
    assert [h.reason for h in history][1:] == ["高铁站停运", "恢复运营"]
    assert [h.actor for h in history] == [hq_officer, county_officer, hq_officer]
    qibin_checkpoint.refresh_from_db()
    assert qibin_checkpoint.status == "open"
    assert AuditEntry.objects.filter(object_type="checkpoints.checkpoint", action="update").count() == 2


def test_a_status_change_needs_a_reason_and_a_change(hq_officer, qibin_checkpoint):
    with pytest.raises(ValidationError) as exc:
        checkpoint_status_change(actor=hq_officer, checkpoint=qibin_checkpoint, to_status="closed", reason=" ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        checkpoint_status_change(actor=hq_officer, checkpoint=qibin_checkpoint, to_status="open", reason="再开一次")
    assert len(status_history(qibin_checkpoint)) == 1


def test_checkpoint_staff_cannot_close_a_checkpoint(checkpoint_staff, qibin_checkpoint):
    with pytest.raises(PermissionDenied):
        checkpoint_status_change(
            actor=checkpoint_staff, checkpoint=qibin_checkpoint, to_status="closed", reason="下班了"
        )


def test_an_outsider_cannot_see_it_to_change_it(ximazhuang_worker, qibin_checkpoint):
    from django.http import Http404

    with pytest.raises(Http404):
        checkpoint_status_change(
            actor=ximazhuang_worker, checkpoint=qibin_checkpoint, to_status="closed", reason="不在辖区"
        )


@pytest.mark.parametrize(
    "level, code, ok",
    [
        ("city", "4106", True),
        ("city", QIBIN, True),
        ("county", "4106", False),
        ("county", QIBIN, True),
        ("community", QIBIN, False),
        ("community", QINGHUAYUAN, True),
        ("community", "410105001001", False),
    ],
)
def test_each_level_sits_at_its_own_kind_of_place(hq_officer, level, code, ok):
    kwargs = dict(actor=hq_officer, level=level, division_code=code, name="测试卡点", kind="road")
    if ok:
        assert checkpoint_create(**kwargs).division_code == code
    else:
        with pytest.raises(ValidationError) as exc:
            checkpoint_create(**kwargs)
        assert "division_code" in exc.value.message_dict


def test_a_county_officer_sets_up_checkpoints_only_in_the_county(county_officer):
    checkpoint_create(actor=county_officer, level="county", division_code=QIBIN, name="淇滨区卡点", kind="road")
    with pytest.raises(PermissionDenied):
        checkpoint_create(actor=county_officer, level="community", division_code=XIMAZHUANG, name="外县", kind="road")
