"""No ID number or phone in a URL: the one mechanism every page and API uses.

A page's search form posts its term; ``remember`` turns an ID number or phone
into its blind index and keeps it (with the masked form, to show what was
searched) in the session under a random key, and the list's URL carries only
that key (``?s=…``), so paging and export work and the number is in no URL,
browser history or access log. ``blind_for`` reads the key back. A GET whose
``q`` is an ID number or phone is refused: ``refuse_page`` (400, the number not
echoed) and ``refuse_api`` (422). Name, pinyin and other text stay plain GET."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render

from fangkong.lib.masking import mask_id_number, mask_phone

from .selectors import SENSITIVE_KINDS, search_blind, search_kind

SEARCHES_KEY = "people_searches"
SEARCHES_KEPT = 20
EXPIRED = {"kind": "doc", "index": "", "masked": None}  # an unknown key finds nobody


def is_number(q: str) -> bool:
    """Whether a search term is an ID number or a phone."""
    return search_kind(q) in SENSITIVE_KINDS


def posted_term(request) -> str:
    return " ".join(request.POST.get("q", "").split())[:60]


def remember(request, q: str) -> str | None:
    """An ID number or phone: kept as its blind index under a new random key
    (returned); anything else: None."""
    blind = search_blind(q)
    if blind is None:
        return None
    key = secrets.token_urlsafe(12)
    masked = mask_id_number(q.replace(" ", "")) if blind[0] == "doc" else mask_phone(q)
    searches = dict(list(request.session.get(SEARCHES_KEY, {}).items())[-(SEARCHES_KEPT - 1) :])
    searches[key] = {"kind": blind[0], "index": blind[1], "masked": masked}
    request.session[SEARCHES_KEY] = searches
    return key


def stored(request, key: str) -> dict | None:
    return request.session.get(SEARCHES_KEY, {}).get(key) if key else None


def blind_for(request) -> tuple[tuple[str, str] | None, str | None]:
    """The search the URL's ``s`` names: ((kind, blind index), masked term),
    (None, None) without ``s``; an unknown or expired key gives an index that
    finds nobody and masked None."""
    key = request.GET.get("s", "")[:40]
    if not key:
        return None, None
    found = stored(request, key) or EXPIRED
    return (found["kind"], found["index"]), found["masked"]


def search_redirect(request, url: str, params: dict) -> HttpResponseRedirect:
    """The answer to a search form's POST: to ``url`` with ``params`` and
    either ``s`` (an ID number or phone, kept in the session) or ``q``."""
    q = posted_term(request)
    params = {k: v for k, v in params.items() if v}
    key = remember(request, q)
    if key:
        params["s"] = key
    elif q:
        params["q"] = q
    return redirect(url + ("?" + urlencode(params) if params else ""))


def forget_query(request) -> None:
    # The page links back to its own URL (the language switch): not with the number in it.
    request.META["QUERY_STRING"] = ""
    request.GET = request.GET.__class__("")


def refuse_page(request, template: str, context: dict, message: str):
    """A GET whose ``q`` is an ID number or phone: 400 with ``message`` (where
    to search instead); the number is not echoed and nothing is searched."""
    messages.error(request, message)
    forget_query(request)
    return render(request, template, context, status=400)


def refused(request, message: str) -> bool:
    """For a page that renders itself empty when refused: True (after adding
    ``message`` and dropping the query string) when the GET ``q`` is an ID
    number or phone; the page then answers 400."""
    if not is_number(request.GET.get("q", "")):
        return False
    messages.error(request, message)
    forget_query(request)
    return True


def refuse_download(request, message: str) -> HttpResponse | None:
    """For an export: a 400 with ``message`` when the GET ``q`` is an ID number or phone, else None."""
    if not is_number(request.GET.get("q", "")):
        return None
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def refuse_api(q: str, message: str) -> None:
    """Raise the API's 422 when a query-string ``q`` is an ID number or phone."""
    if is_number(q):
        raise ValidationError({"q": [message]})
