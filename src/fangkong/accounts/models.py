from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.fields import FreeCharField

from .roles import Role


def _new_stamp() -> str:
    return uuid.uuid4().hex


class User(AbstractUser):
    """A person who logs in. What they may see and do comes from their assignments."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Changes whenever one of the user's assignments does: the per-process cache of
    # assignments (accounts.scoping.active_assignments) is keyed by it, so a
    # request that loads the user sees a changed jurisdiction at once.
    scope_stamp = models.CharField(max_length=32, default=_new_stamp, editable=False)

    class Meta:
        verbose_name = pgettext_lazy("model", "用户账号")
        verbose_name_plural = pgettext_lazy("models", "用户账号")

    def display(self) -> str:
        return self.full_name or self.username


def _restamp(user_ids) -> str:
    """A new scope stamp for these users (one statement): their cached
    assignments are stale. Returns the stamp."""
    stamp = _new_stamp()
    User.objects.filter(pk__in=set(user_ids)).update(scope_stamp=stamp)
    return stamp


class AssignmentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        users = list(self.values_list("user_id", flat=True))
        n = super().update(**kwargs)
        _restamp(users)
        return n

    def delete(self):
        users = list(self.values_list("user_id", flat=True))
        result = super().delete()
        _restamp(users)
        return result


class Assignment(models.Model):
    """A role held at a division: grid worker at 410611005007, county officer at
    410611, HQ at 4106. Reads are scoped to the union of a user's active assignments."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    division = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    # Checkpoint or clinic the staff member works at; their apps add the FK-like ids.
    post = FreeCharField(_("岗位"), max_length=100, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "岗位任职")
        verbose_name_plural = pgettext_lazy("models", "岗位任职")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "division"], name="assignment_unique_role_division")
        ]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.get_role_display()} @ {self.division_id}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self._changed()
        return result

    def _changed(self) -> None:
        stamp = _restamp([self.user_id])
        if Assignment.user.is_cached(self):
            self.user.scope_stamp = stamp
            self.user.__dict__.pop("_fangkong_assignments", None)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the raw token is
    shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = FreeCharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="first characters, to tell tokens apart")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "API 令牌")
        verbose_name_plural = pgettext_lazy("models", "API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
