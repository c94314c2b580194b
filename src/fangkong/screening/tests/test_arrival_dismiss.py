import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from conftest import XIMAZHUANG
from fangkong.core.services import status_history
from fangkong.screening.services import arrival_dismiss

from .helpers import an_arrival


def test_dismissing_takes_the_arrival_off_the_queue_with_the_reason(qinghuayuan_worker):
    a = an_arrival()
    arrival_dismiss(user=qinghuayuan_worker, arrival=a, reason="途经本地，未停留")
    a.refresh_from_db()
    assert a.status == "dismissed" and a.dismiss_reason == "途经本地，未停留"
    assert a.handled_by == qinghuayuan_worker and a.handled_on is not None
    assert [h.to_status for h in status_history(a)] == ["dismissed"]


def test_a_reason_is_required(qinghuayuan_worker):
    with pytest.raises(ValidationError) as exc:
        arrival_dismiss(user=qinghuayuan_worker, arrival=an_arrival(), reason=" ")
    assert "reason" in exc.value.message_dict


def test_an_arrival_cannot_be_handled_twice(qinghuayuan_worker):
    a = an_arrival()
    arrival_dismiss(user=qinghuayuan_worker, arrival=a, reason="重复登记")
    with pytest.raises(ValidationError):
        arrival_dismiss(user=qinghuayuan_worker, arrival=a, reason="重复登记")


def test_an_outsider_gets_404(ximazhuang_worker):
    with pytest.raises(Http404):
        arrival_dismiss(user=ximazhuang_worker, arrival=an_arrival(), reason="不是本村")


def test_checkpoint_staff_cannot_handle_arrivals(checkpoint_staff):
    with pytest.raises(Http404):
        arrival_dismiss(user=checkpoint_staff, arrival=an_arrival(), reason="不是本村")


def test_the_outsider_can_handle_their_own(ximazhuang_worker):
    a = an_arrival(XIMAZHUANG)
    assert arrival_dismiss(user=ximazhuang_worker, arrival=a, reason="已离开").status == "dismissed"
