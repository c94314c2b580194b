from __future__ import annotations

from ninja import Router, Schema
from ninja.security import HttpBearer

from .scoping import active_assignments
from .services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fk_…``. A logged-in browser session works too, so
    the docs page can be tried out by a signed-in user."""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.headers.get("Authorization"):
            return user
        return super().__call__(request)

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
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
