"""The JSON API under /api/v1/ (django-ninja), with its OpenAPI document at
/api/v1/openapi.json and docs at /api/v1/docs. Each app contributes a router
from its ``api.py``, registered in its AppConfig.ready(); errors map to 4xx
with a reason here, in one place."""

from __future__ import annotations

from pathlib import Path

import ninja
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.urls import path, re_path, reverse
from django.utils.html import escape, json_script
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase

from fangkong.accounts.api import TokenAuth
from fangkong.core import registry
from fangkong.core.api_errors import Conflict, document_errors
from fangkong.core.batch import schema_message
from fangkong.core.throttle import Throttled

# ---------------------------------------------------------------- docs, offline
#
# django-ninja's docs page loads Swagger UI from a CDN unless "ninja" is an
# installed app; government intranets have no CDN. The package ships Swagger UI
# (ninja/static/ninja); the API serves those few files itself, so the docs page
# needs nothing but this server.

_SWAGGER_DIR = Path(ninja.__file__).parent / "static" / "ninja"
_SWAGGER_ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-init.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
    "favicon.png": "image/png",
}
_DOCS_PAGE = """<!DOCTYPE html>
<html lang="zh-hans">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{assets}swagger-ui.css">
<link rel="icon" href="{assets}favicon.svg" type="image/svg+xml">
</head>
<body data-csrf-token="{csrf}" data-api-csrf="true">
{settings}
<div id="swagger-ui"></div>
<script src="{assets}swagger-ui-bundle.js"></script>
<script src="{assets}swagger-ui-init.js"></script>
</body>
</html>
"""


class OfflineSwagger(DocsBase):
    """Swagger UI from our own server only; the online validator badge is off."""

    settings = {"layout": "BaseLayout", "deepLinking": True, "validatorUrl": None, "persistAuthorization": False}

    def render_page(self, request, api, **kwargs):
        assets = reverse(f"{api.urls_namespace}:docs-asset", kwargs={"name": "x"})[:-1]
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        html = _DOCS_PAGE.format(
            title=escape(api.title),
            assets=escape(assets),
            settings=json_script(settings, "swagger-settings"),
            csrf=escape(get_token(request)) if request.user.is_authenticated else "",
        )
        return HttpResponse(html)


def _docs_asset(request, name: str):
    content_type = _SWAGGER_ASSETS.get(name)
    if content_type is None:
        return _no_such_endpoint(request)
    response = FileResponse((_SWAGGER_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@csrf_exempt  # a JSON 404 for any method: never the CSRF middleware's HTML 403
def _no_such_endpoint(request, rest: str = ""):
    return HttpResponse(b'{"detail": "not found"}', status=404, content_type="application/json; charset=utf-8")


class FangkongAPI(NinjaAPI):
    """The swagger assets come first; last, any other path under the API is a
    JSON 404 (not the site's HTML page), so clients always get JSON back. The
    document declares every error status each operation can answer
    (core.api_errors)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return document_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))

    def _get_urls(self):
        urls = [u for u in super()._get_urls() if getattr(u, "name", None) != "api-root"]
        return [
            path("docs/assets/<str:name>", _docs_asset, name="docs-asset"),
            *urls,
            path("", _no_such_endpoint, name="api-root"),  # ninja needs the name to know its prefix
            re_path(r"^(?P<rest>[\s\S]+)$", _no_such_endpoint),  # any character, a newline too
        ]


api = FangkongAPI(
    title="Fangkong API",
    version="1",
    description=(
        "防控 — epidemic prevention-and-control platform. Authenticate with `Authorization: Bearer <token>` "
        "(make a token on the account page, /account/tokens/) or a signed-in session. Every read is limited "
        "to your jurisdiction: a record outside it is a 404, like a missing one. ID numbers and phones are "
        "masked; `POST /persons/{id}/reveal` gives one in full, for a stated reason, and is audited. "
        "Errors are JSON with a reason (`detail`): 400 unreadable body or a NUL in the query, 401 not "
        "authenticated, 403 not allowed (your role lacks the capability), 404 not found or outside your "
        "jurisdiction (a `division` filter outside it too), 409 conflict (already registered; a person with "
        "follow-ups cannot be deleted), 413 body too large, 422 invalid (`errors`: field → messages), "
        "429 too many requests. Days are `YYYY-MM-DD` between 2000-01-01 and 2100-12-31."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs=OfflineSwagger(),
)


@api.exception_handler(Conflict)
def _conflict(request, exc: Conflict):
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=409)


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        detail = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    else:
        detail = {"__all__": [str(m) for m in exc.messages]}
    return api.create_response(request, {"detail": "invalid", "errors": detail}, status=422)


def _schema_field(loc) -> str:
    """('body', 'payload', 'tags', 0) → 'tags'; ('query', 'page') → 'page'."""
    parts = list(loc or ())[1:]
    if parts and parts[0] in ("payload", "filters", "params"):
        parts = parts[1:]
    names = [str(p) for p in parts if isinstance(p, str)]
    return ".".join(names) or "__all__"


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_schema_field(error.get("loc")), []).append(schema_message(error))
    return api.create_response(request, {"detail": "invalid", "errors": errors}, status=422)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return api.create_response(request, {"detail": "request body too large"}, status=413)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return api.create_response(request, {"detail": "authentication required"}, status=401)


# Each app registers its router in its AppConfig.ready() (fangkong.core.registry.api_router).
for _mounted in registry.api_routers():
    api.add_router(_mounted.prefix, _mounted.load())
