from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fangkong.people"
    label = "people"
    verbose_name = _("人口")

    def ready(self):
        from fangkong.accounts.roles import (
            PEOPLE_EDIT,
            PEOPLE_EXPORT,
            PEOPLE_IMPORT,
            PEOPLE_REVEAL,
            PEOPLE_VIEW,
            Role,
            grant,
        )
        from fangkong.approvals.registry import ApprovalKind, register
        from fangkong.core.registry import MenuEntry, api_router, menu_entry

        from .services import MOVE_KIND, person_move_apply

        office = {PEOPLE_VIEW, PEOPLE_EDIT, PEOPLE_REVEAL, PEOPLE_EXPORT, PEOPLE_IMPORT}
        grant(
            {
                Role.HQ: office,
                Role.COUNTY: office,
                Role.TOWNSHIP: office,
                Role.GRID: office,
                Role.ADMIN: office,
                Role.CLINIC: {PEOPLE_VIEW, PEOPLE_REVEAL},
                Role.INSPECTOR: {PEOPLE_VIEW},
            }
        )
        menu_entry(MenuEntry(_("人员"), "people:person_list", PEOPLE_VIEW, order=30))
        menu_entry(MenuEntry(_("户"), "people:household_list", PEOPLE_VIEW, order=31))
        api_router("/households", "fangkong.people.api.households", order=20)
        api_router("/persons", "fangkong.people.api.persons", order=21)

        from fangkong.ledgers.kinds import Kind
        from fangkong.ledgers.kinds import register as ledger_kind

        ledger_kind(
            Kind(
                "people",
                _("户籍人员台账（户和人员）"),
                "fangkong.people.ledger.PeopleLedger",
                PEOPLE_IMPORT,
                "people-template.xlsx",
                "people.person",
                _("每行一个人；同一村/社区内地址相同的人归为一户，系统中已有该地址的户时加入该户。"),
            )
        )

        # Decided by someone who may edit people where the person lives NOW.
        register(
            ApprovalKind(code=MOVE_KIND, label=_("跨辖区迁入人员"), capability=PEOPLE_EDIT, apply=person_move_apply)
        )
