"""The client's address behind a reverse proxy.

``fangkong serve`` listens on 127.0.0.1 by default: in production a reverse
proxy (nginx on the government network) sits in front, so ``REMOTE_ADDR`` is
the proxy's address for every request. The public self-report page's rate
limit and the audit trail need the client's own address, which the proxy
appends to ``X-Forwarded-For``. That header is believed only when the request
comes from one of ``FANGKONG_TRUSTED_PROXIES`` — otherwise anyone could send
a new address with every request and never be limited — and only its
right-most entries: each proxy appends the address it saw, so the first entry
from the right that is not a trusted proxy is the client; whatever stands to
its left was written by the client and proves nothing.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51234
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: IPAddress | None, proxies: list[IPNetwork]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind a trusted proxy the
    right-most address of ``X-Forwarded-For`` that is not a trusted proxy.
    A malformed entry met before that stops the walk: the proxy's address is
    used (a broken proxy puts its clients together, it cannot let one out)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.FANGKONG_TRUSTED_PROXIES
    if not proxies or not _trusted(_address(remote), proxies):
        return remote or None
    for part in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not part.strip():
            continue
        address = _address(part)
        if address is None:
            break
        if not _trusted(address, proxies):
            return str(address)
    return remote
