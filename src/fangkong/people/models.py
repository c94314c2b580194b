from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.fields import FreeCharField
from fangkong.core.models import DivisionScoped
from fangkong.lib.documents import DOCUMENT_TYPES

from .choices import Relation, Sex


class Household(DivisionScoped):
    """A household (户) at an address in a community or one of its grids.
    ``division_code`` is the finest known place: the grid, else the community."""

    address = FreeCharField(_("地址"), max_length=200)
    head = models.ForeignKey("Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = FreeCharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "户")
        verbose_name_plural = pgettext_lazy("models", "户")
        indexes = [
            models.Index(fields=["division_code", "address"]),
            # Lists are in (division_code, id) order: on SQLite this index (which
            # ends with the rowid) serves that order, the composite above does not.
            models.Index(fields=["division_code"], name="household_division"),
        ]

    def __str__(self) -> str:
        return self.address


class Person(DivisionScoped):
    """A resident in the registry. The document number and phone are kept only as
    ciphertext (``*_cipher``), a keyed blind index for exact lookup (``*_index``)
    and a masked form for display (``*_masked``); see fangkong.lib.vault.

    One person per document number across the city: ``doc_index`` is unique."""

    # The single-column indexes are declared in Meta (and the uniqueness of
    # ``doc_index`` as a constraint) rather than with db_index/unique: on
    # PostgreSQL those also get a varchar_pattern_ops ("_like") twin, and no
    # query uses one — blind indexes are compared for equality, codes and
    # names/pinyin as ranges (people.selectors, lib.codes.prefix_range).
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=100)
    name_initials = models.CharField(max_length=30)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    doc_type = models.CharField(_("证件类型"), max_length=10, choices=DOCUMENT_TYPES, default="ric")
    doc_reason = FreeCharField(_("无身份证原因"), max_length=200, blank=True)
    doc_cipher = models.TextField(blank=True)
    doc_index = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001  (NULL: rows without one never collide)
    doc_masked = models.CharField(_("证件号码"), max_length=40, blank=True)
    phone_cipher = models.TextField(blank=True)
    phone_index = models.CharField(max_length=40, blank=True)
    phone_masked = models.CharField(_("电话"), max_length=20, blank=True)
    relation = models.CharField(_("与户主关系"), max_length=12, choices=Relation.choices, blank=True)
    occupation = FreeCharField(_("职业"), max_length=50, blank=True)
    tag_elderly_alone = models.BooleanField(_("独居老人"), default=False)
    tag_low_income = models.BooleanField(_("低保户"), default=False)
    tag_disabled = models.BooleanField(_("残疾人"), default=False)
    tag_pregnant = models.BooleanField(_("孕产妇"), default=False)
    tag_chronic = models.BooleanField(_("慢性病"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "人员")
        verbose_name_plural = pgettext_lazy("models", "人员")
        indexes = [
            models.Index(fields=["division_code", "name_pinyin"]),
            models.Index(fields=["name"]),
            # Lists are in (division_code, id) order: on SQLite this index (which
            # ends with the rowid) serves that order, the composite above does not.
            models.Index(fields=["division_code"], name="person_division"),
            # Pinyin and initials prefix search: range comparisons (>= / <), which a
            # plain B-tree serves; the name probe in people.selectors is unscoped.
            models.Index(fields=["name_pinyin"], name="person_name_pinyin"),
            models.Index(fields=["name_initials"], name="person_name_initials"),
            models.Index(fields=["phone_index"], name="person_phone_index"),
        ]
        constraints = [models.UniqueConstraint(fields=["doc_index"], name="person_doc_index_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def tags(self) -> list[str]:
        from .choices import TAGS

        return [str(label) for field, label in TAGS.items() if getattr(self, field)]


class RecordedIdentity(models.Model):
    """Who a record is about, as typed at the door (checkpoint, self-report,
    import) — the person may not be in the registry yet. Protected like Person:
    ciphertext, blind index (not unique here: one person passes many times) and
    masked forms. ``person`` links to the registry when the number is known."""

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    doc_type = models.CharField(_("证件类型"), max_length=10, choices=DOCUMENT_TYPES, default="ric")
    doc_cipher = models.TextField(blank=True)
    # Not indexed here: each model declares the index its queries need in its
    # Meta (arrivals are merged by doc_index; no query looks passages up by it).
    doc_index = models.CharField(max_length=40, blank=True)
    doc_masked = models.CharField(_("证件号码"), max_length=40, blank=True)
    phone_cipher = models.TextField(blank=True)
    phone_index = models.CharField(max_length=40, blank=True)
    phone_masked = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        abstract = True
