import pytest
from cryptography.exceptions import InvalidTag

from fangkong.lib import vault


def test_round_trip_and_random_nonce():
    a, b = vault.encrypt("41061119800101123X"), vault.encrypt("41061119800101123X")
    assert a != b
    assert vault.decrypt(a) == vault.decrypt(b) == "41061119800101123X"


def test_blind_index_is_deterministic_and_keyed_per_kind():
    assert vault.blind_index("ric", "x") == vault.blind_index("ric", "x")
    assert vault.blind_index("ric", "x") != vault.blind_index("phone", "x")
    assert vault.blind_index("ric", "") == ""


def test_tampered_ciphertext_is_refused():
    token = vault.encrypt("13812341234")
    raw = bytearray(__import__("base64").urlsafe_b64decode(token))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        vault.decrypt(__import__("base64").urlsafe_b64encode(bytes(raw)).decode())


def test_another_key_cannot_decrypt(settings):
    token = vault.encrypt("13812341234")
    settings.DATA_KEY = "A" * 43 + "="
    with pytest.raises(InvalidTag):
        vault.decrypt(token)
