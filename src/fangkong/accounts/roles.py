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
SCREENING_POLICY = "screening.policy"  # which checkpoint passages queue an arrival (HQ)
CAPABILITIES[Role.HQ] = CAPABILITIES[Role.HQ] | {SCREENING_POLICY}

# followups: quarantine, health checks, referrals, care deliveries.
FOLLOWUPS_VIEW = "followups.view"
FOLLOWUPS_EDIT = "followups.edit"  # start, record checks, extend, transfer, approve release, deliveries
FOLLOWUPS_EXPORT = "followups.export"
FOLLOWUPS_POLICY = "followups.policy"  # measure durations (HQ)
REFERRALS_PICK_UP = "referrals.pick_up"  # a clinic takes over a fever-clinic referral
for _role, _caps in {
    Role.HQ: {FOLLOWUPS_VIEW, FOLLOWUPS_EDIT, FOLLOWUPS_EXPORT, FOLLOWUPS_POLICY},
    Role.COUNTY: {FOLLOWUPS_VIEW, FOLLOWUPS_EDIT, FOLLOWUPS_EXPORT},
    Role.TOWNSHIP: {FOLLOWUPS_VIEW, FOLLOWUPS_EDIT, FOLLOWUPS_EXPORT},
    Role.GRID: {FOLLOWUPS_VIEW, FOLLOWUPS_EDIT, FOLLOWUPS_EXPORT},
    Role.CLINIC: {FOLLOWUPS_VIEW, REFERRALS_PICK_UP},
    Role.INSPECTOR: {FOLLOWUPS_VIEW},
    Role.ADMIN: {FOLLOWUPS_VIEW, FOLLOWUPS_EDIT, FOLLOWUPS_EXPORT, FOLLOWUPS_POLICY},
}.items():
    CAPABILITIES[_role] = CAPABILITIES[_role] | _caps

# checkpoints (卡点): registry, duty rosters, passages, risk areas.
CHECKPOINTS_VIEW = "checkpoints.view"
CHECKPOINTS_REGISTER = "checkpoints.register"  # register passages, tick the shift checklist (staff, village gates)
CHECKPOINTS_MANAGE = "checkpoints.manage"  # checkpoints, open/close, duty rosters, passage export
RISK_AREAS_EDIT = "risk_areas.edit"  # the list of risk origins (HQ)
for _role, _caps in {
    Role.HQ: {CHECKPOINTS_VIEW, CHECKPOINTS_MANAGE, RISK_AREAS_EDIT},
    Role.COUNTY: {CHECKPOINTS_VIEW, CHECKPOINTS_MANAGE},
    Role.TOWNSHIP: {CHECKPOINTS_VIEW, CHECKPOINTS_MANAGE},
    Role.GRID: {CHECKPOINTS_VIEW, CHECKPOINTS_REGISTER},
    Role.CHECKPOINT: {CHECKPOINTS_VIEW, CHECKPOINTS_REGISTER},
    Role.INSPECTOR: {CHECKPOINTS_VIEW},
    Role.ADMIN: {CHECKPOINTS_VIEW},
}.items():
    CAPABILITIES[_role] = CAPABILITIES[_role] | _caps
