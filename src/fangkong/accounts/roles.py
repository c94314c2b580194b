"""Roles and what each may do. Where a role may act is always its assignment's
division (and everything under it); what it may do is listed here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HQ = "hq", _("市指挥部")
    COUNTY = "county", _("县区工作人员")
    TOWNSHIP = "township", _("乡镇街道工作人员")
    GRID = "grid", _("网格员/村社区干部")
    CHECKPOINT = "checkpoint", _("卡点工作人员")
    CLINIC = "clinic", _("医疗机构人员")
    INSPECTOR = "inspector", _("督查人员")
    ADMIN = "admin", _("系统管理员")


# Capabilities, named <area>.<verb>.
PEOPLE_VIEW = "people.view"
PEOPLE_EDIT = "people.edit"
PEOPLE_REVEAL = "people.reveal"
PEOPLE_EXPORT = "people.export"
PEOPLE_IMPORT = "people.import"
DIVISIONS_VIEW = "divisions.view"
DIVISIONS_EDIT = "divisions.edit"
AUDIT_VIEW = "audit.view"

_OFFICE = {PEOPLE_VIEW, PEOPLE_EDIT, PEOPLE_REVEAL, PEOPLE_EXPORT, PEOPLE_IMPORT, DIVISIONS_VIEW}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.HQ: frozenset(_OFFICE | {DIVISIONS_EDIT}),
    Role.COUNTY: frozenset(_OFFICE | {DIVISIONS_EDIT}),
    Role.TOWNSHIP: frozenset(_OFFICE | {DIVISIONS_EDIT}),
    Role.GRID: frozenset(_OFFICE),
    # Checkpoint staff look a traveller up by ID number; they keep no registry.
    Role.CHECKPOINT: frozenset({DIVISIONS_VIEW}),
    Role.CLINIC: frozenset({PEOPLE_VIEW, PEOPLE_REVEAL, DIVISIONS_VIEW}),
    Role.INSPECTOR: frozenset({PEOPLE_VIEW, DIVISIONS_VIEW, AUDIT_VIEW}),
    Role.ADMIN: frozenset(_OFFICE | {DIVISIONS_EDIT, AUDIT_VIEW}),
}

# screening (排查): arrivals queue, door-to-door campaigns, returnees
SCREENING_VIEW = "screening.view"
SCREENING_HANDLE = "screening.handle"  # handle arrivals, record visits, confirm returnees
SCREENING_CAMPAIGN = "screening.campaign"  # start and close door-to-door campaigns
SCREENING_EXPORT = "screening.export"
SCREENING_IMPORT = "screening.import"  # import returnee lists sent down from above
_SCREENING = {SCREENING_VIEW, SCREENING_HANDLE, SCREENING_CAMPAIGN, SCREENING_EXPORT, SCREENING_IMPORT}
for _role in (Role.HQ, Role.COUNTY, Role.TOWNSHIP, Role.GRID, Role.ADMIN):
    CAPABILITIES[_role] = CAPABILITIES[_role] | _SCREENING
CAPABILITIES[Role.INSPECTOR] = CAPABILITIES[Role.INSPECTOR] | {SCREENING_VIEW}
