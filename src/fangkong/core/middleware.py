"""One place that maps domain errors raised by services to HTTP responses for pages.

(The JSON API maps the same exceptions in ``fangkong.api``.)"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, ValidationError):
            return render(request, "core/error.html", {"messages_list": exception.messages}, status=400)
        if isinstance(exception, PermissionDenied):
            return None  # Django renders 403.html
        return None
