"""API authentication and the caller's own account: ``/api/v1/accounts``."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from fangkong.core.schemas import ErrorOut

from .models import ApiToken, hash_token
from .scoping import active_assignments
from .services import token_authenticate, token_revoke

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fk_…``. A logged-in browser session works too, so
    the docs page can be tried out by a signed-in user; then a write needs the
    CSRF token, as any form on the site does (a bearer token needs none: a
    browser never adds it to a forged request)."""

    # Tells the docs page to send the CSRF token with the requests it makes.
    csrf = True

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.headers.get("Authorization"):
            if request.method not in _SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
                if check_csrf(request):
                    raise HttpError(403, "CSRF check failed")
            return user
        return super().__call__(request)

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
            request.api_token_hash = hash_token(token)
        return user


router = Router(tags=["accounts"])


class AssignmentOut(Schema):
    role: str
    division_code: str
    division_name: str


class MeOut(Schema):
    username: str
    full_name: str
    assignments: list[AssignmentOut]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    usable: bool
    current: bool


@router.get("/me", response=MeOut, summary="The authenticated user and their jurisdiction")
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "full_name": user.full_name,
        "assignments": [
            {"role": a.role, "division_code": a.division_id, "division_name": a.division.short_name}
            for a in active_assignments(user)
        ],
    }


@router.get(
    "/tokens",
    response={200: list[TokenOut], 401: ErrorOut},
    summary="My API tokens (names and prefixes only; a token's value is shown once, when made)",
)
def token_list(request):
    current = getattr(request, "api_token_hash", None)
    return [
        {
            "id": t.pk,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
            "usable": t.is_usable(),
            "current": t.key_hash == current,
        }
        for t in ApiToken.objects.filter(user=request.auth).order_by("-created_at", "-id")
    ]


@router.delete(
    "/tokens/{int:token_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut},
    summary="Revoke one of my API tokens (this one included)",
)
def token_revoke_endpoint(request, token_id: int):
    token = ApiToken.objects.filter(pk=token_id, user=request.auth).first() if token_id < 2**63 else None
    if token is None:
        raise Http404
    if token.revoked_at is None:
        token_revoke(user=request.auth, token=token)
    return Status(204, None)
