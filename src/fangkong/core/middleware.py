"""One place that maps domain errors raised by services to HTTP responses for pages.

(The JSON API maps the same exceptions in ``fangkong.api``.)"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _bad_input(request: HttpRequest) -> HttpResponse:
    from django.http import JsonResponse
    from django.utils.translation import gettext as _

    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "invalid", "errors": {"__all__": [_("输入中含有无效字符（NUL），请检查后重试。")]}},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(
        request, "core/error.html", {"messages_list": [_("输入中含有无效字符（NUL），请检查后重试。")]}, status=400
    )


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # PostgreSQL cannot store NUL characters; no field of ours has a use for them.
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return _bad_input(request)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            if any("\x00" in v for values in request.POST.lists() for v in values[1]):
                return _bad_input(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ValidationError):
            return render(request, "core/error.html", {"messages_list": exception.messages}, status=400)
        if isinstance(exception, PermissionDenied):
            return None  # Django renders 403.html
        return None


class ChineseByDefaultMiddleware:
    """Simplified Chinese unless the user chose English on a page: the browser's
    Accept-Language is ignored (a workstation set up in English must not switch
    a command centre's screens). The choice is the language cookie set by
    /i18n/setlang/, which LocaleMiddleware reads next."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SessionIdleRefreshMiddleware:
    """Idle timeout without a session write per request: a signed-in user's
    session is touched (and so saved with a fresh expiry) when the last touch is
    more than SESSION_REFRESH_SECONDS old. The session then ends between
    SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after
    the last request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        from django.conf import settings

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(request.session.get("_touched", 0)) >= settings.SESSION_REFRESH_SECONDS:
                request.session["_touched"] = now
        return self.get_response(request)


class PrivateResponseHeadersMiddleware:
    """Headers every page and API answer carries (static files are answered by
    whitenoise before this and keep their long cache):

    - ``Cache-Control: no-store``: a page may show personal data (a signed-in
      user's pages, the API, a self-report form sent back with its errors); no
      browser, proxy or shared workstation keeps a copy. A view that set its own
      public caching (the API docs' Swagger files) keeps it.
    - ``Permissions-Policy``: the platform uses no camera, microphone,
      location, payment or USB; no page (or anything injected into one) may.

    The Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY),
    Referrer-Policy and X-Content-Type-Options from Django's SecurityMiddleware."""

    PERMISSIONS_POLICY = ", ".join(
        f"{feature}=()"
        for feature in (
            "accelerometer",
            "camera",
            "display-capture",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "payment",
            "usb",
            "browsing-topics",
        )
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        return response
