"""Writes to accounts: users, assignments, API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.audit.services import record
from fangkong.regions.models import Division

from .models import ApiToken, Assignment, User, hash_token
from .roles import Role

# Which division levels each role may be assigned at.
ROLE_LEVELS = {
    Role.HQ: {"city", "province"},
    Role.COUNTY: {"county"},
    Role.TOWNSHIP: {"township"},
    Role.GRID: {"community", "grid"},
    Role.CHECKPOINT: {"city", "county", "township", "community"},
    Role.CLINIC: {"city", "county", "township", "community"},
    Role.INSPECTOR: {"city", "county", "township"},
    Role.ADMIN: {"city", "province"},
}


@transaction.atomic
def assignment_create(*, actor, user: User, role: str, division_code: str, post: str = "") -> Assignment:
    if role not in Role.values:
        raise ValidationError({"role": _("角色无效。")})
    division = Division.objects.filter(code=division_code).first()
    if division is None:
        raise ValidationError({"division_code": _("区划代码不存在。")})
    if division.level not in ROLE_LEVELS[role]:
        raise ValidationError({"division_code": _("该角色不能设在这一级区划。")})
    assignment, _created = Assignment.objects.update_or_create(
        user=user, role=role, division=division, defaults={"post": post[:100], "active": True}
    )
    record(actor, "create", assignment, division_code=division.code, detail={"role": role})
    return assignment


def token_create(*, user: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    """A new API token; the raw value is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("请填写令牌名称（不超过100个字）。")})
    raw = "fk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    record(user, "token", token, detail={"op": "create"})
    return token, raw


def token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise ValidationError(_("只能吊销自己的令牌。"))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(user, "token", token, detail={"op": "revoke"})


def token_authenticate(raw: str) -> User | None:
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
