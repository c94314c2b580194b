from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "fangkong.checkpoints"
    label = "checkpoints"
    verbose_name = _("卡点")

    def ready(self):
        from fangkong.accounts.roles import (
            CHECKPOINTS_MANAGE,
            CHECKPOINTS_REGISTER,
            CHECKPOINTS_VIEW,
            RISK_AREAS_EDIT,
            Role,
            grant,
        )
        from fangkong.core.registry import MenuEntry, api_router, menu_entry

        grant(
            {
                Role.HQ: {CHECKPOINTS_VIEW, CHECKPOINTS_MANAGE, RISK_AREAS_EDIT},
                Role.COUNTY: {CHECKPOINTS_VIEW, CHECKPOINTS_MANAGE},
                Role.TOWNSHIP: {CHECKPOINTS_VIEW, CHECKPOINTS_MANAGE},
                Role.GRID: {CHECKPOINTS_VIEW, CHECKPOINTS_REGISTER},
                Role.CHECKPOINT: {CHECKPOINTS_VIEW, CHECKPOINTS_REGISTER},
                Role.INSPECTOR: {CHECKPOINTS_VIEW},
                Role.ADMIN: {CHECKPOINTS_VIEW},
            }
        )
        menu_entry(MenuEntry(_("卡点"), "checkpoints:list", CHECKPOINTS_VIEW, order=50))
        api_router("/checkpoints", "fangkong.checkpoints.api.router", order=30)

        from fangkong.core.indicators import Indicator, register

        from .selectors import checkpoint_indicator_counts

        for order, (code, label, worse) in enumerate(
            [
                ("passages", _("卡点通行人次"), False),
                ("passages_flagged", _("卡点异常人次（发热或来自风险地区）"), True),
                ("passages_fever", _("卡点发热人次"), True),
            ]
        ):
            register(
                Indicator(
                    code, label, _("人次"), worse, CHECKPOINTS_VIEW, checkpoint_indicator_counts, order=100 + order
                )
            )
