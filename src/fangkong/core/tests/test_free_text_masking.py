"""ID and phone numbers typed into free text (reasons, notes, outcomes) are masked
when stored, everywhere, whatever path writes them."""

import pytest
from django.apps import apps
from django.db import models

from fangkong.audit.chain import first_break, seal_pending
from fangkong.audit.models import AuditEntry
from fangkong.core.fields import FreeCharField, FreeJSONField, FreeTextField
from fangkong.core.rowsql import insert
from fangkong.people.models import Household
from fangkong.people.tests.test_api_support import remember

ID = "410611198008300839"
PHONE = "15544776939"
TYPED = f"核对身份证{ID}与电话{PHONE}"


def _leaks(text: str) -> bool:
    return ID in text or PHONE in text or "19800830" in text or "4477" in text


def test_a_reveal_reason_with_numbers_is_stored_masked_and_the_chain_still_holds(
    api, secrets, qinghuayuan_worker, zhang_san, inspector, client
):
    remember(secrets, zhang_san)
    r = api(qinghuayuan_worker).post(
        f"/api/v1/persons/{zhang_san.pk}/reveal", {"field": "phone", "reason": TYPED}, may_reveal=True
    )
    assert r.status_code == 200
    e = AuditEntry.objects.get(action="reveal")
    assert e.reason == "核对身份证410611********0839与电话155****6939"
    # The inspector's page shows the masked reason; nothing typed survives.
    client.force_login(inspector)
    page = client.get("/audit/").content.decode()
    assert "410611********0839" in page and not _leaks(page)
    seal_pending()  # on PostgreSQL entries are sealed after the commit, which a test never reaches
    broken, checked = first_break()
    assert broken is None and checked >= 1


def test_every_write_path_stores_the_masked_text(qinghuayuan_worker):
    from conftest import QINGHUAYUAN

    h = Household(division_code=QINGHUAYUAN, address="泰山路1号", note=TYPED)
    h.save()
    assert h.note == Household.objects.get(pk=h.pk).note and not _leaks(h.note)
    bulk = Household.objects.bulk_create([Household(division_code=QINGHUAYUAN, address=f"电话 {PHONE}", note="")])
    assert not _leaks(Household.objects.get(pk=bulk[0].pk).address) and not _leaks(bulk[0].address)
    Household.objects.filter(pk=h.pk).update(note=f"ID {ID[:6]} {ID[6:14]} {ID[14:]}")
    assert Household.objects.get(pk=h.pk).note == "ID 410611********0839"
    raw = Household(division_code=QINGHUAYUAN, address="泰山路2号", note="+86 155-4477-6939")
    insert([raw])
    assert Household.objects.get(address="泰山路2号").note == "155****6939"


def test_json_free_text_is_masked_but_codes_the_system_wrote_are_kept(qinghuayuan_worker):
    from fangkong.audit.services import record

    grid = "410611005007003"
    record(None, "login_failed", detail={"username": PHONE, "division": grid})
    e = AuditEntry.objects.get(action="login_failed")
    assert e.detail == {"username": "155****6939", "division": grid}
    from fangkong.core.fields import mask_json

    assert mask_json({"rows": [{"error": TYPED, "row": 3}], "to_division": grid}) == {
        "rows": [{"error": "核对身份证410611********0839与电话155****6939", "row": 3}],
        "to_division": grid,
    }


# Text columns that are not typed free text, each with why it needs no mask.
NOT_FREE_TEXT = {
    "division_code": "a division code the system validated",
    "parent_code": "a division code",
    "code": "a division code",
    "origin_code": "a division code",
    "destination_code": "a division code",
    "actor_division_code": "a division code",
    "client_key": "an idempotency key the client generates",
    "kind": "a choice",
    "source_ref": "written by the system (arrival:12)",
    "flags": "choices, comma-separated",
    "symptoms": "choices, comma-separated",
    "object_type": "a model label",
    "object_id": "a primary key",
    "from_status": "a choice",
    "to_status": "a choice",
    "language": "a language code",
    "task_id": "a task id",
    "key": "a throttle key (hashed)",
    "window": "a throttle window",
    "chain": "a hash",
    "prefix": "the first characters of a token",
    "key_hash": "a hash",
    "scope_stamp": "a random stamp",
    "name": "a person's or division's name: identifying text, digits refused (lib.text)",
    "short_name": "a division's name from the national code list",
    "name_pinyin": "derived from the name",
    "name_initials": "derived from the name",
    "full_name": "a user's name",
    "doc_cipher": "ciphertext",
    "phone_cipher": "ciphertext",
    "doc_index": "a blind index",
    "phone_index": "a blind index",
    "doc_masked": "already masked",
    "phone_masked": "already masked",
    "plate": "a plate, validated (lib.plates)",
    "travel_mode": "a choice",
    "actor_username": "a user's login name",
    "username": "a user's login name, validated",
    "password": "a hash",
    "first_name": "unused (full_name)",
    "last_name": "unused (full_name)",
    "email": "unused",
    "session_key": "a session key",
    "session_data": "signed session data",
}
FREE_NAMED = {"checkpoints.checkpoint.name", "screening.campaign.name", "accounts.apitoken.name"}


def test_every_free_text_column_of_ours_masks_numbers():
    """A new note or reason field that forgets the mask fails here: each text
    column of a Fangkong model is a Free* field or is listed with its reason."""
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("fangkong."):
            continue
        for f in model._meta.concrete_fields:
            label = f"{model._meta.label_lower}.{f.name}"
            if not isinstance(f, (models.CharField, models.TextField, models.JSONField)) or f.choices:
                continue
            if isinstance(f, (FreeCharField, FreeTextField, FreeJSONField)):
                continue
            if label in FREE_NAMED or f.name not in NOT_FREE_TEXT:
                missing.append(label)
    assert missing == []


def test_the_migrations_see_plain_fields():
    """The column is the same, so no migration (on SQLite an AlterField would
    rebuild the audit table and drop its append-only triggers)."""
    f = AuditEntry._meta.get_field("reason")
    assert f.deconstruct()[1] == "django.db.models.CharField"
    assert AuditEntry._meta.get_field("detail").deconstruct()[1] == "django.db.models.JSONField"


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("电话１５５４４７７６９３９", "电话155****6939"),
        ("ID410611198008300839x", "ID410611********0839x"),
        ("4106 1119 8008 3008 39", "410611********0839"),
        ("0086-155 4477 6939", "155****6939"),
        ("网格410611005007003，社区410611005007", "网格410611005007003，社区410611005007"),
        ("2020-01-23 13:30 第1381234123号", "2020-01-23 13:30 第1381234123号"),
    ],
)
def test_how_numbers_are_typed_does_not_matter(typed, stored):
    from fangkong.lib.masking import mask_numbers

    assert mask_numbers(typed) == stored
    assert mask_numbers(stored) == stored
