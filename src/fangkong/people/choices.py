from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.lib.documents import DOCUMENT_TYPES  # noqa: F401  (re-exported for forms)


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "U", _("未知")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    IN_LAW = "in_law", _("儿媳/女婿")
    OTHER = "other", _("其他")


# The tags a grid worker keeps (重点人群). Field name → label.
TAGS = {
    "tag_elderly_alone": _("独居老人"),
    "tag_low_income": _("低保户"),
    "tag_disabled": _("残疾人"),
    "tag_pregnant": _("孕产妇"),
    "tag_chronic": _("慢性病"),
}
