"""The JSON API under /api/v1/ (django-ninja), with its OpenAPI document at
/api/v1/openapi.json and docs at /api/v1/docs. Each app contributes a router
from its ``api.py``; errors map to 4xx with a reason here, in one place."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from fangkong.accounts.api import TokenAuth, router as accounts_router
from fangkong.checkpoints.api import router as checkpoints_router

api = NinjaAPI(
    title="Fangkong API",
    version="1",
    description="防控 — epidemic prevention-and-control platform. Authenticate with `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        detail = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    else:
        detail = {"__all__": [str(m) for m in exc.messages]}
    return api.create_response(request, {"detail": "invalid", "errors": detail}, status=422)


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc: NinjaValidationError):
    return api.create_response(request, {"detail": "invalid", "errors": exc.errors}, status=422)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return api.create_response(request, {"detail": "authentication required"}, status=401)


api.add_router("/accounts", accounts_router)
api.add_router("/checkpoints", checkpoints_router)
