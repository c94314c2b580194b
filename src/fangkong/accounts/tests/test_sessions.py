"""accounts.sessions overrides a private method of Django's database session
store (``_get_session_from_db``). These tests fail when a Django upgrade
changes that method's signature or what it does, or stops calling it from
``load()`` — then the override must be looked at again."""

import datetime as dt
import inspect

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from fangkong.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_overridden_method_keeps_the_signature_we_rely_on():
    assert str(inspect.signature(DjangoStore._get_session_from_db)) == "(self)"
    assert inspect.signature(SessionStore._get_session_from_db) == inspect.signature(DjangoStore._get_session_from_db)


def test_django_still_loads_a_session_through_the_overridden_method():
    calls = []

    class Counting(DjangoStore):
        def _get_session_from_db(self):
            calls.append(self.session_key)
            return super()._get_session_from_db()

    Counting.__qualname__ = "SessionStore"  # the salt of the session data is the class's name
    store = SessionStore()
    store["k"] = "v"
    store.save()
    assert Counting(store.session_key).load() == {"k": "v"} and calls == [store.session_key]


@pytest.mark.parametrize("case", ["live", "expired", "unknown"])
def test_ours_returns_what_djangos_returns(case):
    store = SessionStore()
    store["k"] = "v"
    store.save()
    key = store.session_key
    if case == "expired":
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    if case == "unknown":
        key = "x" * 32
    ours, django = SessionStore(key), DjangoStore(key)
    found, expected = ours._get_session_from_db(), django._get_session_from_db()
    if case == "live":
        assert (found.session_key, found.session_data, found.expire_date) == (
            expected.session_key,
            expected.session_data,
            expected.expire_date,
        )
        assert ours.load() == django.load() == {"k": "v"}
    else:
        # Both forget the key, so the next save makes a new one.
        assert found is None and expected is None and ours._session_key is None and django._session_key is None
