"""Database sessions, loaded with a statement built once (core.rowsql): every
signed-in request reads its session, and compiling that query each time was
≈ 0.35 ms of CPU of a checkpoint registration. Everything else — saving,
expiry, cycling keys, clearing — is Django's database backend unchanged.
Selected by ``SESSION_ENGINE = "fangkong.accounts.sessions"``."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from fangkong.core.rowsql import RowSelect

_LIVE = RowSelect(Session, {"session_key": "=", "expire_date": ">"})


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        # As Django's: the unexpired row for the key, else forget the key.
        found = _LIVE.one(self.session_key, timezone.now())
        if found is None:
            self._session_key = None
        return found
