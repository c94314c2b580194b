from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from fangkong.accounts.roles import Role
from fangkong.core.fields import FreeCharField, FreeJSONField

from .choices import Action


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D401
        raise PermissionError("audit entries cannot be changed")

    def delete(self):
        raise PermissionError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """Who did what to which record, when, in which role and jurisdiction, and why.

    Holds no personal data: the object is named by type and id, and ``detail``
    carries only non-personal facts (which field was revealed, how many rows were
    exported, which kind of search). Entries are append-only: the model refuses
    updates and deletes, and on PostgreSQL and SQLite a trigger does too."""

    # Two entries are written per passage, so every index counts: the actor's is
    # the composite (actor, at); action and division_code are indexed in Meta,
    # not with db_index, which on PostgreSQL adds an unused "_like" twin.
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    actor_username = models.CharField(max_length=150)
    role = models.CharField(max_length=20, blank=True, choices=Role.choices)
    actor_division_code = models.CharField(max_length=15, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    # The object's place, so a county's inspectors see what happened to its records.
    division_code = models.CharField(max_length=15, blank=True)
    reason = FreeCharField(max_length=200, blank=True)
    detail = FreeJSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "审计记录")
        verbose_name_plural = pgettext_lazy("models", "审计记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["action"], name="audit_action"),
            models.Index(fields=["division_code"], name="audit_division_code"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries cannot be changed")
        from django.db import router, transaction

        from .chain import seal_inserted

        using = kwargs.get("using") or router.db_for_write(type(self))
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)
            seal_inserted([self], using)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries cannot be deleted")


class AuditSeal(models.Model):
    """An entry's link in the hash chain (audit/chain.py): its place ``seq`` and
    ``chain``, the HMAC of the entry's facts and of the previous seal's chain.
    Written by ``audit.chain`` only, after the entry's transaction committed (on
    SQLite, in it); append-only like the entries (triggers, grants)."""

    seq = models.BigIntegerField(primary_key=True)
    # No foreign-key constraint: sealing touches no row a business transaction
    # could hold a lock on; a seal whose entry is gone is a broken link.
    entry = models.OneToOneField(AuditEntry, on_delete=models.DO_NOTHING, db_constraint=False, related_name="seal")
    chain = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "审计封签")
        verbose_name_plural = pgettext_lazy("models", "审计封签")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} → {self.entry_id}"

    def save(self, *args, **kwargs):
        raise PermissionError("audit seals are written by audit.chain only")

    def delete(self, *args, **kwargs):
        raise PermissionError("audit seals cannot be deleted")
