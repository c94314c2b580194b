import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.urls import reverse

from conftest import PASSWORD
from fangkong.audit.models import AuditEntry


def test_login_and_home_show_the_users_place(client, qinghuayuan_worker):
    r = client.post(reverse("accounts:login"), {"username": "qinghuayuan_worker", "password": PASSWORD})
    assert r.status_code == 302
    home = client.get(reverse("accounts:home"))
    assert "清华园社区" in home.content.decode()
    assert AuditEntry.objects.filter(action="login", actor=qinghuayuan_worker).exists()


def test_a_wrong_password_keeps_the_username(client, qinghuayuan_worker):
    r = client.post(reverse("accounts:login"), {"username": "qinghuayuan_worker", "password": "nope"})
    assert r.status_code == 200
    assert 'value="qinghuayuan_worker"' in r.content.decode()


def test_five_failures_lock_the_account(client, qinghuayuan_worker):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "qinghuayuan_worker", "password": "wrong"})
    r = client.post(reverse("accounts:login"), {"username": "qinghuayuan_worker", "password": PASSWORD})
    assert r.status_code == 429
    assert "锁定" in r.content.decode()


def test_sessions_expire_after_thirty_idle_minutes(client, qinghuayuan_worker):
    import time

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(qinghuayuan_worker)
    client.get(reverse("accounts:home"))
    first = client.session.get_expiry_date()
    # Within a minute nothing is written; after it, the expiry moves forward.
    start = time.time()
    with time_machine.travel(start + 120):
        client.get(reverse("accounts:home"))
        assert client.session["_touched"] >= int(start) + 119
        assert client.session.get_expiry_date() >= first


def test_an_idle_session_is_gone(client, qinghuayuan_worker):
    from django.contrib.sessions.models import Session

    client.force_login(qinghuayuan_worker)
    client.get(reverse("accounts:home"))
    import datetime as dt

    from django.utils import timezone

    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    r = client.get(reverse("accounts:home"))
    assert r.status_code == 302 and reverse("accounts:login") in r["Location"]


def test_a_deactivated_account_or_a_removed_session_is_signed_out_at_the_next_request(
    client, qinghuayuan_worker, ximazhuang_worker
):
    from django.contrib.sessions.models import Session
    from django.test import Client

    client.force_login(qinghuayuan_worker)
    assert client.get(reverse("accounts:home")).status_code == 200
    qinghuayuan_worker.is_active = False
    qinghuayuan_worker.save(update_fields=["is_active"])
    r = client.get(reverse("accounts:home"))
    assert r.status_code == 302 and reverse("accounts:login") in r["Location"]

    other = Client()
    other.force_login(ximazhuang_worker)
    assert other.get(reverse("accounts:home")).status_code == 200
    Session.objects.filter(session_key=other.session.session_key).delete()
    assert other.get(reverse("accounts:home")).status_code == 302


def test_a_changed_password_signs_out_the_other_sessions(client, qinghuayuan_worker):
    client.force_login(qinghuayuan_worker)
    assert client.get(reverse("accounts:home")).status_code == 200
    qinghuayuan_worker.set_password("Another-password-2020")
    qinghuayuan_worker.save()
    assert client.get(reverse("accounts:home")).status_code == 302


def test_the_session_engine_and_password_backend_are_ours(db):
    """Sessions and the signed-in user are loaded with statements built once
    (accounts.sessions, accounts.backends; core.rowsql)."""
    from django.contrib.auth.backends import ModelBackend

    from fangkong.accounts.backends import PasswordBackend

    assert settings.SESSION_ENGINE == "fangkong.accounts.sessions"
    assert "fangkong.accounts.backends.PasswordBackend" in settings.AUTHENTICATION_BACKENDS
    assert issubclass(PasswordBackend, ModelBackend)
    assert PasswordBackend().get_user(10**9) is None


def test_passwords_are_hashed_with_argon2_in_production_settings():
    # Tests prepend a fast hasher; the first production hasher is argon2.
    production = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert production[0].endswith("Argon2PasswordHasher")
    encoded = Argon2PasswordHasher().encode("Fangkong-2020", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$")


@pytest.mark.parametrize(
    "fixture, text",
    [
        ("hq_officer", "鹤壁市"),
        ("county_officer", "淇滨区"),
        ("checkpoint_staff", "卡点工作人员"),
        ("inspector", "审计记录"),
    ],
)
def test_each_role_has_a_home_page(client, request, fixture, text):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    r = client.get(reverse("accounts:home"))
    assert r.status_code == 200 and text in r.content.decode()


def test_pages_need_login(client, hebi):
    r = client.get(reverse("people:person_list"))
    assert r.status_code == 302 and reverse("accounts:login") in r["Location"]
