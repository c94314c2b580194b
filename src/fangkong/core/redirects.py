"""Where a form goes back to after a POST: the ``next`` it carries, only when
that is a path on this site. Every view that redirects to a ``next`` goes
through ``safe_next`` (an open redirect is a phishing aid: a link on our host
that lands on someone else's)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str, *args: Any, **kwargs: Any) -> str:
    """``next`` from the POST body or the query string if it is a local path
    (``/...``, not ``//host``, ``/\\host`` or any scheme), else ``default``
    (a URL or a URL name, resolved with ``args``/``kwargs``)."""
    nxt = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if nxt.startswith("/") and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return resolve_url(default, *args, **kwargs)
