from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县区")
    TOWNSHIP = "township", _("乡镇街道")
    COMMUNITY = "community", _("村社区")
    GRID = "grid", _("网格")
