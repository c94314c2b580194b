"""Roles and what each may do. Where a role may act is always its assignment's
division (and everything under it); what it may do is a set of capabilities,
granted by the apps that define them (``grant`` in their AppConfig.ready())."""

from __future__ import annotations

from collections.abc import Iterable

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


# Capabilities, named <area>.<verb>. The names of the first apps are kept here
# because other apps refer to them; a new app names its own in its own module.
PEOPLE_VIEW = "people.view"
PEOPLE_EDIT = "people.edit"
PEOPLE_REVEAL = "people.reveal"
PEOPLE_EXPORT = "people.export"
PEOPLE_IMPORT = "people.import"
DIVISIONS_VIEW = "divisions.view"
DIVISIONS_EDIT = "divisions.edit"
AUDIT_VIEW = "audit.view"

# screening (排查): arrivals queue, door-to-door campaigns, returnees
SCREENING_VIEW = "screening.view"
SCREENING_HANDLE = "screening.handle"  # handle arrivals, record visits, confirm returnees
SCREENING_CAMPAIGN = "screening.campaign"  # start and close door-to-door campaigns
SCREENING_EXPORT = "screening.export"
SCREENING_IMPORT = "screening.import"  # import returnee lists sent down from above
SCREENING_POLICY = "screening.policy"  # which checkpoint passages queue an arrival (HQ)

# followups: quarantine, health checks, referrals, care deliveries.
FOLLOWUPS_VIEW = "followups.view"
FOLLOWUPS_EDIT = "followups.edit"  # start, record checks, extend, transfer, approve release, deliveries
FOLLOWUPS_EXPORT = "followups.export"
FOLLOWUPS_POLICY = "followups.policy"  # measure durations (HQ)
REFERRALS_PICK_UP = "referrals.pick_up"  # a clinic takes over a fever-clinic referral

# checkpoints (卡点): registry, duty rosters, passages, risk areas.
CHECKPOINTS_VIEW = "checkpoints.view"
CHECKPOINTS_REGISTER = "checkpoints.register"  # register passages, tick the shift checklist (staff, village gates)
CHECKPOINTS_MANAGE = "checkpoints.manage"  # checkpoints, open/close, duty rosters, passage export
RISK_AREAS_EDIT = "risk_areas.edit"  # the list of risk origins (HQ)

# Which roles have which capability: registered by the apps that own them
# (``grant`` in their AppConfig.ready()); a role starts with none.
CAPABILITIES: dict[str, frozenset[str]] = {role: frozenset() for role in Role}


def grant(grants: dict[str, Iterable[str]]) -> None:
    """Give each role (a ``Role``) the capabilities listed for it. Called by an
    app's ``AppConfig.ready()`` for the capabilities it defines."""
    for role, capabilities in grants.items():
        CAPABILITIES[Role(role)] = CAPABILITIES[Role(role)] | frozenset(capabilities)
