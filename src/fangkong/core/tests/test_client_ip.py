"""core.http.client_ip: the client's address behind the reverse proxy, never
an address the client wrote itself."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from fangkong.core.http import client_ip
from fangkong.lib.env import env_networks

PROXIES = [ipaddress.ip_network("10.0.0.5"), ipaddress.ip_network("10.9.0.0/16"), ipaddress.ip_network("::1")]


def _request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@override_settings(FANGKONG_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_ignored():
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    assert client_ip(_request("")) is None


@override_settings(FANGKONG_TRUSTED_PROXIES=PROXIES)
@pytest.mark.parametrize(
    "remote, forwarded, expected",
    [
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),  # one proxy
        ("10.0.0.5", "203.0.113.7, 10.9.3.4", "203.0.113.7"),  # two proxies
        ("10.0.0.5", "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the client wrote 1.2.3.4 itself
        ("10.0.0.5", "203.0.113.7:51234", "203.0.113.7"),  # with a port
        ("::1", "2001:db8::7", "2001:db8::7"),
        ("::1", "[2001:db8::7]:443", "2001:db8::7"),
        ("10.0.0.5", "", "10.0.0.5"),  # no header: the proxy itself
        ("10.0.0.5", None, "10.0.0.5"),
        ("10.0.0.5", "10.9.1.1", "10.0.0.5"),  # only proxies in the chain
        ("10.0.0.5", "203.0.113.7, garbage", "10.0.0.5"),  # a broken entry stops the walk
        ("10.0.0.5", "garbage, 203.0.113.7", "203.0.113.7"),  # left of the client: never read
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from a proxy: the header is the client's
    ],
)
def test_behind_trusted_proxies_the_right_most_untrusted_address(remote, forwarded, expected):
    assert client_ip(_request(remote, forwarded)) == expected


def test_the_setting_is_read_strictly(monkeypatch):
    monkeypatch.setenv("FANGKONG_TRUSTED_PROXIES", "10.0.0.5, 10.9.0.0/16,::1")
    assert env_networks("FANGKONG_TRUSTED_PROXIES") == PROXIES
    monkeypatch.setenv("FANGKONG_TRUSTED_PROXIES", "10.0.0.5,nginx")
    with pytest.raises(ImproperlyConfigured, match="nginx"):
        env_networks("FANGKONG_TRUSTED_PROXIES")
    monkeypatch.delenv("FANGKONG_TRUSTED_PROXIES")
    assert env_networks("FANGKONG_TRUSTED_PROXIES") == []
