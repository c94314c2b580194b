"""The population generator: ``fangkong generate`` over the real Hebi divisions.

One population of 2,000 persons is generated for the module (inside a
transaction rolled back at the end); each test reads it."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from fangkong.audit.models import AuditEntry
from fangkong.lib import vault
from fangkong.lib.documents import normalize_phone, parse_resident_id
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.lib.pinyin import name_keys, split_name_keys
from fangkong.people import generator
from fangkong.people.generator import PERSON_COLUMNS
from fangkong.people.identity import document_index, phone_index
from fangkong.people.models import Household, Person
from fangkong.regions.models import Division

PERSONS = 2000
SEED = 7


@pytest.fixture(scope="module")
def population(django_db_setup, django_db_blocker):
    """2,000 generated persons, shared by the tests of this module and rolled back after them."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("generate", persons=PERSONS, seed=SEED, stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def persons(population, db):
    return list(Person.objects.order_by("id"))


def _numbers(persons):
    return {p.pk: vault.decrypt(p.doc_cipher) for p in persons}


def test_it_generates_exactly_the_persons_asked_for_and_reports_progress(population, db):
    assert Person.objects.count() == PERSONS
    assert "persons/s" in population and "generated 2,000 persons" in population


def test_every_id_number_is_valid_unique_and_from_the_persons_county(persons):
    numbers = _numbers(persons)
    assert len(set(numbers.values())) == len(persons) == len({p.doc_index for p in persons})
    for p in persons:
        parsed = parse_resident_id(numbers[p.pk])
        assert parsed.region == p.division_code[:6]
        assert (parsed.sex, parsed.birth_date) == (p.sex, p.birth_date)
        assert p.doc_type == "ric"


def test_numbers_and_phones_are_stored_exactly_as_the_services_store_them(persons):
    for p in persons[:300]:
        number = vault.decrypt(p.doc_cipher)
        assert p.doc_masked == mask_id_number(number)
        assert p.doc_index == document_index("ric", number)
        if p.phone_cipher:
            phone = vault.decrypt(p.phone_cipher)
            assert p.phone_index == phone_index(phone)
            assert p.phone_masked == mask_phone(phone)


def test_every_phone_is_a_valid_mainland_mobile_and_children_have_none(persons):
    with_phone = 0
    for p in persons:
        age = (generator.AS_OF - p.birth_date).days / 365.2425
        if not p.phone_cipher:
            assert p.phone_index == p.phone_masked == ""
            continue
        phone = vault.decrypt(p.phone_cipher)
        assert normalize_phone(phone) == phone and len(phone) == 11 and phone[0] == "1"
        assert age >= 16
        with_phone += 1
    adults = sum(1 for p in persons if (generator.AS_OF - p.birth_date).days >= 18 * 366)
    assert with_phone > 0.8 * adults


def test_households_average_about_2_86_persons_each_with_its_head_in_it(population, db):
    households = Household.objects.count()
    assert abs(PERSONS / households - 2.86) <= 0.3
    heads = dict(Person.objects.filter(relation="head").values_list("id", "household_id"))
    for hid, head_id in Household.objects.values_list("id", "head_id"):
        assert heads.get(head_id) == hid
    assert not Household.objects.filter(members__isnull=True).exists()
    assert Person.objects.filter(relation="head").count() == households


def test_relations_fit_the_ages(persons):
    by_household: dict[int, list[Person]] = {}
    for p in persons:
        by_household.setdefault(p.household_id, []).append(p)
    for members in by_household.values():
        head = next(p for p in members if p.relation == "head")
        for p in members:
            if p.relation in ("spouse", "in_law", "parent"):
                assert p.birth_date.year <= generator.AS_OF.year - 20
            if p.relation == "spouse":
                assert p.sex != head.sex
            if p.relation == "child":
                assert p.birth_date > head.birth_date + dt.timedelta(days=17 * 365)
            if p.relation == "parent":
                assert p.birth_date < head.birth_date - dt.timedelta(days=17 * 365)
            if p.relation == "grandchild":
                assert p.birth_date > head.birth_date + dt.timedelta(days=35 * 365)


def test_the_age_structure_is_hebis(persons):
    bands = Counter()
    for p in persons:
        age = (generator.AS_OF - p.birth_date).days / 365.2425
        bands["0-14" if age < 15 else "15-64" if age < 65 else "65+"] += 1
    share = {k: v / len(persons) for k, v in bands.items()}
    assert abs(share["0-14"] - 0.18) < 0.04
    assert abs(share["15-64"] - 0.67) < 0.05
    assert abs(share["65+"] - 0.15) < 0.04


def test_households_live_in_a_grid_of_their_community_or_the_community(population, db):
    grids = set(Division.objects.filter(level="grid").values_list("code", flat=True))
    gridded = {code[:12] for code in grids}
    communities = set(Division.objects.filter(level="community").values_list("code", flat=True))
    for code in Household.objects.values_list("division_code", flat=True):
        assert code in grids or (code in communities and code not in gridded)
    home = Household.objects.filter(pk=OuterRef("household_id")).values("division_code")[:1]
    assert not Person.objects.exclude(division_code=Subquery(home)).exists()


def test_addresses_look_like_hebi_addresses(population, db):
    names = dict(Division.objects.filter(level="community").values_list("code", "short_name"))
    urban = re.compile(r"^\w+?\d+号院\d+号楼\d单元\d{3,4}$")
    for code, address in Household.objects.values_list("division_code", "address"):
        name = names[code[:12]]
        if "社区" in name:
            assert urban.match(address), address
        elif name.endswith("村"):
            assert address.startswith(name) and address.endswith("号"), address


def test_division_counts_are_right(population, db):
    city = Division.objects.get(code="4106")
    assert city.person_count == Person.objects.count() == PERSONS
    assert city.household_count == Household.objects.count()
    county = Division.objects.get(code="410621")
    assert county.person_count == Person.objects.under("410621").count()


def test_pinyin_search_keys_are_right(persons):
    for p in persons[::20]:
        assert (p.name_pinyin, p.name_initials) == name_keys(p.name)
        assert 2 <= len(p.name) <= 3


def test_names_are_common_chinese_names(persons):
    surnames = {s for s, _w in generator.SURNAMES}
    assert all(p.name[0] in surnames for p in persons)
    top = Counter(p.name[0] for p in persons).most_common(4)
    assert {s for s, _n in top} & {"王", "李", "张", "刘"}
    assert len({p.name for p in persons}) > 0.9 * len(persons)


def test_tags_come_at_plausible_rates(persons):
    n = len(persons)
    for p in persons:
        age = (generator.AS_OF - p.birth_date).days / 365.2425
        if p.tag_pregnant:
            assert p.sex == "F" and 20 <= age < 40
        if p.tag_elderly_alone:
            assert age >= 70 and p.relation == "head"
    assert 0 < sum(p.tag_chronic for p in persons) < 0.25 * n
    assert sum(p.tag_disabled for p in persons) < 0.08 * n
    assert sum(p.tag_low_income for p in persons) < 0.1 * n
    assert sum(p.tag_pregnant for p in persons) < 0.05 * n


def test_one_audit_entry_records_the_generation(population, db):
    entry = AuditEntry.objects.filter(action="import", object_type="people.person").get()
    assert entry.detail["generated"] == PERSONS and entry.detail["seed"] == SEED
    assert entry.actor is None


def test_the_same_seed_gives_the_same_people_in_any_batching(persons):
    communities = generator.communities_from_db("4106")
    first = persons[0].pk
    first_household = Household.objects.order_by("id").values_list("id", flat=True)[0]

    def people(batch_persons):
        plan = generator.make_plan(
            communities, persons=PERSONS, seed=SEED, first_person_id=first, first_household_id=first_household
        )
        rows = []
        for batch in generator.make_batches(plan, target_persons=batch_persons):
            rows += generator.generate_batch(plan, batch)[1]
        # ciphertexts differ (random nonces); everything else is the same
        return [(r[0], r[3], vault.decrypt(r[10]), r[11], r[1], r[2], r[16]) for r in rows]

    again = people(300)
    assert again == people(5000)
    loaded = [
        (p.pk, p.name, vault.decrypt(p.doc_cipher), p.doc_index, p.household_id, p.division_code, p.relation)
        for p in persons
    ]
    assert again == loaded
    other = generator.make_plan(communities, persons=PERSONS, seed=SEED + 1)
    other_names = [r[3] for b in generator.make_batches(other) for r in generator.generate_batch(other, b)[1]]
    assert other_names != [p[1] for p in again]


def test_name_keys_are_composed_per_part_as_split_name_keys_does():
    for surname, given in (("王", "建国"), ("张", "一"), ("欧", "梓涵")):
        assert generator._name_keys(surname, given) == split_name_keys(surname, given)


def test_a_whole_city_plan_reaches_every_community_villages_smaller(hebi):
    communities = generator.communities_from_db("4106")
    assert len(communities) == 1041
    plan = generator.make_plan(communities, persons=1_570_000, seed=2020)
    assert sum(cp.persons for cp in plan.communities) == 1_570_000
    assert all(cp.persons > 0 for cp in plan.communities)
    assert 2.76 <= plan.persons / plan.households <= 2.96
    urban = [cp.persons for cp in plan.communities if cp.community.urban]
    villages = [cp.persons for cp in plan.communities if cp.community.name.endswith("村")]
    assert sum(urban) / len(urban) > 2 * sum(villages) / len(villages)
    assert max(villages) > 2 * min(villages)
    # every community owns its own ID sequence numbers within its county
    seen: dict[str, set[int]] = {}
    for cp in plan.communities:
        owned = seen.setdefault(cp.community.county, set())
        assert cp.seq_pairs and not owned & set(cp.seq_pairs)
        owned |= set(cp.seq_pairs)


def test_it_refuses_to_generate_into_an_existing_registry(population, db):
    with pytest.raises(CommandError, match="--append"):
        call_command("generate", persons=10, seed=SEED, stdout=io.StringIO())
    assert Person.objects.count() == PERSONS


def test_append_adds_persons_without_reusing_a_registered_number(population, db):
    # Same seed again: every first-choice number is taken, so each moves to another.
    call_command("generate", persons=300, seed=SEED, append=True, stdout=io.StringIO())
    assert Person.objects.count() == PERSONS + 300
    assert Person.objects.values("doc_index").distinct().count() == PERSONS + 300
    assert Division.objects.get(code="4106").person_count == PERSONS + 300
    new = Person.objects.order_by("-id")[:50]
    for p in new:
        assert parse_resident_id(vault.decrypt(p.doc_cipher)).region == p.division_code[:6]


def _index_names():
    with connection.cursor() as cursor:
        return {
            name
            for table in ("people_person", "people_household")
            for name, info in connection.introspection.get_constraints(cursor, table).items()
            if info["index"] or info["unique"] or info["foreign_key"]
        }


def test_a_big_load_rebuilds_the_indexes_and_constraints_it_dropped(population, db):
    from fangkong.people.loader import populate

    Household.objects.update(head=None)
    Person.objects.all().delete()
    Household.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fire the deletes' deferred checks before the DDL
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = _index_names()
    result = populate(persons=500, seed=3, rebuild_indexes=True)
    assert result.persons == Person.objects.count() == 500
    assert _index_names() == before
    number = vault.decrypt(Person.objects.order_by("?").first().doc_cipher)
    assert Person.objects.filter(doc_index=document_index("ric", number)).count() == 1


def test_copy_text_rows_hold_the_same_values_as_tuple_rows(hebi):
    plan = generator.make_plan(generator.communities_from_db("4106"), persons=300, seed=SEED)
    batch = generator.make_batches(plan)[0]
    hh_rows, p_rows = generator.generate_batch(plan, batch)
    hh_text, p_text = generator.generate_batch(plan, batch, copy_suffixes=("\tH\n", "\tP\n"))
    assert [line.split("\t") for line in hh_text] == [[*map(str, row), "H\n"] for row in hh_rows]
    ciphers = (PERSON_COLUMNS.index("doc_cipher"), PERSON_COLUMNS.index("phone_cipher"))
    for line, row in zip(p_text, p_rows, strict=True):
        fields = line.split("\t")
        assert fields[-1] == "P\n" and len(fields) == len(row) + 1
        for i, (got, want) in enumerate(zip(fields, row, strict=False)):
            if i in ciphers:  # fresh random nonces: compare what they decrypt to
                assert vault.decrypt(got) == vault.decrypt(want)
            else:
                assert got == str(want), PERSON_COLUMNS[i]
