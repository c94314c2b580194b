from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "fangkong.checkpoints"
    label = "checkpoints"
    verbose_name = _("卡点")

    def ready(self):
        from fangkong.accounts.roles import (
            CHECKPOINTS_MANAGE, CHECKPOINTS_REGISTER, CHECKPOINTS_VIEW, RISK_AREAS_EDIT, Role, grant,
        )
        from fangkong.core.registry import MenuEntry, api_router, menu_entry

        grant({
            Role.HQ: {CHECKPOINTS_VIEW, CHECKPOINTS_MANAGE, RISK_AREAS_EDIT},
            Role.COUNTY: {CHECKPOINTS_VIEW, CHECKPOINTS_MANAGE},
            Role.TOWNSHIP: {CHECKPOINTS_VIEW, CHECKPOINTS_MANAGE},
            Role.GRID: {CHECKPOINTS_VIEW, CHECKPOINTS_REGISTER},
            Role.CHECKPOINT: {CHECKPOINTS_VIEW, CHECKPOINTS_REGISTER},
            Role.INSPECTOR: {CHECKPOINTS_VIEW},
            Role.ADMIN: {CHECKPOINTS_VIEW},
        })
        menu_entry(MenuEntry(_("卡点"), "checkpoints:list", CHECKPOINTS_VIEW, order=50))
        api_router("/checkpoints", "fangkong.checkpoints.api.router", order=30)
