from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The three levels of the city's checkpoint network (the "3" of "1+3+10")."""

    CITY = "city", _("市级卡点")
    COUNTY = "county", _("县级卡点")
    COMMUNITY = "community", _("村/社区卡点")


# The shortest division code a checkpoint of each level may sit at: a city
# checkpoint anywhere in the city, a county one in a county, a village gate in
# a village/community (or one of its grids).
LEVEL_MIN_CODE_LENGTH = {Level.CITY: 4, Level.COUNTY: 6, Level.COMMUNITY: 12}


class Kind(models.TextChoices):
    EXPRESSWAY_EXIT = "expressway_exit", _("高速公路出口")
    RAILWAY_STATION = "railway_station", _("火车站/高铁站")
    BUS_STATION = "bus_station", _("汽车站")
    HIGHWAY = "highway", _("国省道卡口")
    ROAD = "road", _("县乡道路卡口")
    VILLAGE_ENTRANCE = "village_entrance", _("村口")
    COMPOUND_GATE = "compound_gate", _("小区/院落门岗")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    OPEN = "open", _("值守中")
    CLOSED = "closed", _("已关闭")


class Direction(models.TextChoices):
    IN = "in", _("进")
    OUT = "out", _("出")


class Purpose(models.TextChoices):
    RETURN_HOME = "return_home", _("返乡/回家")
    VISIT = "visit", _("探亲访友")
    WORK = "work", _("上班/复工")
    FREIGHT = "freight", _("物资运输")
    MEDICAL = "medical", _("就医")
    OFFICIAL = "official", _("公务")
    TRANSIT = "transit", _("过境/途经")
    OTHER = "other", _("其他")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高风险")
    MEDIUM = "medium", _("中风险")


class Outcome(models.TextChoices):
    """What happened to a flagged traveller after the second measurement."""

    RELEASED = "released", _("复测正常，放行")
    TRANSFERRED = "transferred", _("已转运发热门诊")
    TURNED_BACK = "turned_back", _("劝返")
