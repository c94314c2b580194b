"""A JSON API client for the API tests that checks every response it gets:
never a 500, never a full ID number or phone (except from the reveal
endpoint), never ciphertext or a blind index."""

from __future__ import annotations

import json

from django.test import Client

from fangkong.lib import vault


class ApiClient:
    def __init__(self, user, secrets: set[str]):
        from fangkong.accounts.services import token_create

        _token, raw = token_create(user=user, name="pytest")
        self.user = user
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.secrets = secrets

    def check(self, response, *, may_reveal: bool = False):
        assert response.status_code < 500, response.content[:500]
        body = response.content.decode("utf-8", "replace")
        for marker in ("_cipher", "doc_index", "phone_index"):
            assert marker not in body
        if not may_reveal:
            for secret in self.secrets:
                assert secret not in body, f"a full number leaked into {response.request['PATH_INFO']}"
        return response

    def get(self, url, params=None):
        return self.check(self.client.get(url, params or {}))

    def _send(self, method, url, data, **kw):
        body = data if isinstance(data, (bytes, str)) else json.dumps(data)
        return self.check(getattr(self.client, method)(url, body, content_type="application/json"), **kw)

    def post(self, url, data=None, **kw):
        return self._send("post", url, {} if data is None else data, **kw)

    def put(self, url, data=None):
        return self._send("put", url, {} if data is None else data)

    def patch(self, url, data=None):
        return self._send("patch", url, {} if data is None else data)

    def delete(self, url, params=None):
        query = "?" + "&".join(f"{k}={v}" for k, v in (params or {}).items()) if params else ""
        return self.check(self.client.delete(url + query))


def remember(secrets: set[str], person) -> None:
    """Add a person's full document number and phone to the secrets."""
    for cipher in (person.doc_cipher, person.phone_cipher):
        value = vault.decrypt(cipher)
        if value:
            secrets.add(value)
