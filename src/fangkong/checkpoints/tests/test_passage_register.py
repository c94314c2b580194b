import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from conftest import QINGHUAYUAN, XIMAZHUANG, new_resident_id
from fangkong.audit.models import AuditEntry
from fangkong.checkpoints.models import Passage
from fangkong.checkpoints.services import PassageIn, passage_register, risk_area_create
from fangkong.lib import vault
from fangkong.screening.models import Arrival

from .conftest import passage


def register(actor, cp, **kw):
    passengers = kw.pop("passengers", ())
    return passage_register(actor=actor, checkpoint=cp, passage=passage(**kw), passengers=passengers)


def errors_of(actor, cp, **kw) -> dict:
    with pytest.raises(ValidationError) as exc:
        register(actor, cp, **kw)
    return exc.value.message_dict


def test_it_registers_an_inbound_passage_and_queues_an_arrival(checkpoint_staff, qibin_checkpoint):
    number = new_resident_id("420102")
    reg = register(checkpoint_staff, qibin_checkpoint, doc_number=number)
    p = reg.first
    assert reg.created and not p.flagged
    assert p.division_code == qibin_checkpoint.division_code and p.registered_on == timezone.localdate()
    assert vault.decrypt(p.doc_cipher) == number and p.doc_masked.startswith("420102")
    assert p.origin_name == "河南省郑州市" and p.destination_name == "清华园社区"
    arrival = Arrival.objects.get()
    assert p.arrival_id == arrival.pk and arrival.division_code == QINGHUAYUAN
    assert arrival.source == "passage" and arrival.source_ref == f"checkpoint:{p.checkpoint_id}"
    assert arrival.doc_index == p.doc_index and arrival.travel_number == "豫F12345" and not arrival.flagged


def test_it_flags_fever(checkpoint_staff, qibin_checkpoint):
    p = register(checkpoint_staff, qibin_checkpoint, temperature="37.3").first
    assert p.fever and p.flagged and p.flag_list() == ["fever"]
    assert Arrival.objects.get().flag_list() == ["fever"]
    assert not register(checkpoint_staff, qibin_checkpoint, temperature="37.2").first.fever


def test_a_forgotten_decimal_point_is_asked_for_not_guessed(checkpoint_staff, qibin_checkpoint):
    assert "小数点" in errors_of(checkpoint_staff, qibin_checkpoint, temperature="378")["temperature"][0]
    assert register(checkpoint_staff, qibin_checkpoint, temperature="36,6").first.temperature == Decimal("36.6")


def test_it_flags_origins_in_a_current_risk_area(checkpoint_staff, qibin_checkpoint, wuhan_high_risk):
    p = register(checkpoint_staff, qibin_checkpoint, origin="武汉").first
    assert p.risk_area and p.risk_level == "high" and p.origin_code == "4201"
    assert Arrival.objects.get().flag_list() == ["risk_area"]
    assert not register(checkpoint_staff, qibin_checkpoint, origin="4202").first.risk_area  # 黄石: not listed


def test_a_province_risk_area_covers_its_cities(checkpoint_staff, qibin_checkpoint, hq_officer):
    risk_area_create(actor=hq_officer, origin_code="湖北省", level="medium", starts_on=timezone.localdate())
    p = register(checkpoint_staff, qibin_checkpoint, origin="湖北省黄石市").first
    assert p.risk_area and p.risk_level == "medium"


def test_risk_areas_flag_only_on_their_dates(checkpoint_staff, qibin_checkpoint, hq_officer):
    today = timezone.localdate()
    risk_area_create(
        actor=hq_officer,
        origin_code="4201",
        level="high",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today - dt.timedelta(days=1),
    )  # lifted yesterday
    risk_area_create(actor=hq_officer, origin_code="4201", level="high", starts_on=today + dt.timedelta(days=1))
    assert not register(checkpoint_staff, qibin_checkpoint, origin="4201").first.risk_area
    risk_area_create(actor=hq_officer, origin_code="4201", level="medium", starts_on=today, ends_on=today)
    assert register(checkpoint_staff, qibin_checkpoint, origin="4201").first.risk_level == "medium"


@pytest.mark.parametrize("value", ["34.9", "42.1", "3", "99", "abc", "", "nan", "1e400"])
def test_temperature_out_of_range_is_a_clear_error(checkpoint_staff, qibin_checkpoint, value):
    errors = errors_of(checkpoint_staff, qibin_checkpoint, temperature=value)
    assert list(errors) == ["temperature"]
    assert not Passage.objects.exists() and not Arrival.objects.exists()


def test_temperatures_at_the_limits_are_accepted(checkpoint_staff, qibin_checkpoint):
    assert register(checkpoint_staff, qibin_checkpoint, temperature="35.0").first.temperature == Decimal("35.0")
    assert register(checkpoint_staff, qibin_checkpoint, temperature="42").first.temperature == Decimal("42.0")


@pytest.mark.parametrize("plate", ["豫I12345", "豫F1234", "ABCDEFG", "豫FD1234A", "海F12345"])
def test_an_invalid_plate_is_refused(checkpoint_staff, qibin_checkpoint, plate):
    assert list(errors_of(checkpoint_staff, qibin_checkpoint, plate=plate)) == ["plate"]


def test_plates_are_stored_canonical(checkpoint_staff, qibin_checkpoint):
    assert register(checkpoint_staff, qibin_checkpoint, plate="豫f·d12345").first.plate == "豫FD12345"
    assert register(checkpoint_staff, qibin_checkpoint, plate="").first.plate == ""


@pytest.mark.parametrize("number", ["410611198501011230", "41061119850101123", "abc", ""])
def test_an_invalid_id_number_is_refused(checkpoint_staff, qibin_checkpoint, number):
    assert "doc_number" in errors_of(checkpoint_staff, qibin_checkpoint, doc_number=number)


@pytest.mark.parametrize("code", ["410105001001", "999999999999", "410611005", "4106", "清华园社区"])
def test_a_destination_outside_the_city_is_refused(checkpoint_staff, qibin_checkpoint, code):
    assert list(errors_of(checkpoint_staff, qibin_checkpoint, destination=code)) == ["destination"]


def test_an_inbound_passage_needs_a_destination_unless_in_transit(checkpoint_staff, qibin_checkpoint):
    assert "destination" in errors_of(checkpoint_staff, qibin_checkpoint, destination="")
    p = register(checkpoint_staff, qibin_checkpoint, destination="", purpose="transit").first
    assert p.destination_code == "" and not Arrival.objects.exists()


def test_an_unknown_origin_is_refused(checkpoint_staff, qibin_checkpoint):
    assert list(errors_of(checkpoint_staff, qibin_checkpoint, origin="火星")) == ["origin"]


def test_outbound_passages_make_no_arrival(checkpoint_staff, qibin_checkpoint):
    p = register(checkpoint_staff, qibin_checkpoint, direction="out", origin="", destination="湖北省武汉市").first
    assert p.direction == "out" and p.destination_code == "4201" and p.arrival_id is None
    assert not Arrival.objects.exists()


def test_all_errors_are_reported_at_once(checkpoint_staff, qibin_checkpoint):
    errors = errors_of(checkpoint_staff, qibin_checkpoint, temperature="50", plate="X", doc_number="1", origin="")
    assert {"temperature", "plate", "doc_number", "origin"} <= set(errors)


def test_a_retried_client_key_returns_the_first_passage(checkpoint_staff, qibin_checkpoint):
    first = register(checkpoint_staff, qibin_checkpoint, client_key="k-1")
    again = register(checkpoint_staff, qibin_checkpoint, client_key="k-1", temperature="38.5")
    assert first.created and not again.created
    assert again.first.pk == first.first.pk and again.first.temperature == Decimal("36.5")
    assert Passage.objects.count() == 1 and Arrival.objects.count() == 1


def test_a_retry_is_caught_by_the_unique_key_and_returns_the_first(checkpoint_staff, qibin_checkpoint, monkeypatch):
    """Registration inserts first (client keys are almost always new); a
    retried key fails the unique constraint, everything of the second attempt
    (its arrival, its audit entries) is rolled back, and the first is returned."""
    winner = register(checkpoint_staff, qibin_checkpoint, client_key="race").first
    audits = AuditEntry.objects.count()
    from fangkong.checkpoints import services

    monkeypatch.setattr(services, "_registration_for_key", lambda key: None)
    again = register(checkpoint_staff, qibin_checkpoint, client_key="race")
    assert not again.created and again.first.pk == winner.pk
    assert Passage.objects.filter(client_key="race").count() == 1 and Arrival.objects.count() == 1
    assert AuditEntry.objects.count() == audits


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races between connections need PostgreSQL: the "
    "in-memory SQLite test database cannot take concurrent writers",
)
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_retries_do_not_duplicate(committed_db, checkpoint_staff, qibin_checkpoint, attempt):
    """Two submissions of the same key at once, each on its own connection."""
    item = passage(client_key=f"concurrent-{attempt}")
    barrier = threading.Barrier(2)
    results, failures = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            results.append(passage_register(actor=checkpoint_staff, checkpoint=qibin_checkpoint, passage=item))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not failures, failures
    assert sorted(r.created for r in results) == [False, True]
    assert len({r.first.pk for r in results}) == 1
    assert Passage.objects.filter(client_key=f"concurrent-{attempt}").count() == 1
    assert Arrival.objects.count() == 1


def test_a_carload_creates_a_passage_and_an_arrival_per_person(checkpoint_staff, qibin_checkpoint):
    others = [
        PassageIn(direction="", temperature="36.4", doc_number=new_resident_id("420102"), name="钱二"),
        PassageIn(direction="", temperature="37.9", doc_number=new_resident_id("420102"), name="钱三"),
        PassageIn(
            direction="", temperature="36.8", doc_number=new_resident_id("420102"), name="钱四", destination=XIMAZHUANG
        ),
    ]
    reg = register(checkpoint_staff, qibin_checkpoint, client_key="car-1", passengers=others)
    assert reg.created and len(reg.passages) == 4
    group = {p.vehicle_group for p in reg.passages}
    assert len(group) == 1 and None not in group
    assert {p.plate for p in reg.passages} == {"豫F12345"}
    assert Passage.objects.count() == 4 and Arrival.objects.count() == 4
    assert [p.fever for p in reg.passages] == [False, False, True, False]
    assert Arrival.objects.filter(division_code=XIMAZHUANG).count() == 1
    again = register(checkpoint_staff, qibin_checkpoint, client_key="car-1", passengers=others)
    assert not again.created and [p.pk for p in again.passages] == [p.pk for p in reg.passages]
    assert Passage.objects.count() == 4


def test_a_bad_passenger_saves_nothing_and_says_which(checkpoint_staff, qibin_checkpoint):
    others = [
        PassageIn(direction="", temperature="36.4", doc_number=new_resident_id("420102"), name="钱二"),
        PassageIn(direction="", temperature="45", doc_number="123", name="钱三"),
    ]
    with pytest.raises(ValidationError) as exc:
        register(checkpoint_staff, qibin_checkpoint, passengers=others)
    assert set(exc.value.message_dict) == {"passengers.1.temperature", "passengers.1.doc_number"}
    assert not Passage.objects.exists() and not Arrival.objects.exists()


def test_a_known_person_fills_name_and_phone(checkpoint_staff, qibin_checkpoint, zhang_san):
    p = register(
        checkpoint_staff, qibin_checkpoint, doc_number=vault.decrypt(zhang_san.doc_cipher), name="", phone=""
    ).first
    assert p.person_id == zhang_san.pk and p.name == "张三" and p.phone_masked == "138****1234"


def test_an_unknown_person_needs_a_name(checkpoint_staff, qibin_checkpoint):
    assert list(errors_of(checkpoint_staff, qibin_checkpoint, name="")) == ["name"]


def test_staff_cannot_register_outside_their_county(checkpoint_staff, xunxian_checkpoint):
    with pytest.raises(Http404):
        register(checkpoint_staff, xunxian_checkpoint)
    assert not Passage.objects.exists()


def test_a_village_worker_registers_at_the_village_gate(ximazhuang_worker, ximazhuang_gate, qibin_checkpoint):
    p = register(ximazhuang_worker, ximazhuang_gate, destination=XIMAZHUANG).first
    assert p.division_code == XIMAZHUANG
    with pytest.raises(Http404):
        register(ximazhuang_worker, qibin_checkpoint)


def test_office_staff_without_the_capability_get_403(county_officer, qibin_checkpoint):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        register(county_officer, qibin_checkpoint)


def test_a_closed_checkpoint_registers_nothing(checkpoint_staff, qibin_checkpoint, hq_officer):
    from fangkong.checkpoints.services import checkpoint_status_change

    closed = checkpoint_status_change(
        actor=hq_officer, checkpoint=qibin_checkpoint, to_status="closed", reason="疫情解除"
    )
    assert "checkpoint" in errors_of(checkpoint_staff, closed)
    assert "checkpoint" in errors_of(checkpoint_staff, closed.pk)  # looked up by id: read fresh


def test_the_audit_entry_holds_no_personal_data(checkpoint_staff, qibin_checkpoint):
    number = new_resident_id("420102")
    p = register(checkpoint_staff, qibin_checkpoint, doc_number=number).first
    entry = AuditEntry.objects.get(object_type="checkpoints.passage", object_id=str(p.pk))
    assert entry.action == "create" and entry.role == "checkpoint"
    assert number not in str(entry.detail) and "13600001111" not in str(entry.detail)


def test_control_characters_do_not_reach_the_database(checkpoint_staff, qibin_checkpoint):
    p = register(checkpoint_staff, qibin_checkpoint, note="备注\x00有空字符").first
    assert "\x00" not in p.note


def test_the_risk_list_is_read_once_per_few_seconds_and_a_change_clears_it(
    checkpoint_staff, qibin_checkpoint, hq_officer, monkeypatch, django_assert_num_queries
):
    from fangkong.checkpoints import services

    monkeypatch.setattr(services, "RISK_CACHE_SECONDS", 10)
    services._clear_risk_cache()
    today = timezone.localdate()
    assert services.current_risk_levels(today) == {}
    with django_assert_num_queries(0):
        services.current_risk_levels(today)
    risk_area_create(actor=hq_officer, origin_code="4201", level="high", starts_on=today)
    assert register(checkpoint_staff, qibin_checkpoint, origin="4201").first.risk_area
    services._clear_risk_cache()
