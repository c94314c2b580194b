"""The personal-data vault: encryption at rest and keyed blind indexes.

ID numbers and phones are stored as AES-256-GCM ciphertext (random 96-bit
nonce, versioned) and looked up through an HMAC-SHA256 blind index, so an
exact search never needs the plaintext in the database. Two sub-keys are
derived from ``settings.DATA_KEY`` with HKDF, one per purpose, so the index
key can never decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fangkong-vault", info=purpose).derive(master)


@lru_cache(maxsize=4)
def _keys(data_key: str) -> tuple[AESGCM, bytes]:
    master = base64.urlsafe_b64decode(data_key.encode() + b"=" * (-len(data_key) % 4))
    if len(master) < 32:
        raise ValueError("DATA_KEY must decode to at least 32 bytes")
    return AESGCM(_derive(master, b"encrypt")), _derive(master, b"blind-index")


def _current() -> tuple[AESGCM, bytes]:
    from django.conf import settings

    return _keys(settings.DATA_KEY)


def encrypt(plaintext: str) -> str:
    """Ciphertext as urlsafe base64 text (empty stays empty)."""
    if not plaintext:
        return ""
    aead, _ = _current()
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plaintext.encode(), _VERSION)
    return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    aead, _ = _current()
    raw = base64.urlsafe_b64decode(token.encode())
    if raw[:1] != _VERSION:
        raise ValueError("unknown vault version")
    return aead.decrypt(raw[1:13], raw[13:], _VERSION).decode()


def blind_index(kind: str, normalized: str) -> str:
    """Keyed, deterministic index of a normalized value, per kind (e.g. 'ric', 'phone')."""
    if not normalized:
        return ""
    _, key = _current()
    return hmac.new(key, f"{kind}:{normalized}".encode(), hashlib.sha256).hexdigest()[:40]
