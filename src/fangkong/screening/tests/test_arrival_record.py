from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from conftest import QINGHUAYUAN, new_resident_id
from fangkong.lib import vault
from fangkong.people.identity import recorded_identity
from fangkong.screening.models import Arrival
from fangkong.screening.services import arrival_record

from .helpers import a_risk_area


def test_it_queues_an_arrival_with_a_protected_identity(checkpoint_staff):
    number = new_resident_id("420102")
    ident = recorded_identity(name="钱多多", doc_number=number, phone="13600001111")
    a, created = arrival_record(
        actor=checkpoint_staff, division_code=QINGHUAYUAN, identity=ident, source="passage", temperature=Decimal("37.8")
    )
    assert created and a.flagged and a.flag_list() == ["fever"]
    assert vault.decrypt(a.doc_cipher) == number and a.phone_masked == "136****1111"
    assert a.person is None


def test_it_links_a_registered_person(checkpoint_staff, zhang_san):
    ident = recorded_identity(name="", doc_number=vault.decrypt(zhang_san.doc_cipher))
    assert ident["person"] == zhang_san and ident["name"] == "张三"


def test_a_second_report_of_the_same_person_merges(checkpoint_staff):
    number = new_resident_id("420102")
    a1, _ = arrival_record(
        actor=checkpoint_staff,
        division_code=QINGHUAYUAN,
        source="passage",
        identity=recorded_identity(name="钱多多", doc_number=number),
    )
    a_risk_area("4201")
    a2, created = arrival_record(
        actor=None,
        division_code=QINGHUAYUAN,
        source="self_report",
        origin_code="4201",
        identity=recorded_identity(name="钱多多", doc_number=number),
    )
    assert not created and a1.pk == a2.pk and a2.reports == 2 and a2.flagged
    assert Arrival.objects.count() == 1


@pytest.mark.parametrize("code", ["410611005", "4105", "110105001001", "999999999999"])
def test_the_destination_must_be_a_community_in_the_city(checkpoint_staff, code):
    with pytest.raises(ValidationError) as exc:
        arrival_record(
            actor=checkpoint_staff,
            division_code=code,
            source="passage",
            identity=recorded_identity(name="钱多多", doc_number=new_resident_id()),
        )
    assert "destination" in exc.value.message_dict


def test_bad_identity_reports_each_field(hebi):
    with pytest.raises(ValidationError) as exc:
        recorded_identity(name="", doc_number="123", phone="999")
    assert {"doc_number", "phone"} <= set(exc.value.message_dict)
